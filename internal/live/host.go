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
	"github.com/syncsim/syncsim/internal/drive"
	"github.com/syncsim/syncsim/internal/trace"
)

// liveHost is one instance: a host machine behind its own HTTP server (the admin API).
type liveHost struct {
	r     *run
	name  string
	index int
	party string
	srv   *server

	mu sync.Mutex
	m  *host.Machine
	// d interprets the machine's effects (internal/drive); h.mu is held around every call into it.
	d     *drive.Host
	alive bool
	ready bool
	// draining: the timeline drains the instance (a delete or restart with a drain); the router no
	// longer picks it, and a host that has not started yet never starts.
	draining bool
	dead     chan struct{}
	timers   *timerSet
	waits    map[int]chan answer
	nextReq  int
	// placeholderFor: a pod from the placeholder pool runs the placeholder that long at its first
	// start (startLoad).
	placeholderFor time.Duration
	// skew is the instance's clock offset under an injected clock-skew fault.
	skew time.Duration
	// hashWrites are the host's hash blob writes not yet at storage, which a MSG-3 answer waits for.
	hashWrites hashWrites
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
	// headerPin names the instance a pinned client call asks the site router for.
	headerPin = "x-syncsim-pin"
)

// startInstance creates an instance with a new name; its host runs after the scenario's startup time.
// A start past the scenario's limits.instance_starts is refused and recorded (drive.AdmitStart), and
// gives nil, nil; a start after the run ended gives errClosed.
func (r *run) startInstance(reason string) (*liveHost, error) {
	// The index is taken under r.mu, so that starts on several goroutines (the timeline's, a
	// restart-instance fault's) never share one.
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil, errClosed
	}
	index := r.started
	admitted := drive.AdmitStart(r.sc, index, reason, r.rec.put)
	if admitted {
		r.started++
	}
	r.mu.Unlock()
	if !admitted {
		return nil, nil
	}
	name := "pod-" + strconv.FormatInt(int64(0xa000+index*0x101), 16)
	h := &liveHost{r: r, name: name, index: index, party: trace.InstanceParty(name), alive: true, dead: make(chan struct{}),
		waits: map[int]chan answer{}, nextReq: 1 << 20}
	h.timers = newTimerSet(&h.mu, r)
	srv, err := listen(http.HandlerFunc(h.serveHTTP))
	if err != nil {
		return nil, err
	}
	h.srv = srv
	// The scenario's part of the host's config is drive.HostConfig's, as the simulator's is; the
	// addresses are the live servers' and every timer runs scaled.
	cfg := drive.HostConfig(r.sc, r.mode, name, r.streams)
	cfg.FrontEndURL, cfg.MeshURL = r.platform.feSrv.url, r.platform.mesh.url+"/"
	cfg.Secrets, cfg.SecretsError = r.secretsNow, func() string { return r.faults.SecretsError(index, name) }
	// The lease lasts its scaled duration too: the storage adapter enforces it against a service
	// that takes no lease under 15 s (storage.go).
	cfg.BackgroundDelay, cfg.LeaseDuration = r.scaled(host.DefaultBackgroundDelay), r.scaled(host.DefaultLeaseDuration)
	cfg.LeaseRenew, cfg.LeaseRetry, cfg.AdminWait = r.scaled(host.DefaultLeaseRenew), r.scaled(host.DefaultLeaseRetry), r.scaled(host.DefaultAdminWait)
	cfg.FrontEndTimeout, cfg.MeshTimeout = r.scaled(host.DefaultFrontEndTimeout), r.scaled(host.DefaultMeshTimeout)
	created := r.faults.AtCreate(h.party, index)
	h.skew, cfg.UnstablePayload = created.Skew, created.UnstablePayload
	h.m = host.NewMachine(cfg)
	h.d = drive.NewHost(h.m, h.party, r.sc.Site, hostEnv{h})
	r.mu.Lock()
	if r.closed {
		// shutdown took its list of hosts already: this one is stopped here.
		r.mu.Unlock()
		srv.close()
		return nil, errClosed
	}
	r.hosts = append(r.hosts, h)
	r.mu.Unlock()
	r.rec.put(h.party, trace.InstanceCreate(reason, index, srv.url))
	r.after(r.sc.Instances.Startup, func() { h.hostStart() })
	return h, nil
}

