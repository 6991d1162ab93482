package conformance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/syncsim/syncsim/host"
)

// Defaults of an Env (PROTOCOL.md MESH-2, MESH-4).
const (
	// DefaultObserve is MESH-4's observed retry window when neither Observe nor Full is set.
	DefaultObserve = 20 * time.Second
	// RetryRequirement is how long MESH-4 says a mesh must keep retrying.
	RetryRequirement = 10 * time.Minute
	// FetchDeadline is MESH-2's bound from an accepted notification to a completed fetch.
	FetchDeadline = 30 * time.Second
	// AnswerDeadline is MESH-1's bound on a notification's answer.
	AnswerDeadline = 5 * time.Second
)

// Env is the endpoint under test and how to judge it. The zero values of the durations take the
// contract's defaults; an Env is used by one Run at a time.
type Env struct {
	// MeshURL is MESH_INIT_URI of the mesh under test (MESH rules).
	MeshURL string
	// FrontEndURL is the front end's base URL; MSG-1 goes to FrontEndURL + "/operations/settriggers".
	FrontEndURL string
	// FrontEndReadback is the optional read-back URL (GET) of FE-5; "" leaves FE-5 inconclusive.
	FrontEndReadback string
	// HostURL is the host's base URL (HOST rules).
	HostURL string
	// HostExpectedHash, when set, is the PAY-3 hash a sync of the host would publish now (HOST-1).
	HostExpectedHash string
	// Sink, when set, is where the host under test publishes (its front end and mesh URL): HOST-1
	// compares the served payload with what a sync publishes, HOST-2 fails a publish on purpose.
	Sink *Sink
	// HostMasterKey, when set, is the host master key (x-functions-key) HOST-2 also tries (TOK-6).
	HostMasterKey string

	// Key is WEBSITE_AUTH_ENCRYPTION_KEY as text (TOK-1). It never appears in evidence.
	Key string
	// SiteName is WEBSITE_SITE_NAME: tokens are issued for https://{SiteName}.azurewebsites.net.
	SiteName string
	// Site is the harness's own site, which the mesh under test fetches from (MESH rules).
	Site *Site
	// SiteSource says how the mesh was told the site's name (Prepare sets it), so that a token for
	// another site's audience is explained with the right fix.
	SiteSource SiteSource

	// Observe is MESH-4's observed window (default DefaultObserve); Full observes RetryFor plus
	// FullTail instead.
	Observe time.Duration
	Full    bool
	// RetryFor is how long MESH-4 requires retries (default RetryRequirement); tests shorten it.
	RetryFor time.Duration
	// FullTail is how long Full watches past RetryFor (default DefaultFullTail), so that a mesh
	// still retrying at the requirement's end is seen to; tests shorten it with RetryFor.
	FullTail time.Duration
	// FetchWait bounds the wait for a fetch (default FetchDeadline, MESH-2's 30 s); tests shorten it.
	FetchWait time.Duration
	// AnswerWait is MESH-1's bound on a notification's answer (default AnswerDeadline); tests shorten
	// it, with meshes whose slowness is scaled to match.
	AnswerWait time.Duration
	// Strict makes SHOULD parts of a MUST rule (MESH-4's 100 ms spacing) fail it.
	Strict bool
	// Client sends every request; nil means a client without keep-alive reuse across rules.
	Client *http.Client
	// Log, when set, gets a line per step a rule takes (never a secret).
	Log io.Writer

	mu         sync.Mutex
	lastNotify time.Time
	// sent is every notification this Env sent, in order (fetch attribution).
	sent []sentNotification
}

// sentNotification is one notification as fetch attribution needs it.
type sentNotification struct {
	sent, answered time.Time
	ok             bool
}

// DefaultFullTail is how long --full watches past the 10 minutes: the reference mesh's backoff cap
// (1 minute) with its jitter, and slack.
const DefaultFullTail = 90 * time.Second

func (e *Env) observe() time.Duration {
	if e.Full {
		// The whole requirement, plus time for a last attempt a capped backoff still owes.
		tail := e.FullTail
		if tail <= 0 {
			tail = DefaultFullTail
		}
		return e.retryFor() + tail
	}
	if e.Observe > 0 {
		return e.Observe
	}
	return DefaultObserve
}

