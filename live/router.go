package live

import (
	"net/http"
	"strconv"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/live/realtime"
	"github.com/syncsim/syncsim/site"
	"github.com/syncsim/syncsim/trace"
)

// router is the site router's HTTP server: every request becomes a call of the run's site.Router
// (PROTOCOL.md section 1), which picks the instance, records the route and answers; the fleet's
// transport proxies a forwarded request to its instance (fleetEnv.Forward).
type router struct {
	r    *run
	srv  *server
	core *site.Router
}

func newRouter(r *run) (*router, error) {
	rt := &router{r: r, core: site.NewRouter(r.fleet)}
	srv, err := r.serve(rt)
	if err != nil {
		return nil, err
	}
	rt.srv = srv
	return rt, nil
}

// ServeHTTP hands a request to the router under the fleet's lock and writes its answer. Once the
// run is over the connection is cut.
func (rt *router) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	kind := kindOf(req)
	body, ok := realtime.ReadBody(w, req)
	if !ok {
		return
	}
	from := trace.PartyClient
	if kind == trace.MsgMSG3 {
		from = trace.PartyMesh
	}
	call, _ := strconv.Atoi(req.Header.Get("x-syncsim-call"))
	answers := make(chan site.Answer, 1)
	c := site.Call{Kind: kind, From: from, ID: call, Pin: req.Header.Get(headerPin),
		Req:   host.AdminRequest{Method: req.Method, Path: req.URL.Path, Headers: realtime.Headers(req.Header), Body: body},
		Reply: func(a site.Answer) { answers <- a }}
	if !rt.r.fleetMu.Do(func() { rt.core.Receive(c) }) {
		panic(http.ErrAbortHandler)
	}
	a := <-answers
	if a.Status == 0 {
		// fetch-refused: no connection.
		panic(http.ErrAbortHandler)
	}
	for k, v := range a.Headers {
		w.Header().Set(k, v)
	}
	if a.Route != 0 {
		w.Header().Set(headerRoute, strconv.Itoa(a.Route))
	}
	w.Header().Set(headerRevision, strconv.Itoa(a.Revision))
	if a.Span != 0 {
		w.Header().Set(headerSpan, strconv.Itoa(a.Span))
		w.Header().Set(headerInstance, a.Instance)
	}
	w.WriteHeader(a.Status)
	w.Write(a.Body)
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
