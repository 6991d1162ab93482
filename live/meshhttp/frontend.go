package meshhttp

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/syncsim/syncsim/fakes/mesh"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/httpbound"
	"github.com/syncsim/syncsim/live/realtime"
	"github.com/syncsim/syncsim/plant"
	"github.com/syncsim/syncsim/site"
	"github.com/syncsim/syncsim/trace"
)

// PathSetTriggers is MSG-1's path on the front end.
const PathSetTriggers = "/operations/settriggers"

// FrontEndConfig configures a front-end server for one site.
type FrontEndConfig struct {
	// Site names the site and holds the key TOK-3 tokens are checked with.
	Site host.Site
	// Defects are names of planted defects to plant (package plant's FrontEndServer
	// table).
	Defects []string
	// Log gets one line per request; nil discards. Never a token or a body.
	Log io.Writer
	// DataFile, when set, is a bbolt file holding the platform store: a publish is committed to it
	// before it is answered 2xx, and a restart on the same file serves it again. Empty: in memory.
	DataFile string
	// DataFileMaxBytes bounds DataFile's size (0: DefaultDataFileMaxBytes, 1 GiB): a larger file is
	// refused when the server starts, and a write that would grow the file past it fails.
	DataFileMaxBytes int64
	// Limits bounds the server's timeouts and connections; zero fields take httpbound's defaults.
	Limits httpbound.Limits
}

// FrontEndStatus is what the front end's GET /status answers.
type FrontEndStatus struct {
	// Writes counts the payloads stored over the data file's life (this process's, in memory).
	Writes int `json:"writes"`
	// LastHash and LastRevision describe the payload stored last ("" and 0 for none).
	LastHash     string `json:"last_hash"`
	LastRevision int    `json:"last_revision"`
}

// FrontEndServer is the reference front end (package mesh's FrontEnd) over HTTP: POST
// /operations/settriggers (MSG-1) and its read-back GET (FE-5). Every MSG-1 is judged by the one
// interpreter of the front end (site's FrontEnd), as in the simulator and live runs.
type FrontEndServer struct {
	base
	cfg FrontEndConfig
	// plant is the planted defects' interceptors (Defects, resolved in package plant's
	// FrontEndServer table); handler is the server with plant's middleware around it.
	plant   plant.Set
	handler http.Handler
	err     error

	// now is the front end's clock and record where its interpreter's records go (the server keeps
	// no trace: nil); a test sets both, to hold the server to the simulator's interpreter.
	now    func() time.Time
	record func(party string, e trace.Event)
}

// NewFrontEnd creates a front-end server. An unknown defect makes Serve fail and every request 500.
func NewFrontEnd(cfg FrontEndConfig) *FrontEndServer {
	s := &FrontEndServer{base: newBase(cfg.Log, cfg.Site.Name, "frontend"), cfg: cfg, now: time.Now}
	s.plant, s.err = plant.Resolve(plant.FrontEndServer, cfg.Site, cfg.Defects)
	if s.err != nil {
		s.err = fmt.Errorf("meshhttp: %w", s.err)
	}
	s.handler = s.plant.Handler(http.HandlerFunc(s.serveFrontEnd))
	s.Store().Seams = s.plant.Store
	s.DriveFrontEnd(&mesh.FrontEnd{Site: cfg.Site, Store: s.Store(), Seams: s.plant.FrontEnd}, cfg.Site, frontEndEnv{s})
	if s.err == nil {
		s.db, s.err = openDurableWith(cfg.DataFile, dataFileLockWait, cfg.DataFileMaxBytes)
	}
	if s.err == nil {
		e, ok, err := s.db.entry(cfg.Site.Name)
		switch {
		case err != nil:
			s.err = err
			s.db.close()
			s.db = nil
		case ok:
			s.writesBase = restoreEntry(s.Store(), cfg.Site.Name, e)
		}
	}
	return s
}

// Serve listens on addr ("127.0.0.1:0" picks a free port) and returns the front end's base URL
// (the host's FrontEndURL) and stop, which closes the listener and every connection and waits for
// the handlers.
func (s *FrontEndServer) Serve(addr string) (string, func() error, error) {
	if s.err != nil {
		return "", nil, s.err
	}
	u, stop, err := serve(addr, s, s.cfg.Limits, func() { s.Shut(nil) }, s.finish)
	if err != nil {
		s.Close()
	}
	return u, stop, err
}

// Close refuses new requests, waits for those under way and closes the data file; for a
// FrontEndServer used as a plain Handler.
func (s *FrontEndServer) Close() error {
	s.Shut(nil)
	s.finish()
	return nil
}

