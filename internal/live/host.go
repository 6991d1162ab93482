package live

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/syncsim/syncsim/fakes/mesh"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/trace"
	"github.com/syncsim/syncsim/internal/world"
)

// liveHost is one instance: a host machine behind its own HTTP server (the admin API).
type liveHost struct {
	r     *run
	name  string
	index int
	party string
	srv   *server

	mu      sync.Mutex
	m       *host.Machine
	alive   bool
	ready   bool
	dead    chan struct{}
	timers  map[string]*time.Timer
	waits   map[int]chan answer
	spans   map[int]int
	nextReq int
}

// answer is a host's answer to an admin request.
type answer struct {
	resp     host.AdminResponse
	revision int
	span     int
}

// Header names the live runtime adds so that traces link requests and answers as the simulator's do.
const (
	headerRoute    = "x-syncsim-route"
	headerSpan     = "x-syncsim-span"
	headerInstance = "x-syncsim-instance"
	headerRevision = mesh.RevisionHeader
)

// startInstance creates an instance with a new name; its host runs after the scenario's startup time.
func (r *run) startInstance(reason string) (*liveHost, error) {
	r.mu.Lock()
	index := len(r.hosts)
	r.mu.Unlock()
	name := "pod-" + strconv.FormatInt(int64(0xa000+index*0x101), 16)
	h := &liveHost{r: r, name: name, index: index, party: instanceParty(name), alive: true, dead: make(chan struct{}),
		timers: map[string]*time.Timer{}, waits: map[int]chan answer{}, spans: map[int]int{}, nextReq: 1 << 20}
	srv, err := listen(http.HandlerFunc(h.serveHTTP))
	if err != nil {
		return nil, err
	}
	h.srv = srv
	cfg := host.Config{
		Site: r.sc.Site, Mode: r.mode, ContainerName: name, FrontEndURL: r.platform.feSrv.url, MeshURL: r.platform.mesh.url + "/",
		Secrets: r.secretsNow, Rand: r.streams.Stream("host/" + name), PlaceholderGuard: true,
		BackgroundDelay: r.scaled(host.DefaultBackgroundDelay), LeaseDuration: host.DefaultLeaseDuration,
		LeaseRenew: r.scaled(host.DefaultLeaseRenew), AdminWait: r.scaled(host.DefaultAdminWait),
		FrontEndTimeout: r.scaled(host.DefaultFrontEndTimeout), MeshTimeout: r.scaled(host.DefaultMeshTimeout),
	}
	h.m = host.NewMachine(cfg)
	r.mu.Lock()
	r.hosts = append(r.hosts, h)
	r.mu.Unlock()
	r.rec.add(h.party, "instance.create", trace.F("reason", reason), trace.F("index", index), trace.F("url", srv.url))
	r.after(r.sc.Instances.Startup, func() { h.hostStart() })
	return h, nil
}

func (h *liveHost) hostStart() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.alive {
		return
	}
	h.ready = true
	l := h.r.loaded()
	h.r.rec.add(h.party, "host.start", trace.F("revision", l.Revision), trace.F("functions", len(l.Functions)), trace.F("placeholder", false))
	h.perform(h.m.HostStarted(time.Now(), l))
}

// restartHost restarts the host in place (a deploy).
func (h *liveHost) restartHost() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.alive || !h.m.Running() {
		return
	}
	h.r.rec.add(h.party, "host.stop", trace.F("reason", "deploy"))
	h.perform(h.m.HostStopping(time.Now()))
	h.r.after(h.r.sc.Instances.Startup, func() { h.hostStart() })
}

// kill deletes the instance: its server stops (connections refused and cut), its timers stop and its
// in-flight work is lost.
func (h *liveHost) kill() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.killLocked("", false)
}

func (h *liveHost) killLocked(reason string, injected bool) {
	if !h.alive {
		return
	}
	h.alive, h.ready = false, false
	close(h.dead)
	for _, t := range h.timers {
		t.Stop()
	}
	h.srv.close()
	if reason != "" {
		fields := []trace.Field{trace.F("reason", reason)}
		if injected {
			fields = append(fields, trace.F("injected", true))
		}
		h.r.rec.add(h.party, "instance.delete", fields...)
	}
}

// perform carries out the host's effects in order; h.mu is held.
func (h *liveHost) perform(effects []host.Effect) {
	for _, e := range effects {
		if !h.alive {
			return
		}
		switch e := e.(type) {
		case host.Point:
			kind, fields := world.HostRecord(e)
			h.r.rec.add(h.party, kind, fields...)
			if h.r.faults.atPoint(h, e) {
				return
			}
		case host.SpanEvent:
			kind, fields := world.SpanRecord(e)
			h.r.rec.add(h.party, kind, fields...)
		case host.Log, host.PrimaryChanged, host.HashWritten, host.HashRead:
			kind, fields := world.HostRecord(e)
			h.r.rec.add(h.party, kind, fields...)
		case host.SetTimer:
			h.setTimer(e)
		case host.CancelTimer:
			if t, ok := h.timers[e.Key]; ok {
				t.Stop()
				delete(h.timers, e.Key)
			}
		case host.Send:
			h.send(e)
		case host.BlobCall:
			h.blob(e)
		case host.Respond:
			if ch, ok := h.waits[e.ReqID]; ok {
				delete(h.waits, e.ReqID)
				ch <- answer{resp: e.Response, revision: e.Revision, span: e.Span}
			}
		}
	}
}

