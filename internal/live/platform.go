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
	"github.com/syncsim/syncsim/internal/trace"
	"github.com/syncsim/syncsim/internal/world"
)

// minDebounce is the least real time the live mesh waits before fetching.
const minDebounce = 25 * time.Millisecond

// meshMaxWait is the live mesh's max-wait in real time: MESH-6's 1 s scaled, but never under four
// debounce floors, so that a burst can still be coalesced at small time scales.
func (r *run) meshMaxWait() time.Duration { return max(r.scaled(mesh.DefaultMaxWait), 4*minDebounce) }

// unscaled turns a real duration back into scenario time, as the trace counts it.
func (r *run) unscaled(d time.Duration) time.Duration { return time.Duration(float64(d) / r.scale) }

// platform is the reference mesh and front end as HTTP servers, over one platform store.
type platform struct {
	r     *run
	store *mesh.Store
	fe    *mesh.FrontEnd
	feSrv *server
	mesh  *server

	mu      sync.Mutex
	m       *mesh.Mesh
	timers  map[string]*time.Timer
	fetches int
}

func newPlatform(r *run) (*platform, error) {
	p := &platform{r: r, store: mesh.NewStore(), timers: map[string]*time.Timer{}}
	p.fe = &mesh.FrontEnd{Site: r.sc.Site, Store: p.store}
	p.m = mesh.New(mesh.Config{Site: r.sc.Site, Store: p.store, Rand: r.streams.Stream("mesh"),
		// The debounce keeps a real-time floor: storage answers in milliseconds whatever the scale, and
		// a mesh that fetched before the host's hash write lands would tell a different story.
		Debounce: max(r.scaled(r.sc.Mesh.Debounce), minDebounce), MaxWait: r.meshMaxWait(),
		RetryBudget: r.scaled(r.sc.Mesh.RetryBudget),
		BackoffMin:  r.scaled(mesh.DefaultBackoffMin), BackoffMax: r.scaled(mesh.DefaultBackoffMax),
		FetchTimeout: r.scaled(mesh.DefaultFetchTimeout)})
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
	if p.r.faults.atFrontEnd(w) {
		return
	}
	mr := request(req)
	sender := "instance/" + req.Header.Get("x-syncsim-from")
	p.mu.Lock()
	now := time.Now()
	resp, out := p.fe.SetTriggers(now, mr)
	p.mu.Unlock()
	tk, tf := world.TokenCheckRecord("frontend", p.r.sc.Site.Name, sender, p.r.sc.Site.EncryptionKey, mr.Headers, now,
		resp.Status != 401 && resp.Status != 403, "")
	p.r.rec.add(partyFrontEnd, tk, tf...)
	kind, fields := world.FrontEndRecord(resp.Status, out, sender)
	p.r.rec.add(partyFrontEnd, kind, fields...)
	w.WriteHeader(resp.Status)
	w.Write(resp.Body)
}

// serveMesh is POST {MESH_INIT_URI} (MSG-2).
func (p *platform) serveMesh(w http.ResponseWriter, req *http.Request) {
	if p.r.faults.atMesh(w) {
		return
	}
	mr := request(req)
	p.mu.Lock()
	resp, effects := p.m.Notify(time.Now(), mr)
	p.perform(effects)
	p.mu.Unlock()
	w.WriteHeader(resp.Status)
	w.Write(resp.Body)
}

// perform carries out the mesh's effects; p.mu is held.
func (p *platform) perform(effects []mesh.Effect) {
	rec := p.r.rec
	for _, e := range effects {
		if kind, fields, ok := world.MeshRecord(e); ok {
			rec.add(partyMesh, kind, fields...)
			continue
		}
		switch e := e.(type) {
		case mesh.SetTimer:
			if t, ok := p.timers[e.Key]; ok {
				t.Stop()
			}
			key := e.Key
			p.timers[key] = time.AfterFunc(e.After, func() {
				if p.r.isClosed() {
					return
				}
				p.mu.Lock()
				defer p.mu.Unlock()
				delete(p.timers, key)
				p.perform(p.m.Timer(time.Now(), key))
			})
		case mesh.Fetch:
			p.fetch(e)
		}
	}
}

// fetch is MSG-3 through the site router.
func (p *platform) fetch(f mesh.Fetch) {
	p.r.rec.add(partyMesh, "mesh.fetch", trace.F("fetch", f.ID), trace.F("attempt", f.Attempt), trace.F("cover", f.Cover),
		trace.F("token", trace.SecretDigest([]byte(f.Headers["x-ms-site-token"]))))
	url := p.r.router.srv.url + host.PathTriggers
	p.r.goroutine(func() {
		status, body, revision := p.r.get(url, f.Headers, f.Timeout)
		p.mu.Lock()
		defer p.mu.Unlock()
		p.r.rec.add(partyMesh, "mesh.fetch.done", trace.F("fetch", f.ID), trace.F("status", status))
		p.perform(p.m.FetchDone(time.Now(), f.ID, status, body, revision))
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
