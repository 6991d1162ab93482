package meshhttp

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/syncsim/syncsim/fakes/mesh"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/drive"
	"github.com/syncsim/syncsim/internal/httpbound"
	"github.com/syncsim/syncsim/internal/plant"
	"github.com/syncsim/syncsim/internal/trace"
	"github.com/syncsim/syncsim/sim"
)

// MeshConfig configures a mesh server for one site.
type MeshConfig struct {
	// Site names the site and holds the key TOK-4 tokens are signed with.
	Site host.Site
	// SiteURL is where the site's admin API answers: fetches GET SiteURL + /admin/host/triggers.
	SiteURL string
	// Timing; zero values take package mesh's defaults (RetryBudget 10 min, Debounce 250 ms,
	// MaxWait 1 s, BackoffMin 1 s, BackoffMax 1 min, FetchTimeout 30 s).
	RetryBudget, Debounce, MaxWait, BackoffMin, BackoffMax, FetchTimeout time.Duration
	// Seed seeds the retry backoff's jitter.
	Seed uint64
	// Defects are names of planted defects to plant (package internal/plant's MeshServer table).
	Defects []string
	// Log gets one line per notification, fetch and store; nil discards. Never a token or a body.
	Log io.Writer
	// DataFile, when set, is a bbolt file holding the platform store and the pending notifications,
	// committed before a notification is answered 2xx; a restart on the same file fetches for the
	// notifications left pending. Empty: in memory only.
	DataFile string
	// DataFileMaxBytes bounds DataFile's size (0: DefaultDataFileMaxBytes, 1 GiB): a larger file is
	// refused when the server starts, and a write that would grow the file past it fails.
	DataFileMaxBytes int64
	// Limits bounds the server's timeouts and connections; zero fields take httpbound's defaults.
	Limits httpbound.Limits
}

// MeshStatus is what GET /status answers, so that a test can watch the mesh.
type MeshStatus struct {
	// Accepted counts notifications answered 2xx; Rejected those answered otherwise.
	Accepted int `json:"accepted"`
	Rejected int `json:"rejected"`
	// Fetches counts MSG-3 attempts started; Stored those that completed with 200.
	Fetches int `json:"fetches"`
	Stored  int `json:"stored"`
	// LastHash and LastRevision describe the payload last stored ("" and 0 for none).
	LastHash     string `json:"last_hash"`
	LastRevision int    `json:"last_revision"`
	// Abandoned counts fetch rounds given up (retry budget, 401, or the no-retry defect).
	Abandoned int `json:"abandoned"`
	// Pending counts accepted notifications not yet delivered or abandoned; Restored those the data
	// file held as pending when this process started.
	Pending  int `json:"pending"`
	Restored int `json:"restored"`
}

// MeshServer is the reference mesh (package mesh's Mesh) over HTTP: POST / takes MSG-2, GET
// /status reports MeshStatus.
type MeshServer struct {
	base
	cfg MeshConfig
	// plant is the planted defects' interceptors (Defects, resolved in package internal/plant's
	// MeshServer table); handler is the server with plant's middleware around it.
	plant   plant.Set
	handler http.Handler
	err     error

	m *mesh.Mesh
	// d interprets the machine's effects (internal/drive); s.mu is held around every call into it.
	d      *drive.Mesh
	store  *mesh.Store
	timers map[string]*time.Timer
	status MeshStatus

	ctx       context.Context
	cancel    context.CancelFunc
	transport *http.Transport
}

// NewMesh creates a mesh server. An unknown defect makes Serve fail and every request 500.
func NewMesh(cfg MeshConfig) *MeshServer {
	s := &MeshServer{base: newBase(cfg.Log), cfg: cfg, store: mesh.NewStore(), timers: map[string]*time.Timer{},
		transport: newTransport()}
	s.plant, s.err = plant.Resolve(plant.MeshServer, cfg.Site, cfg.Defects)
	if s.err != nil {
		s.err = fmt.Errorf("meshhttp: %w", s.err)
	}
	s.handler = s.plant.Handler(http.HandlerFunc(s.serveMesh))
	s.store.Seams = s.plant.Store
	s.m = mesh.New(mesh.Config{Site: cfg.Site, Store: s.store, Rand: sim.NewStreams(cfg.Seed).Stream("mesh"),
		Debounce: cfg.Debounce, MaxWait: cfg.MaxWait, RetryBudget: cfg.RetryBudget, BackoffMin: cfg.BackoffMin,
		BackoffMax: cfg.BackoffMax, FetchTimeout: cfg.FetchTimeout,
		Seams: s.plant.Mesh, Wrapper: s.plant.MeshWrapper})
	s.d = drive.NewMesh(s.m, meshEnv{s})
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if s.err == nil {
		s.db, s.err = openDurableWith(cfg.DataFile, dataFileLockWait, cfg.DataFileMaxBytes)
	}
	if s.err == nil {
		if s.err = s.restore(); s.err != nil {
			s.db.close()
			s.db = nil
		}
	}
	return s
}

