package meshhttp

import (
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/syncsim/syncsim/fakes/mesh"
	"github.com/syncsim/syncsim/host"
)

// PathSetTriggers is MSG-1's path on the front end.
const PathSetTriggers = "/operations/settriggers"

// FrontEndConfig configures a front-end server for one site.
type FrontEndConfig struct {
	// Site names the site and holds the key TOK-3 tokens are checked with.
	Site host.Site
	// Defects are names of FrontEndDefects to plant.
	Defects []string
	// Log gets one line per request; nil discards. Never a token or a body.
	Log io.Writer
}

// FrontEndServer is the reference front end (package mesh's FrontEnd) over HTTP: POST
// /operations/settriggers (MSG-1) and its read-back GET (FE-5).
type FrontEndServer struct {
	base
	cfg     FrontEndConfig
	defects map[string]bool
	err     error
	store   *mesh.Store
}

// NewFrontEnd creates a front-end server. An unknown defect makes Serve fail and every request 500.
func NewFrontEnd(cfg FrontEndConfig) *FrontEndServer {
	s := &FrontEndServer{base: newBase(cfg.Log), cfg: cfg, store: mesh.NewStore()}
	s.defects, s.err = ParseDefects(FrontEndDefects, cfg.Defects)
	return s
}

// Serve listens on addr ("127.0.0.1:0" picks a free port) and returns the front end's base URL
// (the host's FrontEndURL) and stop, which closes the listener and every connection and waits for
// the handlers.
func (s *FrontEndServer) Serve(addr string) (string, func() error, error) {
	if s.err != nil {
		return "", nil, s.err
	}
	return serve(addr, s, func() { s.markClosed(nil) }, s.wg.Wait)
}

// Stored returns the platform store's entry for the site.
func (s *FrontEndServer) Stored() (mesh.Entry, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.store.Get(s.cfg.Site.Name)
}

// ServeHTTP routes POST and GET /operations/settriggers.
func (s *FrontEndServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.err != nil {
		http.Error(w, s.err.Error(), http.StatusInternalServerError)
		return
	}
	if !s.enter() {
		http.Error(w, "front end stopping", http.StatusServiceUnavailable)
		return
	}
	defer s.wg.Done()
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
// reference's judgement runs against a scratch store, so that a defect can decide what is kept.
func (s *FrontEndServer) setTriggers(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	req := mesh.Request{Method: r.Method, Path: r.URL.Path, Headers: headersOf(r.Header), Body: body}
	now := time.Now()
	fe := mesh.FrontEnd{Site: s.cfg.Site, Store: mesh.NewStore(), Bugs: mesh.Bugs{AcceptAnyToken: s.defects["accept-bad-token"]}}
	resp, out := fe.SetTriggers(now, req)
	store := out.Stored
	switch {
	case out.Stored && s.defects["reject-valid"]:
		resp, store = mesh.Response{Status: 500, Body: []byte("internal error (defect reject-valid)")}, false
	case out.Reason == "not json" && s.defects["accept-non-json"]:
		resp, store = mesh.Response{Status: 200}, true
	case !out.Stored && s.defects["store-rejected"]:
		store = true
	}
	if store {
		rev, _ := strconv.Atoi(req.Header(mesh.RevisionHeader))
		s.mu.Lock()
		e := s.store.Put(now, s.cfg.Site.Name, body, host.HashOf(body), rev, "frontend")
		s.mu.Unlock()
		s.logf("frontend: stored payload hash=%s revision=%d (answer %d)", e.Hash, e.Revision, resp.Status)
	} else {
		reason := out.Reason
		if reason == "" {
			reason = "defect"
		}
		s.logf("frontend: rejected with %d (%s)", resp.Status, reason)
	}
	w.WriteHeader(resp.Status)
	w.Write(resp.Body)
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