func (h *liveHost) setTimer(e host.SetTimer) {
	if t, ok := h.timers[e.Key]; ok {
		t.Stop()
	}
	key := e.Key
	// The machine's timers are already scaled (its Config), so they run on the real clock as given.
	h.timers[key] = time.AfterFunc(e.After, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if !h.alive || h.r.isClosed() {
			return
		}
		delete(h.timers, key)
		h.perform(h.m.Timer(time.Now(), key))
	})
}

// send makes a MSG-1 or MSG-2 request and hands its answer back to the machine.
func (h *liveHost) send(s host.Send) {
	h.r.rec.add(h.party, "sync.publish", world.PublishFields(s)...)
	target := partyFrontEnd
	if s.Target == host.TargetMesh {
		target = partyMesh
	}
	headers := map[string]string{"x-syncsim-from": h.name}
	for k, v := range s.Headers {
		headers[k] = v
	}
	h.r.goroutine(func() {
		status, errText := h.r.post(s.URL, s.Method, headers, s.Body, s.Revision, s.Timeout)
		h.mu.Lock()
		defer h.mu.Unlock()
		if !h.alive {
			return
		}
		fields := []trace.Field{trace.F("id", s.ID), trace.F("span", s.Span), trace.F("target", target), trace.F("status", status)}
		if errText != "" {
			fields = append(fields, trace.F("error", errText))
		}
		h.r.rec.add(h.party, "http.result", fields...)
		h.perform(h.m.HTTPDone(time.Now(), s.ID, host.HTTPResult{Status: status, Err: errText}))
	})
}

// blob performs a storage call in Azure Storage (Azurite) and hands the result back to the machine.
func (h *liveHost) blob(c host.BlobCall) {
	h.r.goroutine(func() {
		res := h.r.store.do(c)
		kind, fields := world.StorageRecord(h.r.sc.Site.HostID, c, res)
		h.r.rec.add(partyStorage, kind, fields...)
		h.mu.Lock()
		defer h.mu.Unlock()
		if !h.alive {
			return
		}
		h.perform(h.m.BlobDone(time.Now(), c.ID, res))
	})
}

// serveHTTP is the admin API (MSG-3, MSG-4) and the key API of one instance.
func (h *liveHost) serveHTTP(w http.ResponseWriter, req *http.Request) {
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
	ch := make(chan answer, 1)
	h.mu.Lock()
	if !h.alive {
		h.mu.Unlock()
		panic(http.ErrAbortHandler)
	}
	id, _ := strconv.Atoi(req.Header.Get(headerRoute))
	if id == 0 {
		h.nextReq++
		id = h.nextReq
	}
	h.waits[id] = ch
	switch {
	case strings.HasPrefix(req.URL.Path, "/admin/host/keys/"):
		h.perform(h.m.Sync(time.Now(), "keys"))
		if h.alive {
			delete(h.waits, id)
			ch <- answer{resp: host.AdminResponse{Status: 200}}
		}
	case req.URL.Path == host.PathTriggers:
		now := time.Now()
		effects := h.m.Admin(now, id, areq)
		for _, e := range effects {
			if r, ok := e.(host.Respond); ok && r.ReqID == id && r.Response.Status != 503 {
				tk, tf := world.TokenCheckRecord("msg3", h.r.sc.Site.Name, partyMesh, h.r.sc.Site.EncryptionKey, headers, now,
					r.Response.Status != 401 && r.Response.Status != 403, "")
				h.r.rec.add(h.party, tk, tf...)
			}
		}
		h.perform(effects)
	default:
		h.perform(h.m.Admin(time.Now(), id, areq))
	}
	dead := h.dead
	h.mu.Unlock()
	select {
	case a := <-ch:
		for k, v := range a.resp.Headers {
			w.Header().Set(k, v)
		}
		w.Header().Set(headerRevision, strconv.Itoa(a.revision))
		if a.span != 0 {
			w.Header().Set(headerSpan, strconv.Itoa(a.span))
			w.Header().Set(headerInstance, h.name)
		}
		w.WriteHeader(a.resp.Status)
		w.Write(a.resp.Body)
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
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.wg.Add(1)
	r.mu.Unlock()
	go func() {
		defer r.wg.Done()
		fn()
	}()
}