// restore reloads the data file: the store's entry, and the pending notifications, whose fetch the
// mesh owes (MESH-2 across a restart).
func (s *MeshServer) restore() error {
	e, ok, err := s.db.entry(s.cfg.Site.Name)
	if err != nil {
		return err
	}
	p, err := s.db.pending()
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if ok {
		s.writesBase = restoreEntry(s.store, s.cfg.Site.Name, e)
		s.status.LastHash, s.status.LastRevision = e.Hash, e.Revision
	}
	s.status.Restored = p.Pending()
	if p.Accepted > 0 {
		s.logf("mesh: data file holds notifications up to %d, %d pending", p.Accepted, p.Pending())
		s.d.Perform(s.m.Restore(time.Now(), p.Since, p.Accepted, min(p.Covered, p.Accepted)))
	}
	return nil
}

// Serve listens on addr ("127.0.0.1:0" picks a free port) and returns the mesh's URL (the host's
// MESH_INIT_URI is url + "/") and stop, which closes the listener, cuts connections, stops the
// timers and fetches and waits for the server's goroutines.
func (s *MeshServer) Serve(addr string) (string, func() error, error) {
	if s.err != nil {
		return "", nil, s.err
	}
	if _, err := url.Parse(s.cfg.SiteURL); err != nil || s.cfg.SiteURL == "" {
		s.Close() // releases the data file and the restored timers
		return "", nil, errSiteURL
	}
	u, stop, err := serve(addr, s, s.cfg.Limits, s.beginClose, s.finish)
	if err != nil {
		s.Close()
	}
	return u, stop, err
}

var errSiteURL = &configError{"meshhttp: the mesh needs the site's URL (SiteURL)"}

type configError struct{ text string }

func (e *configError) Error() string { return e.text }

// Close stops the timers and fetches and waits for them; for a MeshServer used as a plain Handler.
func (s *MeshServer) Close() error {
	s.beginClose()
	s.finish()
	return nil
}

func (s *MeshServer) beginClose() {
	s.markClosed(func() {
		for k, t := range s.timers {
			if t.Stop() {
				s.wg.Done()
			}
			delete(s.timers, k)
		}
	})
	s.cancel()
}

func (s *MeshServer) finish() {
	s.wg.Wait()
	s.transport.CloseIdleConnections()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.db.close(); err != nil {
		s.logf("mesh: closing the data file: %v", err)
	}
	s.db = nil
}

// Status returns what GET /status answers.
func (s *MeshServer) Status() MeshStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.status
	st.Pending = s.m.AcceptedCount() - s.m.CoveredCount()
	return st
}

// Stored returns the platform store's entry for the site.
func (s *MeshServer) Stored() (mesh.Entry, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.store.Get(s.cfg.Site.Name)
}

// ServeHTTP routes POST / (MSG-2) and GET /status, through the planted defects' middleware.
func (s *MeshServer) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// serveMesh is the reference mesh's routing.
func (s *MeshServer) serveMesh(w http.ResponseWriter, r *http.Request) {
	if s.err != nil {
		http.Error(w, s.err.Error(), http.StatusInternalServerError)
		return
	}
	if !s.enter() {
		http.Error(w, "mesh stopping", http.StatusServiceUnavailable)
		return
	}
	defer s.wg.Done()
	switch r.URL.Path {
	case "/status":
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", "GET")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(s.Status())
	case "/":
		s.serveNotify(w, r)
	default:
		http.NotFound(w, r)
	}
}

// serveNotify is MSG-2 (MESH-1, MESH-7, MESH-9 in mesh.Mesh.Notify).
func (s *MeshServer) serveNotify(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		s.count(false)
		return
	}
	req := mesh.Request{Method: r.Method, Path: r.URL.Path, Headers: headersOf(r.Header), Body: body}
	resp, n, at := s.notify(req)
	if n > 0 {
		// Durability: the notification is on disk before it is acknowledged.
		if err := s.db.accepted(n, at); err != nil {
			s.logf("mesh: notification %d not committed: %v", n, err)
			resp = mesh.Response{Status: http.StatusServiceUnavailable, Body: []byte("cannot commit the notification")}
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(resp.Status)
	w.Write(resp.Body)
}

func (s *MeshServer) count(accepted bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if accepted {
		s.status.Accepted++
	} else {
		s.status.Rejected++
	}
}

// notify runs the machine; n is the number of the notification accepted (0: none to commit), at when.
func (s *MeshServer) notify(req mesh.Request) (resp mesh.Response, n int, at time.Time) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return mesh.Response{Status: 503}, 0, time.Time{}
	}
	resp, effects := s.m.Notify(now, req)
	if resp.Status/100 != 2 {
		s.status.Rejected++
	}
	s.d.Perform(effects)
	if resp.Status/100 == 2 {
		n = s.m.AcceptedCount()
	}
	return resp, n, now
}

