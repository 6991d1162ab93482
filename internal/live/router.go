package live

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/drive"
	"github.com/syncsim/syncsim/internal/trace"
)

// router is the site router's HTTP server: every request becomes a call of the run's drive.Router
// (PROTOCOL.md section 1), which picks the instance, records the route and answers; the fleet's
// transport proxies a forwarded request to its instance (fleetEnv.Forward).
type router struct {
	r    *run
	srv  *server
	core *drive.Router
}

func newRouter(r *run) (*router, error) {
	rt := &router{r: r, core: drive.NewRouter(r.fleet)}
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
	body, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	headers := map[string]string{}
	for k, v := range req.Header {
		headers[k] = strings.Join(v, ",")
	}
	from := trace.PartyClient
	if kind == trace.MsgMSG3 {
		from = trace.PartyMesh
	}
	call, _ := strconv.Atoi(req.Header.Get("x-syncsim-call"))
	answers := make(chan drive.Answer, 1)
	c := drive.Call{Kind: kind, From: from, ID: call, Pin: req.Header.Get(headerPin),
		Req:   host.AdminRequest{Method: req.Method, Path: req.URL.Path, Headers: headers, Body: body},
		Reply: func(a drive.Answer) { answers <- a }}
	rt.r.fleetMu.Lock()
	rt.core.Receive(c)
	rt.r.fleetMu.Unlock()
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

// forwarded is an instance's answer to a request the router forwarded.
type forwarded struct {
	status, revision, span int
	body                   []byte
	headers                map[string]string
}

// forward makes the router's request to an instance: route id's request req at url, with the
// firing key of the token-invalid fault that replaced its token. An error means the instance
// refused or cut the connection (it was deleted), or did not answer in time.
func (r *run) forward(url string, req host.AdminRequest, id int, tokenFault string) (forwarded, error) {
	ctx, cancel := context.WithTimeout(context.Background(), r.scaled(2*time.Minute))
	defer cancel()
	out, err := http.NewRequestWithContext(ctx, req.Method, url, bytes.NewReader(req.Body))
	if err != nil {
		return forwarded{}, err
	}
	for k, v := range req.Headers {
		out.Header.Set(k, v)
	}
	if tokenFault != "" {
		out.Header.Set(headerTokenFault, tokenFault)
	}
	out.Header.Set(headerRoute, strconv.Itoa(id))
	resp, err := httpClient.Do(out)
	if err != nil {
		return forwarded{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return forwarded{}, err
	}
	f := forwarded{status: resp.StatusCode, body: body, headers: map[string]string{}}
	for k, v := range resp.Header {
		f.headers[k] = strings.Join(v, ",")
	}
	f.revision, _ = strconv.Atoi(resp.Header.Get(headerRevision))
	f.span, _ = strconv.Atoi(resp.Header.Get(headerSpan))
	return f, nil
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