func (e *Env) retryFor() time.Duration {
	if e.RetryFor > 0 {
		return e.RetryFor
	}
	return RetryRequirement
}

func (e *Env) fetchWait() time.Duration {
	if e.FetchWait > 0 {
		return e.FetchWait
	}
	return FetchDeadline
}

func (e *Env) answerWait() time.Duration {
	if e.AnswerWait > 0 {
		return e.AnswerWait
	}
	return AnswerDeadline
}

func (e *Env) client() *http.Client {
	if e.Client != nil {
		return e.Client
	}
	return defaultClient
}

var defaultClient = &http.Client{Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 16, IdleConnTimeout: 5 * time.Second}}

func (e *Env) logf(format string, args ...any) {
	if e.Log != nil {
		fmt.Fprintf(e.Log, "  . "+format+"\n", args...)
	}
}

// keyBytes parses Key (TOK-1); errors never hold the key.
func (e *Env) keyBytes() ([]byte, error) { return host.ParseKey(e.Key) }

// Answer is one HTTP exchange as evidence sees it.
type Answer struct {
	Sent, Answered time.Time
	Status         int
	Body           []byte
	// Err is the transport error ("" when an answer came).
	Err string
}

// Took is the time from sending to the answer.
func (a Answer) Took() time.Duration { return a.Answered.Sub(a.Sent) }

// String renders the answer: "200 in 3ms" or "no answer after 5s (timeout)".
func (a Answer) String() string {
	if a.Err != "" {
		return "no answer after " + round(a.Took()).String() + " (" + a.Err + ")"
	}
	return fmt.Sprintf("%d in %s", a.Status, round(a.Took()))
}

// OK reports a 2xx answer.
func (a Answer) OK() bool { return a.Err == "" && a.Status >= 200 && a.Status < 300 }

// do sends one request with a timeout and reads at most 4 MiB of the answer.
func (e *Env) do(ctx context.Context, method, url string, headers map[string]string, body []byte, timeout time.Duration) Answer {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = strings.NewReader(string(body))
	}
	a := Answer{Sent: time.Now()}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		a.Answered, a.Err = time.Now(), "bad request URL"
		return a
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := e.client().Do(req)
	if err != nil {
		a.Answered, a.Err = time.Now(), transportReason(err)
		return a
	}
	a.Body, _ = io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	resp.Body.Close()
	a.Answered, a.Status = time.Now(), resp.StatusCode
	return a
}

// transportReason names a transport error without its text, which can hold a URL with secrets.
func transportReason(err error) string {
	var ne interface{ Timeout() bool }
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case strings.Contains(err.Error(), "connection refused"):
		return "connection refused"
	case strings.Contains(err.Error(), "reset"), strings.Contains(err.Error(), "EOF"):
		return "connection reset"
	}
	return "transport error"
}

// notify posts one MSG-2-shaped request to the mesh and remembers when, so that drain can wait out
// the mesh's debounce before the next rule counts fetches.
func (e *Env) notify(ctx context.Context, body, contentType, instance string, timeout time.Duration) Answer {
	headers := map[string]string{}
	if contentType != "" {
		headers["Content-Type"] = contentType
	}
	if instance != "" {
		headers["fx-current-instance"] = instance
	}
	var b []byte
	if body != "" {
		b = []byte(body)
	}
	a := e.do(ctx, http.MethodPost, e.MeshURL, headers, b, timeout)
	e.mu.Lock()
	if a.Answered.After(e.lastNotify) {
		e.lastNotify = a.Answered
	}
	e.sent = append(e.sent, sentNotification{sent: a.Sent, answered: a.Answered, ok: a.OK()})
	e.mu.Unlock()
	return a
}

// Form content type of MSG-2.
const formType = "application/x-www-form-urlencoded"

// notifyValid sends a well-formed notification (MSG-2). It waits twice MESH-1's bound for the
// answer: what comes later is a breach either way.
func (e *Env) notifyValid(ctx context.Context, instance string) Answer {
	return e.notify(ctx, "operation=update-triggers", formType, instance, 2*e.answerWait())
}

