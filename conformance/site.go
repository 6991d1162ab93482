package conformance

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/httpbound"
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

// Fetch is one MSG-3 request the site received.
type Fetch struct {
	// Start is when the request reached the site; End when its answer was written.
	Start, End time.Time
	// Method and Path as received.
	Method, Path string
	// TokenValid reports a valid TOK-4 token; TokenProblem says what was wrong otherwise
	// ("missing", "invalid", "not the platform issuer", "lifetime over 1h").
	TokenValid   bool
	TokenProblem string
	// Status is the answer; 0 for a reset connection.
	Status int
	// Played is the failure the site played, or 0 when it answered as a running host.
	Played Failure
}

// Site is the harness playing a site for a mesh under test: the admin API's
// GET /admin/host/triggers (MSG-3) with a known payload, a record of every fetch, and failure and
// hold windows. Its methods are safe for concurrent use.
type Site struct {
	name    string
	key     []byte
	payload host.Payload

	mu       sync.Mutex
	url      string
	srv      *http.Server
	fetches  []Fetch
	active   int
	lastEnd  time.Time
	failing  []Failure // cycled, one per attempt, while failUntil is ahead
	failIdx  int
	failTill time.Time
	failLeft int           // FailNext: attempts still to fail
	hold     chan struct{} // non-nil: fetches wait on it
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
func (s *Site) ExpectedHash() string { return s.payload.Hash }

// Name is the site's name (WEBSITE_SITE_NAME).
func (s *Site) Name() string { return s.name }

// Listen serves the site on addr ("127.0.0.1:0" for a free port) and returns its base URL, the
// site URL a mesh under test must fetch from.
func (s *Site) Listen(addr string) (string, error) {
	// A held fetch waits up to a minute (Hold), so the write timeout allows two.
	srv, ln, err := httpbound.Listen(addr, http.HandlerFunc(s.serve), httpbound.Limits{Write: 2 * time.Minute})
	if err != nil {
		return "", err
	}
	// One request per connection: a reset connection is then never a reused one, which HTTP
	// clients retry at once on their own.
	srv.SetKeepAlivesEnabled(false)
	s.mu.Lock()
	s.srv, s.url = srv, "http://"+ln.Addr().String()
	s.mu.Unlock()
	go srv.Serve(ln)
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

// FetchesSince returns the fetches that reached the site at or after t.
func (s *Site) FetchesSince(t time.Time) []Fetch {
	var out []Fetch
	for _, f := range s.Fetches() {
		if !f.Start.Before(t) {
			out = append(out, f)
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
	if !strings.EqualFold(strings.TrimRight(r.URL.Path, "/"), host.PathTriggers) {
		http.NotFound(w, r)
		return
	}
	f := Fetch{Start: time.Now(), Method: r.Method, Path: r.URL.Path}
	f.TokenValid, f.TokenProblem = s.checkToken(r, f.Start)
	s.mu.Lock()
	idx := len(s.fetches)
	s.fetches = append(s.fetches, f)
	s.active++
	if len(s.failing) > 0 && (f.Start.Before(s.failTill) || s.failLeft > 0) {
		f.Played = s.failing[s.failIdx%len(s.failing)]
		s.failIdx++
		if s.failLeft > 0 {
			s.failLeft--
		}
	}
	hold := s.hold
	s.mu.Unlock()

	if hold != nil && f.Played == 0 {
		select {
		case <-hold:
		case <-r.Context().Done():
		case <-time.After(time.Minute):
		}
	}
	f.Status = s.answer(w, r, f)
	f.End = time.Now()
	s.mu.Lock()
	s.fetches[idx].Status, s.fetches[idx].End, s.fetches[idx].Played = f.Status, f.End, f.Played
	s.active--
	s.lastEnd = f.End
	s.mu.Unlock()
}

// answer writes the fetch's answer and returns its status (0 for a reset connection). The router
// plays a failure before any host sees the token, so a failure window ignores token validity.
func (s *Site) answer(w http.ResponseWriter, r *http.Request, f Fetch) int {
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
	switch {
	case r.Method != http.MethodGet:
		w.Header().Set("Allow", "GET")
		w.WriteHeader(http.StatusMethodNotAllowed)
		return http.StatusMethodNotAllowed
	case f.TokenProblem == "not the platform issuer":
		w.WriteHeader(http.StatusForbidden) // TOK-5: valid, without the platform claim
		return http.StatusForbidden
	case !f.TokenValid:
		w.WriteHeader(http.StatusUnauthorized)
		return http.StatusUnauthorized
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(s.payload.Body)
	return http.StatusOK
}

// checkToken judges the request's token as a host would (TOK-4, TOK-5), plus TOK-4's 1-hour
// lifetime bound.
func (s *Site) checkToken(r *http.Request, now time.Time) (bool, string) {
	tok := host.TokenFromHeaders(map[string]string{
		"x-ms-site-token": r.Header.Get("x-ms-site-token"),
		"Authorization":   r.Header.Get("Authorization"),
	})
	if tok == "" {
		return false, "missing"
	}
	c, err := host.ValidateHostToken(s.key, s.name, tok, now)
	if err != nil {
		return false, "invalid (" + strings.TrimPrefix(err.Error(), host.ErrTokenInvalid.Error()+": ") + ")"
	}
	if host.RequirePlatform(c) != nil {
		return false, "not the platform issuer"
	}
	if !c.IssuedAt.IsZero() && c.Expires.Sub(c.IssuedAt) > host.PlatformTokenMaxLifetime {
		return false, "lifetime over 1h"
	}
	return true, ""
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
