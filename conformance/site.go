package conformance

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/httpbound"
	"github.com/syncsim/syncsim/live/realtime"
)

// Failure is how the harness's site answers a fetch while it plays "instance deleted" (PROTOCOL.md
// section 9, MESH-4).
type Failure int

// Failures the site can play.
const (
	// Fail503 is the site router's answer with no running instance.
	Fail503 Failure = iota + 1
	// FailReset accepts the connection and resets it without an answer (a refused or reset
	// connection, as the mesh sees it; the attempt is still recorded).
	FailReset
	// Fail404 is a router that no longer knows the site.
	Fail404
)

func (f Failure) String() string {
	switch f {
	case Fail503:
		return "503"
	case FailReset:
		return "reset connection"
	case Fail404:
		return "404"
	}
	return "?"
}

// Fetch is one MSG-3 request the site received: a GET of /admin/host/triggers. Any other method on
// that path is not a fetch (MSG-3 is a GET): it is a Stray.
type Fetch struct {
	// Seq numbers the fetches from 0 in arrival order.
	Seq int
	// Start is when the request reached the site; End when its answer was written.
	Start, End time.Time
	// Method and Path as received.
	Method, Path string
	// TokenValid reports a valid TOK-4 token (TokenCheck); TokenProblem says what was wrong otherwise
	// ("missing", "invalid (wrong audience)", "not the platform issuer", "no iat claim (TOK-2)").
	TokenValid   bool
	TokenProblem string
	// Issuer and Audience are the token's claims as received, when they look like URLs (evidence).
	Issuer, Audience string
	// Status is the answer; 0 for a reset connection.
	Status int
	// Played is the failure the site played, or 0 when it answered as a running host.
	Played Failure
	// Drained marks a fetch answered 200 while the harness drained the mesh between rules: it closes
	// an earlier fetch round and is no rule's evidence.
	Drained bool
}

// Failed reports a fetch answered with anything but 200, or not at all: one a mesh may retry.
func (f Fetch) Failed() bool { return !f.End.IsZero() && f.Status != http.StatusOK }

// Stray is a request to the site that is not a fetch: another method on /admin/host/triggers (the
// site answers 405), or another path (404).
type Stray struct {
	At           time.Time
	Method, Path string
	Status       int
}

// Site is the harness playing a site for a mesh under test: the admin API's
// GET /admin/host/triggers (MSG-3) with a known payload, a record of every fetch, and failure and
// hold windows. Its methods are safe for concurrent use.
type Site struct {
	key []byte

	mu      sync.Mutex
	name    string
	payload host.Payload
	// learn: the site's name is taken from the first fetch's token (LearnName).
	learn, learned bool
	draining       bool
	url            string
	srv            *realtime.Server
	fetches        []Fetch
	strays         []Stray
	active         int
	lastEnd        time.Time
	failing        []Failure // cycled, one per attempt, while failUntil is ahead
	failIdx        int
	failTill       time.Time
	failLeft       int           // FailNext: attempts still to fail
	hold           chan struct{} // non-nil: fetches wait on it
}

// NewSite makes a site named name whose tokens are checked with key (TOK-1 bytes). Its payload is
// a fixed PAY-1 payload of two functions, so its hash is known (ExpectedHash).
func NewSite(name string, key []byte) *Site {
	return &Site{name: name, key: key, payload: SamplePayload(name, "site")}
}

// SamplePayload builds a deterministic PAY-1 payload for a site; variant changes its content (and
// hash) so that rules can tell payloads apart. Its secrets are fixed test values.
func SamplePayload(site, variant string) host.Payload {
	s := host.Site{Name: site, HostID: host.DefaultHostID(site)}
	fns := []host.Function{
		{Name: "HttpTrigger1", Language: "node", Bindings: []host.Binding{
			{"type": "httpTrigger", "direction": "in", "name": "req", "authLevel": "function"},
			{"type": "http", "direction": "out", "name": "res"}}},
		{Name: "QueueTrigger1", Language: "node", Bindings: []host.Binding{
			{"type": "queueTrigger", "direction": "in", "name": "msg", "queueName": "orders-" + variant}}},
	}
	keys := host.Keys{Master: "conformance-master-" + variant, Host: map[string]string{"default": "conformance-host-" + variant}}
	return host.BuildPayload(s, fns, keys)
}

