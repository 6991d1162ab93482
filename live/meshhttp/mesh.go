package meshhttp

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/syncsim/syncsim/fakes/mesh"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/httpbound"
	"github.com/syncsim/syncsim/internal/random"
	"github.com/syncsim/syncsim/live/realtime"
	"github.com/syncsim/syncsim/plant"
	"github.com/syncsim/syncsim/site"
	"github.com/syncsim/syncsim/trace"
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
	// Defects are names of planted defects to plant (package plant's MeshServer table).
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
	// Abandoned counts fetch rounds given up (retry budget, 401).
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
	// plant is the planted defects' interceptors (Defects, resolved in package plant's
	// MeshServer table); handler is the server with plant's middleware around it.
	plant   plant.Set
	handler http.Handler
	err     error

	// m is the machine the platform's interpreter drives (its lock is held around every call).
	m      *mesh.Mesh
	status MeshStatus

	client    *http.Client
	transport *http.Transport
}

// NewMesh creates a mesh server. An unknown defect makes Serve fail and every request 500.
func NewMesh(cfg MeshConfig) *MeshServer {
	transport := realtime.NewTransport()
	s := &MeshServer{base: newBase(cfg.Log, cfg.Site.Name, "mesh"), cfg: cfg,
		client: &http.Client{Transport: transport}, transport: transport}
	s.plant, s.err = plant.Resolve(plant.MeshServer, cfg.Site, cfg.Defects)
	if s.err != nil {
		s.err = fmt.Errorf("meshhttp: %w", s.err)
	}
	s.handler = s.plant.Handler(http.HandlerFunc(s.serveMesh))
	s.Store().Seams = s.plant.Store
	s.m = mesh.New(mesh.Config{Site: cfg.Site, Store: s.Store(), Rand: random.NewStreams(cfg.Seed).Stream("mesh"),
		Debounce: cfg.Debounce, MaxWait: cfg.MaxWait, RetryBudget: cfg.RetryBudget, BackoffMin: cfg.BackoffMin,
		BackoffMax: cfg.BackoffMax, FetchTimeout: cfg.FetchTimeout,
		Seams: s.plant.Mesh, Wrapper: s.plant.MeshWrapper})
	s.DriveMesh(s.m, meshEnv{s})
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
	s.Lock()
	defer s.Unlock()
	if ok {
		s.writesBase = restoreEntry(s.Store(), s.cfg.Site.Name, e)
		s.status.LastHash, s.status.LastRevision = e.Hash, e.Revision
	}
	s.status.Restored = p.Pending()
	if p.Accepted > 0 {
		s.logf("mesh: data file holds notifications up to %d, %d pending", p.Accepted, p.Pending())
		s.Mesh().Perform(s.m.Restore(time.Now(), p.Since, p.Accepted, min(p.Covered, p.Accepted)))
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

// beginClose refuses new work, stops the timers and cancels the fetches under way.
func (s *MeshServer) beginClose() { s.Shut(nil) }

// finish waits for the server's goroutines, closes the data file and the fetches' idle connections.
func (s *MeshServer) finish() {
	s.base.finish()
	s.transport.CloseIdleConnections()
}

// Status returns what GET /status answers.
func (s *MeshServer) Status() MeshStatus {
	s.Lock()
	defer s.Unlock()
	st := s.status
	st.Pending = s.m.AcceptedCount() - s.m.CoveredCount()
	return st
}

// ServeHTTP routes POST / (MSG-2) and GET /status, through the planted defects' middleware.
func (s *MeshServer) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// serveMesh is the reference mesh's routing.
func (s *MeshServer) serveMesh(w http.ResponseWriter, r *http.Request) {
	s.handle(w, r, s.err, "mesh", func() any { return s.Status() }, func() {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		s.serveNotify(w, r)
	})
}

// serveNotify is MSG-2 (MESH-1, MESH-7, MESH-9 in mesh.Mesh.Notify).
func (s *MeshServer) serveNotify(w http.ResponseWriter, r *http.Request) {
	body, ok := realtime.ReadBody(w, r)
	if !ok {
		s.count(false)
		return
	}
	req := mesh.Request{Method: r.Method, Path: r.URL.Path, Headers: realtime.Headers(r.Header), Body: body}
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
	s.Lock()
	defer s.Unlock()
	if accepted {
		s.status.Accepted++
	} else {
		s.status.Rejected++
	}
}

// notify runs the machine; n is the number of the notification accepted (0: none to commit), at when.
func (s *MeshServer) notify(req mesh.Request) (resp mesh.Response, n int, at time.Time) {
	now := time.Now()
	s.Lock()
	defer s.Unlock()
	if s.Closed() {
		return mesh.Response{Status: 503}, 0, time.Time{}
	}
	resp, effects := s.m.Notify(now, req)
	if resp.Status/100 != 2 {
		s.status.Rejected++
	}
	s.Mesh().Perform(effects)
	if resp.Status/100 == 2 {
		n = s.m.AcceptedCount()
	}
	return resp, n, now
}

// meshEnv is the mesh server's site.MeshEnv: the platform's real timers and fetches, and the status, the log and the data file in place of a trace (the server keeps
// no trace). Every method runs with the platform's lock held.
type meshEnv struct{ s *MeshServer }

var _ site.MeshEnv = meshEnv{}

func (e meshEnv) MeshNow() time.Time         { return time.Now() }
func (e meshEnv) Record(string, trace.Event) {}

func (e meshEnv) SetTimer(key string, after time.Duration) {
	e.s.MeshTimer(key, after)
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

// persistDelivered commits a finished fetch round; the lock is held. A failure is logged: the worst it
// costs is a fetch again after a restart.
func (s *MeshServer) persistDelivered(entry *storedEntry, cover int) {
	if err := s.db.delivered(s.cfg.Site.Name, entry, cover); err != nil {
		s.logf("mesh: recording the fetch round up to %d: %v", cover, err)
	}
}

// fetch is MSG-3: GET {SiteURL}/admin/host/triggers with the machine's TOK-4 token (MESH-3).
func (s *MeshServer) fetch(f mesh.Fetch) {
	s.status.Fetches++
	target := strings.TrimRight(s.cfg.SiteURL, "/") + host.PathTriggers
	s.logf("mesh: fetch %d attempt %d GET %s", f.ID, f.Attempt, target)
	s.Fetch(f, target, s.client, func(status int, deliver func()) {
		s.logf("mesh: fetch %d answered %d", f.ID, status)
		deliver()
	})
}
