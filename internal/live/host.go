package live

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syncsim/syncsim/fakes/mesh"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/drive"
)

// endpoint is one instance's HTTP server (the admin API and the key API), in front of its member
// of the run's fleet. Its fields are guarded by r.fleetMu.
type endpoint struct {
	r   *run
	m   *drive.Member
	srv *server
	// dead is closed when the instance is deleted: requests waiting for its host's answer are cut.
	dead   chan struct{}
	closed bool
	// waits are the requests waiting for the host's answer, by request id (the router's route).
	waits   map[int]chan host.Respond
	nextReq int
}

// Header names the live runtime adds so that traces link requests and answers as the simulator's do.
const (
	headerRoute    = "x-syncsim-route"
	headerSpan     = "x-syncsim-span"
	headerInstance = "x-syncsim-instance"
	headerRevision = mesh.RevisionHeader
	// headerPin names the instance a pinned client call asks the site router for.
	headerPin = "x-syncsim-pin"
)

// close stops the endpoint at once: its server refuses connections and cuts open ones, and the
// requests waiting for an answer are cut, as a deleted instance's would be. r.fleetMu is held.
func (ep *endpoint) close() {
	if ep.closed {
		return
	}
	ep.closed = true
	close(ep.dead)
	ep.srv.close()
}

// serveHTTP is the admin API (MSG-3, MSG-4) and the key API of one instance.
func (ep *endpoint) serveHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	if err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	headers := map[string]string{}
	for k, v := range req.Header {
		headers[k] = strings.Join(v, ",")
	}
	areq := host.AdminRequest{Method: req.Method, Path: req.URL.Path, Headers: headers, Body: body}
	ch := make(chan host.Respond, 1)
	ep.r.fleetMu.Lock()
	if ep.closed {
		ep.r.fleetMu.Unlock()
		panic(http.ErrAbortHandler)
	}
	id, _ := strconv.Atoi(req.Header.Get(headerRoute))
	if id == 0 {
		// A request that did not come through the site router gets an id no route has.
		ep.nextReq++
		id = 1<<20 + ep.nextReq
	}
	ep.waits[id] = ch
	ep.m.Request(id, kindOf(req), areq, req.Header.Get(headerTokenFault))
	dead := ep.dead
	ep.r.fleetMu.Unlock()
	select {
	case a := <-ch:
		for k, v := range a.Response.Headers {
			w.Header().Set(k, v)
		}
		w.Header().Set(headerRevision, strconv.Itoa(a.Revision))
		if a.Span != 0 {
			w.Header().Set(headerSpan, strconv.Itoa(a.Span))
			w.Header().Set(headerInstance, ep.m.Name())
		}
		w.WriteHeader(a.Response.Status)
		w.Write(a.Response.Body)
	case <-dead:
		panic(http.ErrAbortHandler)
	}
}

// post makes an HTTP request with a scenario-time timeout; status 0 and a text on failure.
func (r *run) post(url, method string, headers map[string]string, body []byte, revision int, timeout time.Duration) (int, string) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return 0, err.Error()
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	req.Header.Set(headerRevision, strconv.Itoa(revision))
	resp, err := httpClient.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return 0, "timeout after " + timeout.String()
		}
		return 0, "connection failed"
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, ""
}

// goroutine runs fn as part of the run (shutdown waits for it).
func (r *run) goroutine(fn func()) {
	if !r.track() {
		return
	}
	go func() {
		defer r.wg.Done()
		fn()
	}()
}