func (h *liveHost) hostStart() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.alive || h.draining {
		return
	}
	h.ready = true
	l := h.startLoad(h.r.loaded())
	h.r.rec.put(h.party, trace.HostStart(l.Revision, len(l.Functions), l.Placeholder))
	h.d.Start(l)
}

// restartHost restarts the host in place (a deploy).
func (h *liveHost) restartHost() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.alive || !h.m.Running() {
		return
	}
	h.r.rec.put(h.party, trace.HostStop("deploy"))
	h.d.Stop()
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
	h.timers.stopAll()
	h.srv.close()
	if reason != "" {
		h.r.rec.put(h.party, trace.InstanceDelete(reason, injected))
	}
}

// hostEnv is the live runtime's drive.HostEnv for one instance: real timers, HTTP requests and
// Azure Storage calls on their own goroutines, whose answers go back to the machine under h.mu.
// Every method runs with h.mu held (drive.Host calls them from inside a step).
type hostEnv struct{ h *liveHost }

var _ drive.HostEnv = hostEnv{}

func (e hostEnv) Now() time.Time                      { return time.Now() }
func (e hostEnv) HostNow() time.Time                  { return time.Now().Add(e.h.skew) }
func (e hostEnv) Alive() bool                         { return e.h.alive }
func (e hostEnv) Record(party string, ev trace.Event) { e.h.r.rec.put(party, ev) }
func (e hostEnv) Point(p host.Point)                  { e.h.r.faults.atPoint(e.h, p) }

// SetTimer arms the machine's timer key. The machine's timers are already scaled (its Config), so
// they run on the real clock as given.
func (e hostEnv) SetTimer(key string, after time.Duration) {
	h := e.h
	h.timers.set(key, after, func() {
		if !h.alive || h.r.isClosed() {
			return
		}
		h.d.Timer(key)
	})
}

func (e hostEnv) CancelTimer(key string) { e.h.timers.cancel(key) }

func (e hostEnv) Respond(r host.Respond) {
	if ch, ok := e.h.waits[r.ReqID]; ok {
		delete(e.h.waits, r.ReqID)
		ch <- answer{resp: r.Response, revision: r.Revision, span: r.Span}
	}
}

// Send makes a MSG-1 or MSG-2 request and hands its answer back to the machine.
func (e hostEnv) Send(s host.Send) {
	h := e.h
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
		h.d.HTTPDone(s.ID, host.HTTPResult{Status: status, Err: errText})
	})
}

// Blob performs a storage call in Azure Storage (Azurite) and hands the result back to the machine.
func (e hostEnv) Blob(c host.BlobCall) {
	h := e.h
	var reached chan struct{}
	if c.Op == host.BlobUpload && c.Blob == host.HashBlobName(h.r.sc.Site.HostID) {
		reached = h.hashWrites.start()
	}
	h.r.goroutine(func() {
		res, faulted, delay := h.r.faults.storage(c)
		h.r.rec.put(trace.PartyStorage, drive.StorageEvent(h.r.sc.Site.HostID, c, res, faulted))
		if reached != nil {
			close(reached)
		}
		time.Sleep(delay)
		h.mu.Lock()
		defer h.mu.Unlock()
		if reached != nil {
			h.hashWrites.drop(reached)
		}
		if !h.alive {
			return
		}
		h.d.BlobDone(c.ID, res)
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
	if strings.HasPrefix(req.URL.Path, "/admin/host/keys/") {
		h.d.PutKey(id)
	} else {
		h.d.Admin(id, areq, req.Header.Get(headerTokenFault))
	}
	dead := h.dead
	h.mu.Unlock()
	select {
	case a := <-ch:
		if req.URL.Path == host.PathTriggers {
			// The step that answered may still be sending its hash write (platform-ack): the
			// lock is free once it is done.
			h.mu.Lock()
			sent := h.hashWrites.sent()
			h.mu.Unlock()
			wait(sent, dead)
		}
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
	if !r.track() {
		return
	}
	go func() {
		defer r.wg.Done()
		fn()
	}()
}