// Status returns what GET /status answers.
func (s *FrontEndServer) Status() FrontEndStatus {
	s.Lock()
	defer s.Unlock()
	e, ok := s.Store().Get(s.cfg.Site.Name)
	if !ok {
		return FrontEndStatus{}
	}
	return FrontEndStatus{Writes: s.writesBase + e.Writes, LastHash: e.Hash, LastRevision: e.Revision}
}

// ServeHTTP routes POST and GET /operations/settriggers, through the planted defects' middleware.
func (s *FrontEndServer) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// serveFrontEnd is the reference front end's routing.
func (s *FrontEndServer) serveFrontEnd(w http.ResponseWriter, r *http.Request) {
	s.handle(w, r, s.err, "front end", func() any { return s.Status() }, func() { s.route(w, r) })
}

// route serves MSG-1 (POST) and FE-5's read-back (GET) on PathSetTriggers.
func (s *FrontEndServer) route(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != PathSetTriggers {
		http.NotFound(w, r)
		return
	}
	switch r.Method {
	case http.MethodPost:
		s.setTriggers(w, r)
	case http.MethodGet:
		s.readBack(w)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// setTriggers is MSG-1: TOK-3 check (FE-2), JSON check (FE-3), store (FE-5), 200 (FE-1), judged by
// the front end's interpreter (with the planted seams, which may decide over its answer and what it
// stores).
func (s *FrontEndServer) setTriggers(w http.ResponseWriter, r *http.Request) {
	body, ok := realtime.ReadBody(w, r)
	if !ok {
		return
	}
	if status, why := checkJSONRequest(r.Header.Get("Content-Type"), body); status != 0 {
		s.logf("frontend: rejected with %d (%s)", status, why)
		http.Error(w, why, status)
		return
	}
	req := mesh.Request{Method: r.Method, Path: r.URL.Path, Headers: realtime.Headers(r.Header), Body: body}
	resp, out, ok := s.SetTriggers(req, trace.InstanceParty(r.Header.Get(realtime.HeaderFrom)), "")
	if !ok {
		http.Error(w, "front end stopping", http.StatusServiceUnavailable)
		return
	}
	stored, ok := s.kept(out)
	if !ok {
		reason := out.Reason
		if reason == "" {
			// Accepted by the judgement, refused by a planted verdict.
			reason = "verdict"
		}
		s.logf("frontend: rejected with %d (%s)", resp.Status, reason)
		w.WriteHeader(resp.Status)
		w.Write(resp.Body)
		return
	}
	// Durability: committed before the answer (FE-5 across a restart).
	if err := s.db.putEntry(s.cfg.Site.Name, stored); err != nil {
		s.logf("frontend: payload not committed: %v", err)
		http.Error(w, "cannot commit the payload", http.StatusServiceUnavailable)
		return
	}
	s.logf("frontend: stored payload hash=%s revision=%d (answer %d)", stored.Hash, stored.Revision, resp.Status)
	w.WriteHeader(resp.Status)
	w.Write(resp.Body)
}

// kept is the entry the front end stored for the site, with its write count, to commit; false
// when it stored nothing.
func (s *FrontEndServer) kept(out mesh.Outcome) (storedEntry, bool) {
	if !out.Stored {
		return storedEntry{}, false
	}
	s.Lock()
	defer s.Unlock()
	return toStored(out.Entry, s.writesBase+out.Entry.Writes), true
}

// frontEndEnv is the front-end server's site.FrontEndEnv: its clock, and no trace.
type frontEndEnv struct{ s *FrontEndServer }

var _ site.FrontEndEnv = frontEndEnv{}

func (e frontEndEnv) Now() time.Time { return e.s.now() }
func (e frontEndEnv) Stored()        {}

func (e frontEndEnv) Record(party string, ev trace.Event) {
	if e.s.record != nil {
		e.s.record(party, ev)
	}
}

// checkJSONRequest refuses what MSG-1 can never be, before the token is looked at: a body declared as
// something other than JSON (415; no Content-Type is let through, as the contract does not require
// one) and a body that is not UTF-8 (400, FE-3: RFC 8259 JSON is UTF-8, and json.Valid does not check).
func checkJSONRequest(contentType string, body []byte) (int, string) {
	if contentType != "" {
		mt, _, err := mime.ParseMediaType(contentType)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return http.StatusUnsupportedMediaType, "body must be application/json"
		}
	}
	if !utf8.Valid(body) {
		return http.StatusBadRequest, "body is not UTF-8"
	}
	return 0, ""
}

// readBack is FE-5's optional GET: the last stored body, 404 when none.
func (s *FrontEndServer) readBack(w http.ResponseWriter) {
	e, ok := s.Stored()
	if !ok {
		http.Error(w, "no payload stored", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(e.Body)
}
