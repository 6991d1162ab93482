package meshhttp

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/syncsim/syncsim/fakes/mesh"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/drive"
	"github.com/syncsim/syncsim/internal/httpbound"
	"github.com/syncsim/syncsim/internal/realtime"
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
	// Defects are names of MeshDefects to plant.
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
	cfg     MeshConfig
	defects map[string]bool
	err     error

	// m is the machine the platform's interpreter drives (its lock is held around every call).
	m *mesh.Mesh
	// afterFetch is set while the effects of a fetch's answer are carried out, where a SetTimer is
	// always the retry timer (MESH-4).
	afterFetch bool
	status     MeshStatus

	client    *http.Client
	transport *http.Transport

	// slowAccept is the slow-accept defect's delay (6 s; tests shorten it).
	slowAccept time.Duration
	// serialize defect: one request at a time, waiting counts the queued ones.
	serial  chan struct{}
	waiting int
}

// NewMesh creates a mesh server. An unknown defect makes Serve fail and every request 500.
func NewMesh(cfg MeshConfig) *MeshServer {
	transport := realtime.NewTransport()
	s := &MeshServer{base: newBase(cfg.Log, cfg.Site.Name, "mesh"), cfg: cfg, serial: make(chan struct{}, 1),
		client: &http.Client{Transport: transport}, transport: transport, slowAccept: 6 * time.Second}
	s.defects, s.err = ParseDefects(MeshDefects, cfg.Defects)
	s.m = mesh.New(mesh.Config{Site: cfg.Site, Store: s.Store(), Rand: sim.NewStreams(cfg.Seed).Stream("mesh"),
		Debounce: cfg.Debounce, MaxWait: cfg.MaxWait, RetryBudget: cfg.RetryBudget, BackoffMin: cfg.BackoffMin,
		BackoffMax: cfg.BackoffMax, FetchTimeout: cfg.FetchTimeout,
		Bugs: mesh.Bugs{FetchPerNotification: s.defects["fetch-per-notification"]}})
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

// ServeHTTP routes POST / (MSG-2) and GET /status.
func (s *MeshServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handle(w, r, s.err, "mesh", func() any { return s.Status() }, func() {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		s.serveNotify(w, r)
	})
}

// serveNotify is MSG-2 (MESH-1, MESH-7, MESH-9 in mesh.Mesh.Notify), with the planted defects.
func (s *MeshServer) serveNotify(w http.ResponseWriter, r *http.Request) {
	body, ok := realtime.ReadBody(w, r)
	if !ok {
		s.count(false)
		return
	}
	if s.defects["serialize"] {
		if !s.acquireSerial() {
			s.count(false)
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		defer func() { <-s.serial }()
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
	if s.defects["slow-accept"] && !s.Sleep(s.slowAccept) {
		return
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
	if s.defects["reject-unknown-field"] {
		if form, err := url.ParseQuery(string(req.Body)); err == nil {
			for k := range form {
				if k != "operation" {
					s.count(false)
					return mesh.Response{Status: 400, Body: []byte("unknown field")}, 0, time.Time{}
				}
			}
		}
	}
	now := time.Now()
	s.Lock()
	defer s.Unlock()
	if s.Closed() {
		return mesh.Response{Status: 503}, 0, time.Time{}
	}
	if s.defects["lose-during-fetch"] && s.m.Busy() {
		// The defect: judged as the reference would judge it, accepted, and forgotten.
		resp, _ := mesh.New(mesh.Config{Site: s.cfg.Site, Store: mesh.NewStore()}).Notify(now, req)
		if resp.Status/100 == 2 {
			s.status.Accepted++
			s.logf("mesh: notification accepted during a fetch and dropped (defect lose-during-fetch)")
		} else {
			s.status.Rejected++
		}
		return resp, 0, time.Time{}
	}
	resp, effects := s.m.Notify(now, req)
	if resp.Status == 400 && s.defects["accept-malformed"] {
		s.Mesh().Perform(effects)
		resp, effects = s.m.Notify(now, mesh.Request{Method: "POST", Path: req.Path, Body: []byte("operation=update-triggers"),
			Headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded", "fx-current-instance": req.Header("fx-current-instance")}})
	}
	if resp.Status/100 != 2 {
		s.status.Rejected++
	}
	s.Mesh().Perform(effects)
	if resp.Status/100 == 2 {
		n = s.m.AcceptedCount()
	}
	return resp, n, now
}

// acquireSerial is the serialize defect's queue: at most 8 waiting (MESH-6's burst of 10 in 0.45 s
// stays below that; MESH-8's 100 at once do not), then 100 ms per request.
func (s *MeshServer) acquireSerial() bool {
	s.Lock()
	if s.waiting >= 8 {
		s.Unlock()
		return false
	}
	s.waiting++
	s.Unlock()
	var acquired bool
	select {
	case s.serial <- struct{}{}:
		acquired = true
	case <-s.Closing():
	}
	s.Lock()
	s.waiting--
	s.Unlock()
	if !acquired {
		return false
	}
	if !s.Sleep(100 * time.Millisecond) {
		<-s.serial
		return false
	}
	return true
}

// meshEnv is the mesh server's drive.MeshEnv: the platform's real timers and fetches, with the
// planted defects, and the status, the log and the data file in place of a trace (the server keeps
// no trace). Every method runs with the platform's lock held.
type meshEnv struct{ s *MeshServer }

var _ drive.MeshEnv = meshEnv{}

func (e meshEnv) MeshNow() time.Time         { return time.Now() }
func (e meshEnv) Record(string, trace.Event) {}

func (e meshEnv) SetTimer(key string, after time.Duration) {
	s := e.s
	if s.afterFetch && s.defects["no-retry"] {
		s.status.Abandoned++
		s.logf("mesh: giving up after the first failure (defect no-retry)")
		return
	}
	s.MeshTimer(key, after)
}

// FetchHeaders applies the no-token defect: the fetch goes out without its token.
func (e meshEnv) FetchHeaders(f mesh.Fetch) map[string]string {
	headers := map[string]string{}
	for k, v := range f.Headers {
		if e.s.defects["no-token"] && strings.EqualFold(k, "x-ms-site-token") {
			continue
		}
		headers[k] = v
	}
	return headers
}

func (e meshEnv) Fetch(f mesh.Fetch) {
	if e.s.defects["no-fetch"] {
		return
	}
	e.s.fetch(f)
}

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
		s.afterFetch = true
		deliver()
		s.afterFetch = false
	})
}
