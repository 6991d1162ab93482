package live

import (
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/drive"
	"github.com/syncsim/syncsim/internal/trace"
)

// liveEnv is the live runtime's drive.Env: the real clock scaled to scenario time, the run's
// instances (HTTP servers) and the client's HTTP calls to the site router.
type liveEnv struct{ r *run }

var _ drive.Env = liveEnv{}

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

func (e liveEnv) Instances() []drive.Instance {
	var out []drive.Instance
	for _, h := range e.r.live() {
		out = append(out, h)
	}
	return out
}

func (e liveEnv) StartInstance(reason string, placeholderFor time.Duration) drive.Instance {
	h, err := e.r.startInstance(reason)
	if err != nil || h == nil {
		return nil // no instance (not a nil *liveHost in an interface)
	}
	h.mu.Lock()
	h.placeholderFor = placeholderFor
	h.mu.Unlock()
	return h
}

// DrainInstance takes the instance out of the router's choice; the timeline deletes it d later.
func (e liveEnv) DrainInstance(i drive.Instance, reason string, d time.Duration) {
	h := i.(*liveHost)
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.alive || h.draining {
		return
	}
	h.draining = true
	h.r.rec.put(h.party, trace.InstanceDrain(reason, d))
}

func (e liveEnv) DeleteInstance(i drive.Instance, reason string, injected bool) {
	h := i.(*liveHost)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.killLocked(reason, injected)
}

func (e liveEnv) RestartHost(i drive.Instance) { i.(*liveHost).restartHost() }

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

// roundTrip makes one client call and reads its answer.
func (r *run) roundTrip(call int, kind string, areq host.AdminRequest, pin string) trace.ClientAnswer {
	a := trace.ClientAnswer{Call: call, Kind: respKind(kind)}
	req, err := http.NewRequest(areq.Method, r.router.srv.url+areq.Path, nil)
	if err != nil {
		a.NoRoute = true
		return a
	}
	for k, v := range areq.Headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("x-syncsim-call", strconv.Itoa(call))
	if pin != "" {
		req.Header.Set(headerPin, pin)
	}
	c := &http.Client{Transport: httpClient.Transport, Timeout: r.scaled(3 * time.Minute)}
	resp, err := c.Do(req)
	if err != nil {
		a.NoRoute = true
		return a
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	a.Route, _ = strconv.Atoi(resp.Header.Get(headerRoute))
	a.Status = resp.StatusCode
	if span, err := strconv.Atoi(resp.Header.Get(headerSpan)); err == nil && span != 0 {
		a.Span, a.Instance = span, resp.Header.Get(headerInstance)
	}
	if kind == trace.MsgMSG4 {
		a.Result = statusText(body)
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

// Primary reports whether the instance's host holds the primary lease, as the timeline picks.
func (h *liveHost) Primary() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.m.Primary()
}

// Draining reports whether the timeline drains the instance.
func (h *liveHost) Draining() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.draining
}

// contentChanged records a new content revision and its expected payload (PAY-5).
func (r *run) contentChanged(reason string) {
	liveEnv{r}.Record(trace.PartyWorld, r.site.Changed(reason))
}

// secretsNow is what a host reads after SYNC-3 clears its cache.
func (r *run) secretsNow() (host.Keys, int) { return r.site.SecretsNow() }

// loaded is what a host that starts now loads.
func (r *run) loaded() host.Loaded {
	l := r.site.Loaded()
	// The host's start took the scenario's startup time (`Host started ({ms}ms)`), in scenario time
	// as every time the live trace records.
	l.Took = r.sc.Instances.Startup
	return l
}

// live lists the instances not deleted, oldest first. It never holds r.mu while it takes a host's
// lock: a host holds its own while it calls r.after and r.goroutine, which take r.mu.
func (r *run) live() []*liveHost {
	r.mu.Lock()
	hosts := append([]*liveHost(nil), r.hosts...)
	r.mu.Unlock()
	var out []*liveHost
	for _, h := range hosts {
		h.mu.Lock()
		if h.alive {
			out = append(out, h)
		}
		h.mu.Unlock()
	}
	return out
}