// meshEnv is the mesh server's drive.MeshEnv: real timers and fetches, with the planted defects,
// and the status, the log and the data file in place of a trace (the server keeps no trace). Every
// method runs with s.mu held.
type meshEnv struct{ s *MeshServer }

var _ drive.MeshEnv = meshEnv{}

func (e meshEnv) MeshNow() time.Time         { return time.Now() }
func (e meshEnv) Record(string, trace.Event) {}

func (e meshEnv) SetTimer(key string, after time.Duration) {
	e.s.setTimer(key, after)
}

// FetchHeaders are the fetch's own headers: the server injects no fault.
func (e meshEnv) FetchHeaders(f mesh.Fetch) map[string]string { return f.Headers }

func (e meshEnv) Fetch(f mesh.Fetch) { e.s.fetch(f) }

// Observe counts, logs and persists what the mesh reports.
func (e meshEnv) Observe(eff mesh.Effect) {
	s := e.s
	switch eff := eff.(type) {
	case mesh.Accepted:
		s.status.Accepted++
		s.logf("mesh: notification %d accepted (instance %q)", eff.Notification, eff.Instance)
	case mesh.Log:
		s.logf("mesh: %s: %s", eff.Level, eff.Text)
	case mesh.Stored:
		s.status.Stored++
		stored := toStored(eff.Entry, s.writesBase+eff.Entry.Writes)
		s.persistDelivered(&stored, eff.Cover)
		s.status.LastHash, s.status.LastRevision = eff.Entry.Hash, eff.Entry.Revision
		s.logf("mesh: stored payload hash=%s revision=%d (notifications up to %d)", eff.Entry.Hash, eff.Entry.Revision, eff.Cover)
	case mesh.Abandoned:
		s.status.Abandoned++
		s.persistDelivered(nil, eff.Cover)
		s.logf("mesh: abandoned notifications up to %d after %d attempts (%s)", eff.Cover, eff.Attempts, eff.Reason)
	}
}

// persistDelivered commits a finished fetch round; s.mu is held. A failure is logged: the worst it
// costs is a fetch again after a restart.
func (s *MeshServer) persistDelivered(entry *storedEntry, cover int) {
	if err := s.db.delivered(s.cfg.Site.Name, entry, cover); err != nil {
		s.logf("mesh: recording the fetch round up to %d: %v", cover, err)
	}
}

func (s *MeshServer) setTimer(key string, after time.Duration) {
	if s.closed {
		return
	}
	if old, ok := s.timers[key]; ok && old.Stop() {
		s.wg.Done()
	}
	s.wg.Add(1)
	var t *time.Timer
	t = time.AfterFunc(after, func() {
		defer s.wg.Done()
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.closed || s.timers[key] != t {
			return // stopped, or replaced after it fired
		}
		delete(s.timers, key)
		s.d.Timer(key)
	})
	s.timers[key] = t
}

// fetch is MSG-3: GET {SiteURL}/admin/host/triggers with the machine's TOK-4 token (MESH-3).
func (s *MeshServer) fetch(f mesh.Fetch) {
	s.status.Fetches++
	headers := f.Headers
	target := strings.TrimRight(s.cfg.SiteURL, "/") + host.PathTriggers
	s.logf("mesh: fetch %d attempt %d GET %s", f.ID, f.Attempt, target)
	s.spawnLocked(func() {
		status, body, revision := s.get(target, headers, f.Timeout)
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.closed {
			return
		}
		s.logf("mesh: fetch %d answered %d", f.ID, status)
		s.d.FetchDone(f.ID, status, body, revision)
	})
}

// get is a GET with a timeout: status (0 without an answer), body and the revision header.
func (s *MeshServer) get(target string, headers map[string]string, timeout time.Duration) (int, []byte, int) {
	ctx, cancel := context.WithTimeout(s.ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return 0, nil, 0
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := (&http.Client{Transport: s.transport}).Do(req)
	if err != nil {
		return 0, nil, 0
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return 0, nil, 0
	}
	rev, _ := strconv.Atoi(resp.Header.Get(mesh.RevisionHeader))
	return resp.StatusCode, body, rev
}
