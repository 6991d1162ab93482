package meshhttp

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/syncsim/syncsim/fakes/mesh"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/httpbound"
	"github.com/syncsim/syncsim/internal/plant"
)

// PathSetTriggers is MSG-1's path on the front end.
const PathSetTriggers = "/operations/settriggers"

// FrontEndConfig configures a front-end server for one site.
type FrontEndConfig struct {
	// Site names the site and holds the key TOK-3 tokens are checked with.
	Site host.Site
	// Defects are names of planted defects to plant (package internal/plant's FrontEndServer
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
// /operations/settriggers (MSG-1) and its read-back GET (FE-5).
type FrontEndServer struct {
	base
	cfg FrontEndConfig
	// plant is the planted defects' interceptors (Defects, resolved in package internal/plant's
	// FrontEndServer table); handler is the server with plant's middleware around it.
	plant   plant.Set
	handler http.Handler
	err     error
	store   *mesh.Store
}

// NewFrontEnd creates a front-end server. An unknown defect makes Serve fail and every request 500.
func NewFrontEnd(cfg FrontEndConfig) *FrontEndServer {
	s := &FrontEndServer{base: newBase(cfg.Log), cfg: cfg, store: mesh.NewStore()}
	s.plant, s.err = plant.Resolve(plant.FrontEndServer, cfg.Site, cfg.Defects)
	if s.err != nil {
		s.err = fmt.Errorf("meshhttp: %w", s.err)
	}
	s.handler = s.plant.Handler(http.HandlerFunc(s.serveFrontEnd))
	s.store.Seams = s.plant.Store
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
			s.writesBase = restoreEntry(s.store, cfg.Site.Name, e)
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
	u, stop, err := serve(addr, s, s.cfg.Limits, func() { s.markClosed(nil) }, s.finish)
	if err != nil {
		s.Close()
	}
	return u, stop, err
}

// Close refuses new requests, waits for those under way and closes the data file; for a
// FrontEndServer used as a plain Handler.
func (s *FrontEndServer) Close() error {
	s.markClosed(nil)
	s.finish()
	return nil
}

func (s *FrontEndServer) finish() {
	s.wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.db.close(); err != nil {
		s.logf("frontend: closing the data file: %v", err)
	}
	s.db = nil
}

// Status returns what GET /status answers.
func (s *FrontEndServer) Status() FrontEndStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.store.Get(s.cfg.Site.Name)
	if !ok {
		return FrontEndStatus{}
	}
	return FrontEndStatus{Writes: s.writesBase + e.Writes, LastHash: e.Hash, LastRevision: e.Revision}
}

// Stored returns the platform store's entry for the site.
func (s *FrontEndServer) Stored() (mesh.Entry, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.store.Get(s.cfg.Site.Name)
}

// ServeHTTP routes POST and GET /operations/settriggers, through the planted defects' middleware.
func (s *FrontEndServer) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// serveFrontEnd is the reference front end's routing.
func (s *FrontEndServer) serveFrontEnd(w http.ResponseWriter, r *http.Request) {
	if s.err != nil {
		http.Error(w, s.err.Error(), http.StatusInternalServerError)
		return
	}
	if !s.enter() {
		http.Error(w, "front end stopping", http.StatusServiceUnavailable)
		return
	}
	defer s.wg.Done()
	if r.URL.Path == "/status" {
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", "GET")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(s.Status())
		return
	}
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

// setTriggers is MSG-1: TOK-3 check (FE-2), JSON check (FE-3), store (FE-5), 200 (FE-1). The
// front end's judgement (with the planted seams) runs against a scratch store; what it stored is
// then kept in the server's store and its data file.
func (s *FrontEndServer) setTriggers(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	if status, why := checkJSONRequest(r.Header.Get("Content-Type"), body); status != 0 {
		s.logf("frontend: rejected with %d (%s)", status, why)
		http.Error(w, why, status)
		return
	}
	req := mesh.Request{Method: r.Method, Path: r.URL.Path, Headers: headersOf(r.Header), Body: body}
	now := time.Now()
	fe := mesh.FrontEnd{Site: s.cfg.Site, Store: mesh.NewStore(), Seams: s.plant.FrontEnd}
	resp, out := fe.SetTriggers(now, req)
	if out.Stored {
		rev, _ := strconv.Atoi(req.Header(mesh.RevisionHeader))
		s.mu.Lock()
		e := s.store.Put(now, s.cfg.Site.Name, body, host.HashOf(body), rev, "frontend")
		writes := s.writesBase + e.Writes
		s.mu.Unlock()
		// Durability: committed before the answer (FE-5 across a restart).
		if err := s.db.putEntry(s.cfg.Site.Name, toStored(e, writes)); err != nil {
			s.logf("frontend: payload not committed: %v", err)
			http.Error(w, "cannot commit the payload", http.StatusServiceUnavailable)
			return
		}
		s.logf("frontend: stored payload hash=%s revision=%d (answer %d)", e.Hash, e.Revision, resp.Status)
	} else {
		reason := out.Reason
		if reason == "" {
			// Accepted by the judgement, refused by a planted verdict.
			reason = "verdict"
		}
		s.logf("frontend: rejected with %d (%s)", resp.Status, reason)
	}
	w.WriteHeader(resp.Status)
	w.Write(resp.Body)
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