// ExpectedHash is the PAY-3 hash of the payload the site serves.
func (s *Site) ExpectedHash() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.payload.Hash
}

// Name is the site's name (WEBSITE_SITE_NAME).
func (s *Site) Name() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.name
}

// LearnName makes the site take its name from the first fetch: when that fetch's token is signed
// with the key, comes from the platform's issuer and names a site as its audience
// (https://{site}.azurewebsites.net), the site becomes that site. It serves a mesh started with
// the site URL and the key but a site name of its own (README, option B).
func (s *Site) LearnName() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.learn = true
}

// Learned reports the name the site took from the mesh's first fetch, if it took one.
func (s *Site) Learned() (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.name, s.learned
}

// Drain makes the site answer every fetch 200 with its payload, whatever the token, until the
// returned function is called: a mesh that retries failed fetches (401s included) ends its round,
// so that its retries do not reach the next rule. Fetches answered so are marked Drained.
func (s *Site) Drain() (stop func()) {
	s.mu.Lock()
	s.draining = true
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		s.draining = false
		s.mu.Unlock()
	}
}

// Listen serves the site on addr ("127.0.0.1:0" for a free port) and returns its base URL, the
// site URL a mesh under test must fetch from.
func (s *Site) Listen(addr string) (string, error) {
	// A held fetch waits up to a minute (Hold), so the write timeout allows two.
	srv, err := realtime.Listen(addr, http.HandlerFunc(s.serve), httpbound.Limits{Write: 2 * time.Minute})
	if err != nil {
		return "", err
	}
	// One request per connection: a reset connection is then never a reused one, which HTTP
	// clients retry at once on their own.
	srv.SetKeepAlivesEnabled(false)
	s.mu.Lock()
	s.srv, s.url = srv, srv.URL()
	s.mu.Unlock()
	srv.Start()
	return s.url, nil
}

// URL is the base URL Listen returned.
func (s *Site) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// Close stops serving, releasing any held fetch.
func (s *Site) Close() error {
	s.Release()
	s.mu.Lock()
	srv := s.srv
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	return srv.Close()
}

// FailFor makes the site fail every fetch for d, cycling through kinds attempt by attempt.
func (s *Site) FailFor(d time.Duration, kinds ...Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failing, s.failIdx, s.failLeft, s.failTill = kinds, 0, 0, time.Now().Add(d)
}

// FailNext makes the site fail the next n fetches, cycling through kinds.
func (s *Site) FailNext(n int, kinds ...Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failing, s.failIdx, s.failLeft, s.failTill = kinds, 0, n, time.Time{}
}

// Heal ends a failure window.
func (s *Site) Heal() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failing, s.failTill, s.failLeft = nil, time.Time{}, 0
}

// Hold makes every fetch wait, without an answer, until Release (a fetch in flight, MESH-5).
func (s *Site) Hold() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hold == nil {
		s.hold = make(chan struct{})
	}
}

// Release lets held fetches be answered.
func (s *Site) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hold != nil {
		close(s.hold)
		s.hold = nil
	}
}

// Fetches returns every fetch received so far, in arrival order (ones still being served have a
// zero End).
func (s *Site) Fetches() []Fetch {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Fetch(nil), s.fetches...)
}

// FetchesSince returns the fetches that reached the site at or after t, drained ones left out.
func (s *Site) FetchesSince(t time.Time) []Fetch {
	var out []Fetch
	for _, f := range s.Fetches() {
		if !f.Start.Before(t) && !f.Drained {
			out = append(out, f)
		}
	}
	return out
}

// StraysSince returns the requests that were not fetches and reached the site at or after t.
func (s *Site) StraysSince(t time.Time) []Stray {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Stray
	for _, r := range s.strays {
		if !r.At.Before(t) {
			out = append(out, r)
		}
	}
	return out
}

// lastActivity is when the last fetch ended, and whether one is being served.
func (s *Site) lastActivity() (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastEnd, s.active > 0
}