// accepted judges the answer to a well-formed notification wherever a rule sends one: MESH-1 is
// breached by a late or non-2xx answer in any rule, and the rule that sees it fails, naming MESH-1.
// It reports whether the mesh accepted the notification (2xx, however late).
func (e *Env) accepted(v *verdict, what string, a Answer) bool {
	switch {
	case a.OK() && a.Took() <= e.answerWait():
		return true
	}
	v.fail("%s: %s: breaks MESH-1 (a well-formed notification is answered 2xx within %s)", what, a, e.answerWait())
	return a.OK()
}

// acceptedBetween reports a notification answered 2xx that the mesh can have received in [from, to):
// sent before to, answered at or after from.
func (e *Env) acceptedBetween(from, to time.Time) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, n := range e.sent {
		if n.ok && n.sent.Before(to) && !n.answered.Before(from) {
			return true
		}
	}
	return false
}

// ownFetches splits a rule's fetches into those its notifications can have caused and retries of a
// failed fetch before them. A fetch is a retry when the fetch before it (in the site's whole record)
// failed and had ended when it started, and no notification was accepted between the two starts:
// nothing new can have caused it. A mesh's retries after a 401 or 403, or of an earlier rule's
// failed fetch, are so never counted as fetches a rule's notifications caused (MESH-6, MESH-7).
func (e *Env) ownFetches(fs []Fetch) (own, retries []Fetch) {
	all := e.Site.Fetches()
	for _, f := range fs {
		if f.Seq > 0 && f.Seq <= len(all) {
			prev := all[f.Seq-1]
			if prev.Failed() && !prev.End.After(f.Start) && !e.acceptedBetween(prev.Start, f.Start) {
				retries = append(retries, f)
				continue
			}
		}
		own = append(own, f)
	}
	return own, retries
}

// Drain bounds: how long drain waits for the mesh to settle, and for the retry of a failed fetch.
const (
	drainLimit      = 15 * time.Second
	drainRetryFirst = 2 * time.Second
	drainRetryMax   = 10 * time.Second
)

// drain isolates the next rule from the ones before it: it waits until the mesh has had time to act
// on every earlier notification (the reference mesh's 1 s debounce cap, plus slack), no fetch is
// being served, and a fetch round left open by a failed fetch has ended. While it waits the site
// answers every fetch 200 (Site.Drain), so that a retry ends its round; a retry that does not come
// within what the round's backoff makes plausible is left to fetch attribution (ownFetches). It
// gives up after drainLimit (a mesh that keeps fetching).
func (e *Env) drain(ctx context.Context) {
	if e.Site != nil {
		defer e.Site.Drain()()
	}
	deadline := time.Now().Add(drainLimit)
	for time.Now().Before(deadline) {
		e.mu.Lock()
		last := e.lastNotify
		e.mu.Unlock()
		idle := time.Since(last) > 1300*time.Millisecond
		if e.Site != nil {
			if lf, busy := e.Site.lastActivity(); busy || time.Since(lf) < 300*time.Millisecond {
				idle = false
			}
			if idle && e.retryOwed() {
				idle = false
			}
		}
		if idle {
			return
		}
		if !sleep(ctx, 50*time.Millisecond) {
			return
		}
	}
}

// retryOwed reports a last fetch that failed recently enough for its retry to be still plausible:
// within three times the gap before it when it was itself a retry (drainRetryMax at most), else within
// drainRetryFirst.
func (e *Env) retryOwed() bool {
	all := e.Site.Fetches()
	if len(all) == 0 {
		return false
	}
	last := all[len(all)-1]
	if !last.Failed() {
		return false
	}
	wait := drainRetryFirst
	if len(all) > 1 {
		if prev := all[len(all)-2]; prev.Failed() && !e.acceptedBetween(prev.Start, last.Start) {
			wait = min(max(wait, 3*last.Start.Sub(prev.Start)), drainRetryMax)
		}
	}
	return time.Since(last.End) < wait
}

// sleep waits d or until ctx ends; false when ctx ended.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// round shortens a duration for evidence.
func round(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond)
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(time.Millisecond)
	}
	return d.Round(time.Microsecond)
}

// since renders t relative to a rule's start: "+1.254s".
func since(start, t time.Time) string { return "+" + round(t.Sub(start)).String() }
