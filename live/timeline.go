package live

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/live/realtime"
	"github.com/syncsim/syncsim/site"
	"github.com/syncsim/syncsim/trace"
)

// liveEnv is the live runtime's site.Env: the real clock scaled to scenario time, the run's fleet
// (under r.fleetMu) and the client's HTTP calls to the site router.
type liveEnv struct{ r *run }

var _ site.Env = liveEnv{}

func (e liveEnv) Elapsed() time.Duration { return e.r.rec.elapsed() }
func (e liveEnv) Now() time.Time         { return time.Now() }

// At runs fn at scenario time t; the live clock runs on, so t is reached from now.
func (e liveEnv) At(t time.Duration, fn func()) { e.r.due.at(e.r, t, fn) }

// dueAt runs the functions due at one scenario time on one timer, in the order At was called, as
// the simulator's kernel runs events due at the same moment in the order they were scheduled: two
// timeline entries at the same time (a delete and a start at 1m33s) play in the file's order, where
// two real timers of equal length fire in either order, and the trace's schedule would name an
// order the scenario does not have (simrun explain and replay refuse it).
type dueAt struct {
	mu      sync.Mutex
	batches map[time.Duration]*[]func()
}

func (q *dueAt) at(r *run, t time.Duration, fn func()) {
	q.mu.Lock()
	if b, ok := q.batches[t]; ok {
		*b = append(*b, fn)
		q.mu.Unlock()
		return
	}
	if q.batches == nil {
		q.batches = map[time.Duration]*[]func(){}
	}
	b := &[]func(){fn}
	q.batches[t] = b
	q.mu.Unlock()
	r.after(max(t-r.rec.elapsed(), 0), func() {
		// A call for t from here on starts a batch of its own, due at once.
		q.mu.Lock()
		delete(q.batches, t)
		fns := *b
		q.mu.Unlock()
		for _, fn := range fns {
			fn()
		}
	})
}

func (e liveEnv) Record(party string, ev trace.Event) { e.r.rec.put(party, ev) }

// The instance part of the timeline's Env is the run's fleet, under r.fleetMu.

func (e liveEnv) Instances() []site.Instance {
	e.r.fleetMu.Lock()
	defer e.r.fleetMu.Unlock()
	return e.r.fleet.Instances()
}

func (e liveEnv) StartInstance(reason string, placeholderFor time.Duration) site.Instance {
	e.r.fleetMu.Lock()
	defer e.r.fleetMu.Unlock()
	return e.r.fleet.StartInstance(reason, placeholderFor)
}

func (e liveEnv) DrainInstance(i site.Instance, reason string, d time.Duration) {
	e.r.fleetMu.Lock()
	defer e.r.fleetMu.Unlock()
	e.r.fleet.DrainInstance(i, reason, d)
}

func (e liveEnv) DeleteInstance(i site.Instance, reason string, injected bool) {
	e.r.fleetMu.Lock()
	defer e.r.fleetMu.Unlock()
	e.r.fleet.DeleteInstance(i, reason, injected)
}

func (e liveEnv) RestartHost(i site.Instance) {
	e.r.fleetMu.Lock()
	defer e.r.fleetMu.Unlock()
	e.r.fleet.RestartHost(i)
}

// Send is a client request to the site router, which follows pin as the simulator's does; its
// answer is recorded as the simulator records it, and a MSG-4 answer goes back to the timeline for
// the caller's retry.
func (e liveEnv) Send(call int, kind string, areq host.AdminRequest, pin string) {
	r := e.r
	r.goroutine(func() {
		a := r.roundTrip(call, kind, areq, pin)
		r.rec.put(trace.PartyClient, a.Event())
		if kind == trace.MsgMSG4 {
			r.timeline.Answered(call, a.Status)
		}
	})
}

// roundTrip makes one client call through the realtime plumbing and reads its answer.
func (r *run) roundTrip(call int, kind string, areq host.AdminRequest, pin string) trace.ClientAnswer {
	a := trace.ClientAnswer{Call: call, Kind: respKind(kind)}
	headers := map[string]string{}
	for k, v := range areq.Headers {
		headers[k] = v
	}
	headers["x-syncsim-call"] = strconv.Itoa(call)
	if pin != "" {
		headers[headerPin] = pin
	}
	resp, err := realtime.Do(context.Background(), httpClient, realtime.Request{Method: areq.Method,
		URL: r.router.srv.url + areq.Path, Headers: headers, Timeout: r.scaled(3 * time.Minute)}, 1<<20)
	if err != nil && resp.Status == 0 {
		// No answer at all; an answer whose body was cut still has its status and headers.
		a.NoRoute = true
		return a
	}
	a.Route, _ = strconv.Atoi(resp.Header.Get(headerRoute))
	a.Status = resp.Status
	if span, err := strconv.Atoi(resp.Header.Get(headerSpan)); err == nil && span != 0 {
		a.Span, a.Instance = span, resp.Header.Get(headerInstance)
	}
	if kind == trace.MsgMSG4 {
		a.Result = statusText(resp.Body)
	}
	return a
}

func respKind(kind string) string {
	switch kind {
	case trace.MsgMSG4:
		return trace.MsgMSG4Response
	case trace.MsgMSG3:
		return trace.MsgMSG3Response
	}
	return trace.MsgKeysResponse
}

// contentChanged records a new content revision and its expected payload (PAY-5).
func (r *run) contentChanged(reason string) {
	liveEnv{r}.Record(trace.PartyWorld, r.site.Changed(reason))
}