func (s *Site) serve(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	if !strings.EqualFold(strings.TrimRight(r.URL.Path, "/"), host.PathTriggers) {
		s.stray(now, r, http.StatusNotFound)
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet {
		// MSG-3 is a GET: anything else is not a fetch, whatever the site is playing.
		s.stray(now, r, http.StatusMethodNotAllowed)
		w.Header().Set("Allow", "GET")
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	tok := host.TokenFromHeaders(map[string]string{
		"x-ms-site-token": r.Header.Get("x-ms-site-token"),
		"Authorization":   r.Header.Get("Authorization"),
	})
	s.mu.Lock()
	if s.learn && !s.learned && len(s.fetches) == 0 {
		s.learnFrom(tok, now)
	}
	tc := checkPlatformToken(s.key, s.name, tok, now)
	f := Fetch{Seq: len(s.fetches), Start: now, Method: r.Method, Path: r.URL.Path, TokenValid: tc.Valid,
		TokenProblem: tc.Problem, Issuer: tc.Issuer, Audience: tc.Audience, Drained: s.draining}
	s.fetches = append(s.fetches, f)
	s.active++
	if !f.Drained && len(s.failing) > 0 && (f.Start.Before(s.failTill) || s.failLeft > 0) {
		f.Played = s.failing[s.failIdx%len(s.failing)]
		s.failIdx++
		if s.failLeft > 0 {
			s.failLeft--
		}
	}
	hold, body := s.hold, s.payload.Body
	s.mu.Unlock()

	if hold != nil && f.Played == 0 && !f.Drained {
		select {
		case <-hold:
		case <-r.Context().Done():
		case <-time.After(time.Minute):
		}
	}
	if f.Drained {
		tc.Status = http.StatusOK
	}
	f.Status = s.answer(w, r, f, tc.Status, body)
	f.End = time.Now()
	s.mu.Lock()
	s.fetches[f.Seq].Status, s.fetches[f.Seq].End, s.fetches[f.Seq].Played = f.Status, f.End, f.Played
	s.active--
	s.lastEnd = f.End
	s.mu.Unlock()
}

// learnFrom takes the site's name from a token's audience when the token is signed with the key and
// comes from the platform (LearnName); s.mu is held. Only the first fetch decides.
func (s *Site) learnFrom(tok string, now time.Time) {
	s.learn = false
	_, aud := unverifiedClaims(tok)
	name := siteOfAudience(aud)
	if name == "" || name == s.name {
		return
	}
	// Signed with the key, unexpired, from the platform, for that site: its other claims (iat, nbf,
	// lifetime) are MESH-3's to judge.
	if tc := checkPlatformToken(s.key, name, tok, now); tc.Valid || !strings.HasPrefix(tc.Problem, "invalid") && tc.Status != http.StatusForbidden {
		s.name, s.learned = name, true
		s.payload = SamplePayload(name, "site")
	}
}

func (s *Site) stray(at time.Time, r *http.Request, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.strays) < 1000 {
		s.strays = append(s.strays, Stray{At: at, Method: r.Method, Path: r.URL.Path, Status: status})
	}
}

// answer writes the fetch's answer and returns its status (0 for a reset connection): the failure
// played, else the token's answer (TokenCheck.Status), with the payload on 200. The router plays a
// failure before any host sees the token, so a failure window ignores token validity.
func (s *Site) answer(w http.ResponseWriter, r *http.Request, f Fetch, status int, body []byte) int {
	switch f.Played {
	case Fail503:
		http.Error(w, host.HostNotRunningText, http.StatusServiceUnavailable)
		return http.StatusServiceUnavailable
	case Fail404:
		http.NotFound(w, r)
		return http.StatusNotFound
	case FailReset:
		if resetConnection(w) {
			return 0
		}
		http.Error(w, host.HostNotRunningText, http.StatusServiceUnavailable)
		return http.StatusServiceUnavailable
	}
	if status != http.StatusOK {
		w.WriteHeader(status)
		return status
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(body)
	return http.StatusOK
}

// resetConnection closes the request's connection with TCP RST, without an answer.
func resetConnection(w http.ResponseWriter) bool {
	hj, ok := w.(http.Hijacker)
	if !ok {
		return false
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return false
	}
	// The bounded listener's connection forwards SetLinger to its TCP connection.
	if tc, ok := conn.(interface{ SetLinger(int) error }); ok {
		tc.SetLinger(0)
	}
	conn.Close()
	return true
}
