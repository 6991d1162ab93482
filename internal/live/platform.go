package live

import (
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

// minDebounce is the least real time the live mesh waits before fetching.
const minDebounce = 25 * time.Millisecond

// timerLateness is how late, in real time, a live timer may fire and its step start: the Go
// runtime's timer and goroutine scheduling and the wait for the mesh's lock, measured at about 1 ms
// on a loaded two-core machine. At the default scale that is 100 ms of scenario time, twice the
// 50 ms the checkers allow the simulator's kernel for events due at the same moment, so the
// max-wait a live run reports (run.start's mesh_max_wait, which P16 and P22 judge the live mesh by)
// counts it: a fetch that a real timer started a millisecond late is the mesh keeping MESH-6's
// max-wait, not breaking it.
const timerLateness = 5 * time.Millisecond

// meshMaxWait is the live mesh's max-wait in real time: MESH-6's 1 s scaled, but never under four
// debounce floors, so that a burst can still be coalesced at small time scales.
func (r *run) meshMaxWait() time.Duration { return max(r.scaled(mesh.DefaultMaxWait), 4*minDebounce) }

// unscaled turns a real duration back into scenario time, as the trace counts it.
func (r *run) unscaled(d time.Duration) time.Duration { return time.Duration(float64(d) / r.scale) }

// platform is the reference mesh and front end as HTTP servers, over one platform store.
type platform struct {
	r     *run
	store *mesh.Store
	feSrv *server
	mesh  *server

	// mu serializes the front end and the mesh machine; fe and m interpret them (internal/drive).
	mu     sync.Mutex
	fe     *drive.FrontEnd
	m      *drive.Mesh
	timers *timerSet
}

func newPlatform(r *run) (*platform, error) {
	p := &platform{r: r, store: mesh.NewStore()}
	p.timers = newTimerSet(&p.mu, r)
	p.fe = drive.NewFrontEnd(&mesh.FrontEnd{Site: r.sc.Site, Store: p.store}, r.sc.Site, frontEndEnv{p})
	p.m = drive.NewMesh(mesh.New(mesh.Config{Site: r.sc.Site, Store: p.store, Rand: r.streams.Stream("mesh"),
		// The debounce keeps a real-time floor: storage answers in milliseconds whatever the scale, and
		// a mesh that fetched before the host's hash write lands would tell a different story.
		Debounce: max(r.scaled(r.sc.Mesh.Debounce), minDebounce), MaxWait: r.meshMaxWait(),
		RetryBudget: r.scaled(r.sc.Mesh.RetryBudget),
		BackoffMin:  r.scaled(mesh.DefaultBackoffMin), BackoffMax: r.scaled(mesh.DefaultBackoffMax),
		FetchTimeout: r.scaled(mesh.DefaultFetchTimeout)}), meshEnv{p})
	var err error
	if p.feSrv, err = listen(http.HandlerFunc(p.serveFrontEnd)); err != nil {
		return nil, err
	}
	r.addServer(p.feSrv)
	if p.mesh, err = listen(http.HandlerFunc(p.serveMesh)); err != nil {
		return nil, err
	}
	r.addServer(p.mesh)
	return p, nil
}

func request(req *http.Request) mesh.Request {
	body, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	headers := map[string]string{}
	for k, v := range req.Header {
		headers[k] = strings.Join(v, ",")
	}
	return mesh.Request{Method: req.Method, Path: req.URL.Path, Headers: headers, Body: body}
}

// serveFrontEnd is POST /operations/settriggers (MSG-1).
func (p *platform) serveFrontEnd(w http.ResponseWriter, req *http.Request) {
	if p.r.faults.atFrontEnd(w, req) {
		return
	}
	mr := request(req)
	sender := trace.InstanceParty(req.Header.Get("x-syncsim-from"))
	var fault string
	mr.Headers, fault = p.r.faults.BadToken(p.r.sc.Site, "frontend", sender, time.Now(), mr.Headers)
	p.mu.Lock()
	resp := p.fe.SetTriggers(mr, sender, fault, nil)
	p.mu.Unlock()
	w.WriteHeader(resp.Status)
	w.Write(resp.Body)
}

// serveMesh is POST {MESH_INIT_URI} (MSG-2).
func (p *platform) serveMesh(w http.ResponseWriter, req *http.Request) {
	if p.r.faults.atMesh(w, req) {
		return
	}
	mr := request(req)
	p.mu.Lock()
	resp := p.m.Notify(mr)
	p.mu.Unlock()
	w.WriteHeader(resp.Status)
	w.Write(resp.Body)
}

// frontEndEnv is the live runtime's drive.FrontEndEnv: the real clock and the run's recorder.
type frontEndEnv struct{ p *platform }

func (e frontEndEnv) Now() time.Time                      { return time.Now() }
func (e frontEndEnv) Record(party string, ev trace.Event) { e.p.r.rec.put(party, ev) }

// Stored: a live run reads the platform store through its records only (no store.snapshot).
func (e frontEndEnv) Stored() {}

// meshEnv is the live runtime's drive.MeshEnv: real timers, and MSG-3 through the site router on
// goroutines whose answers go back to the machine under p.mu. Every method runs with p.mu held.
type meshEnv struct{ p *platform }

var (
	_ drive.FrontEndEnv = frontEndEnv{}
	_ drive.MeshEnv     = meshEnv{}
)

func (e meshEnv) MeshNow() time.Time                  { return time.Now().Add(e.p.r.faults.meshSkew) }
func (e meshEnv) Record(party string, ev trace.Event) { e.p.r.rec.put(party, ev) }
func (e meshEnv) FetchHeaders(f mesh.Fetch) map[string]string {
	return e.p.r.faults.FetchHeaders(e.p.r.sc.Site, f.ID, e.MeshNow(), f.Headers)
}
func (e meshEnv) Observe(mesh.Effect) {}

func (e meshEnv) SetTimer(key string, after time.Duration) {
	p := e.p
	p.timers.set(key, after, func() {
		if p.r.isClosed() {
			return
		}
		p.m.Timer(key)
	})
}

// Fetch is MSG-3 through the site router.
func (e meshEnv) Fetch(f mesh.Fetch) {
	p := e.p
	url := p.r.router.srv.url + host.PathTriggers
	p.r.goroutine(func() {
		status, body, revision := p.r.get(url, f.Headers, f.Timeout)
		p.mu.Lock()
		defer p.mu.Unlock()
		p.m.FetchDone(f.ID, status, body, revision)
	})
}

// get is a GET with a timeout: status (0 when there was no answer), body and the revision header.
func (r *run) get(url string, headers map[string]string, timeout time.Duration) (int, []byte, int) {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		return 0, nil, 0
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	c := &http.Client{Transport: httpClient.Transport, Timeout: timeout}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, 0
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	rev, _ := strconv.Atoi(resp.Header.Get(headerRevision))
	return resp.StatusCode, body, rev
}
