package live

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/trace"
)

// router is the site router (PROTOCOL.md section 1): it forwards each request to a running, ready
// instance of its seeded choice, and answers 503 when there is none.
type router struct {
	r     *run
	srv   *server
	mu    sync.Mutex
	route int
}

func newRouter(r *run) (*router, error) {
	rt := &router{r: r}
	srv, err := listen(rt)
	if err != nil {
		return nil, err
	}
	rt.srv = srv
	r.addServer(srv)
	return rt, nil
}

func (rt *router) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	kind := kindOf(req)
	call := req.Header.Get("x-syncsim-call")
	if rt.r.faults.atFetch(kind, w) {
		return
	}
	tokenFault := rt.r.faults.atRouter(kind, req)
	h := rt.pick()
	// A pinned call (concurrent syncs inside one instance) goes to its instance while that one is
	// routable, as the simulator's router does: after the seeded pick, which it overrides.
	if p := rt.routable(req.Header.Get(headerPin)); p != nil {
		h = p
	}
	if h == nil {
		rt.r.rec.put(trace.PartyRouter, trace.RouterNone(kind))
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	rt.mu.Lock()
	rt.route++
	id := rt.route
	rt.mu.Unlock()
	rt.r.rec.put(trace.PartyRouter, trace.RouterRoute(id, kind, h.name, call))
	body, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	ctx, cancel := context.WithTimeout(req.Context(), rt.r.scaled(2*time.Minute))
	defer cancel()
	out, err := http.NewRequestWithContext(ctx, req.Method, h.srv.url+req.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	out.Header = req.Header.Clone()
	if tokenFault != "" {
		out.Header.Set(headerTokenFault, tokenFault)
	}
	out.Header.Set(headerRoute, strconv.Itoa(id))
	resp, err := httpClient.Do(out)
	if err != nil {
		// The instance refused or cut the connection: it was deleted.
		w.Header().Set(headerRoute, strconv.Itoa(id))
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.Header().Set(headerRoute, strconv.Itoa(id))
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

// pick chooses a running, ready instance that is not draining with the run's "router" stream.
func (rt *router) pick() *liveHost {
	r := rt.r
	// r.mu is not held while a host's lock is taken: a host holds its own while it calls r.goroutine
	// and r.after, which take r.mu.
	r.mu.Lock()
	hosts := append([]*liveHost(nil), r.hosts...)
	r.mu.Unlock()
	var ready []*liveHost
	for _, h := range hosts {
		h.mu.Lock()
		ok := h.alive && h.ready && !h.draining
		h.mu.Unlock()
		if ok {
			ready = append(ready, h)
		}
	}
	if len(ready) == 0 {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return ready[r.rng.IntN(len(ready))]
}

// routable is the instance named name when it is running, ready and not draining; nil otherwise
// (and for "").
func (rt *router) routable(name string) *liveHost {
	if name == "" {
		return nil
	}
	rt.r.mu.Lock()
	hosts := append([]*liveHost(nil), rt.r.hosts...)
	rt.r.mu.Unlock()
	for _, h := range hosts {
		if h.name != name {
			continue
		}
		h.mu.Lock()
		ok := h.alive && h.ready && !h.draining
		h.mu.Unlock()
		if ok {
			return h
		}
	}
	return nil
}

// kindOf names a request to the site as the simulator's router records it.
func kindOf(req *http.Request) string {
	switch {
	case req.URL.Path == host.PathTriggers:
		return trace.MsgMSG3
	case req.URL.Path == host.PathSyncTriggers:
		return trace.MsgMSG4
	default:
		return trace.MsgKeys
	}
}
