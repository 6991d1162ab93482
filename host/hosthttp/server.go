package hosthttp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/drive"
	"github.com/syncsim/syncsim/internal/httpbound"
	"github.com/syncsim/syncsim/internal/plant"
	"github.com/syncsim/syncsim/internal/trace"
	"github.com/syncsim/syncsim/sim"
)

// HostConfig configures one reference host.
type HostConfig struct {
	// Site names the site; its EncryptionKey signs and checks the tokens (TOK-1..5).
	Site host.Site
	// Mode is the sync mode; zero means host.ModeFrontend.
	Mode host.Mode
	// FrontEndURL and MeshURL are where the publish goes (MSG-1, MSG-2). Empty, when the mode needs
	// them: one StartPeer starts when Serve does (a reference front end or mesh fetching from this
	// host, in package serve's standalone host).
	FrontEndURL, MeshURL string
	// StartPeer starts the front end or mesh the mode needs and has no URL for; nil makes Serve fail
	// for such a mode. Serve stops what it started when it stops.
	StartPeer StartPeer
	// Storage performs the host's storage calls (the primary lease, the hash blob); required, with
	// the container host.HostsContainer in place.
	Storage Storage
	// Content is the site's functions and keys; nil means DefaultContent(Seed).
	Content *host.Content
	// Seed seeds the default keys and the machine's random stream (request and lease ids).
	Seed uint64
	// ContainerName is the instance's CONTAINER_NAME; empty means "pod-serve".
	ContainerName string
	// Timing; zero values take package host's defaults.
	BackgroundDelay, LeaseRenew, LeaseRetry, AdminWait, FrontEndTimeout, MeshTimeout time.Duration
	// Defects are names of planted defects to plant (package internal/plant's HostServer table).
	Defects []string
	// Log gets the host's log lines (which never carry a secret); nil discards.
	Log io.Writer
	// Limits bounds the admin API's timeouts and connections (zero fields: httpbound's defaults).
	// The write timeout is raised to at least AdminWait + 30 s: MSG-4 holds a request for up to
	// AdminWait while the host starts. Package serve's in-process front end and mesh get the same
	// limits.
	Limits httpbound.Limits
}

// revisionHeader carries the content revision a payload was built from: simulator metadata the
// reference front end and mesh read (package mesh's RevisionHeader, which a test holds it to).
const revisionHeader = "x-syncsim-revision"

// HostServer is one reference host's admin API over HTTP. Before Serve starts the host, every
// request is answered 503 (the host is not running).
type HostServer struct {
	cfg HostConfig
	// plant is the planted defects' interceptors (Defects, resolved in package internal/plant's
	// HostServer table); handler is the admin API with plant's middleware around it.
	plant   plant.Set
	handler http.Handler
	err     error
	content host.Content

	mu     sync.Mutex
	closed bool
	done   chan struct{}
	wg     sync.WaitGroup
	m      *host.Machine
	d      *drive.Host
	// calls are the storage calls of the step under way, performed when it ends (step).
	calls   []host.BlobCall
	timers  map[string]*time.Timer
	waits   map[int]chan host.Respond
	nextReq int

	ctx       context.Context
	cancel    context.CancelFunc
	transport *http.Transport
	deps      []func() error

	logMu sync.Mutex
	log   io.Writer
}

// NewHost creates a host server. An unknown defect or mode makes Serve fail.
func NewHost(cfg HostConfig) *HostServer {
	if cfg.Mode == 0 {
		cfg.Mode = host.ModeFrontend
	}
	if cfg.ContainerName == "" {
		cfg.ContainerName = "pod-serve"
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	s := &HostServer{cfg: cfg, done: make(chan struct{}), timers: map[string]*time.Timer{},
		waits: map[int]chan host.Respond{}, transport: &http.Transport{MaxIdleConnsPerHost: 4}, log: cfg.Log}
	s.plant, s.err = plant.Resolve(plant.HostServer, cfg.Site, cfg.Defects)
	if s.err != nil {
		s.err = fmt.Errorf("hosthttp: %w", s.err)
	}
	s.handler = s.plant.Handler(http.HandlerFunc(s.serveAdmin))
	if s.err == nil && !slices.Contains(host.Modes(), cfg.Mode) {
		s.err = fmt.Errorf("hosthttp: unknown mode %d", int(cfg.Mode))
	}
	if s.err == nil && cfg.Storage == nil {
		s.err = errors.New("hosthttp: no storage (HostConfig.Storage; package serve's standalone host has one)")
	}
	if cfg.Content != nil {
		s.content = cfg.Content.Clone()
	} else {
		s.content = DefaultContent(cfg.Seed)
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s
}

// Content returns a copy of the content the host serves (it holds secrets: never print it).
func (s *HostServer) Content() host.Content { return s.content.Clone() }

func (s *HostServer) logf(format string, args ...any) {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintf(s.log, time.Now().UTC().Format("15:04:05.000")+" "+format+"\n", args...)
}

func needsFrontEnd(m host.Mode) bool { return m == host.ModeFrontend || m == host.ModeAdditive }
func needsMesh(m host.Mode) bool     { return m != host.ModeFrontend }

// Serve listens on addr ("127.0.0.1:0" picks a free port), starts the front end or mesh the mode
// needs when no URL is given (HostConfig.StartPeer), starts the host, and returns the site URL and stop, which
// closes the listener and every connection, stops timers and publishes in flight, stops what it
// started and waits for every goroutine. stop is idempotent.
func (s *HostServer) Serve(addr string) (string, func() error, error) {
	if s.err != nil {
		return "", nil, s.err
	}
	adminWait := s.cfg.AdminWait
	if adminWait <= 0 {
		adminWait = host.DefaultAdminWait
	}
	srv, ln, err := httpbound.Listen(addr, s, s.cfg.Limits.AtLeastWrite(adminWait+30*time.Second))
	if err != nil {
		return "", nil, err
	}
	self := "http://" + ln.Addr().String()
	if err := s.startDeps(self); err != nil {
		ln.Close()
		s.stopDeps()
		return "", nil, err
	}
	s.start()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	var once sync.Once
	var stopErr error
	stop := func() error {
		once.Do(func() {
			s.beginClose()
			stopErr = srv.Close()
			if err := <-served; !errors.Is(err, http.ErrServerClosed) && stopErr == nil {
				stopErr = err
			}
			s.wg.Wait()
			if err := s.stopDeps(); err != nil && stopErr == nil {
				stopErr = err
			}
			s.transport.CloseIdleConnections()
		})
		return stopErr
	}
	return self, stop, nil
}

// startDeps starts, through StartPeer, the front end and mesh the mode needs and was not given.
func (s *HostServer) startDeps(self string) error {
	if needsFrontEnd(s.cfg.Mode) && s.cfg.FrontEndURL == "" {
		u, err := s.startPeer(PeerFrontEnd, self, "front end", "FrontEndURL")
		if err != nil {
			return err
		}
		s.cfg.FrontEndURL = u
		s.logf("host: publishing to an in-process reference front end at %s", u)
	}
	if needsMesh(s.cfg.Mode) && s.cfg.MeshURL == "" {
		u, err := s.startPeer(PeerMesh, self, "mesh", "MeshURL")
		if err != nil {
			return err
		}
		s.cfg.MeshURL = u
		s.logf("host: notifying an in-process reference mesh at %s", s.cfg.MeshURL)
	}
	return nil
}

func (s *HostServer) startPeer(p Peer, self, name, field string) (string, error) {
	if s.cfg.StartPeer == nil {
		return "", fmt.Errorf("hosthttp: mode %s needs a %s: give HostConfig.%s or StartPeer", s.cfg.Mode, name, field)
	}
	u, stop, err := s.cfg.StartPeer(p, self)
	if err != nil {
		return "", fmt.Errorf("hosthttp: reference %s: %w", name, err)
	}
	s.deps = append(s.deps, stop)
	return u, nil
}

func (s *HostServer) stopDeps() error {
	var first error
	for _, stop := range s.deps {
		if err := stop(); err != nil && first == nil {
			first = err
		}
	}
	s.deps = nil
	return first
}

// start creates the machine and starts the host.
func (s *HostServer) start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	content := s.content
	m := host.NewMachine(host.Config{
		Site: s.cfg.Site, Mode: s.cfg.Mode, ContainerName: s.cfg.ContainerName,
		FrontEndURL: strings.TrimRight(s.cfg.FrontEndURL, "/"), MeshURL: s.cfg.MeshURL,
		Secrets:          func() (host.Keys, int) { return content.Keys.Clone(), content.Revision },
		Rand:             sim.NewStreams(s.cfg.Seed).Stream("host/" + s.cfg.ContainerName),
		PlaceholderGuard: true,
		BackgroundDelay:  s.cfg.BackgroundDelay, LeaseRenew: s.cfg.LeaseRenew, LeaseRetry: s.cfg.LeaseRetry, AdminWait: s.cfg.AdminWait,
		FrontEndTimeout: s.cfg.FrontEndTimeout, MeshTimeout: s.cfg.MeshTimeout,
		Seams: s.plant.Host, Wrapper: s.plant.HostWrapper,
	})
	s.m, s.d = m, drive.NewHost(m, trace.InstanceParty(s.cfg.ContainerName), s.cfg.Site, hostEnv{s})
	s.step(func() { s.d.Start(host.Loaded{Functions: content.Functions, Revision: content.Revision}) })
}

func (s *HostServer) beginClose() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	close(s.done)
	for k, t := range s.timers {
		if t.Stop() {
			s.wg.Done()
		}
		delete(s.timers, k)
	}
	s.cancel()
}

// step runs one input of the machine through its interpreter (drive.Host); s.mu is held. The
// storage calls it asks for run on the storage when it ends, each result going back
// to the machine at once (and the calls of that step before the next call of this one).
func (s *HostServer) step(input func()) {
	outer := s.calls
	s.calls = nil
	input()
	calls := s.calls
	s.calls = outer
	for _, c := range calls {
		res := s.cfg.Storage.Do(c, time.Now())
		s.step(func() { s.d.BlobDone(c.ID, res) })
	}
}

// hostEnv is the host server's drive.HostEnv: real timers and HTTP requests on goroutines, the
// configured storage, and the log in place of a trace (its host log lines; the server keeps no
// trace). Every method runs with s.mu held.
type hostEnv struct{ s *HostServer }

var _ drive.HostEnv = hostEnv{}

func (e hostEnv) Now() time.Time                           { return time.Now() }
func (e hostEnv) HostNow() time.Time                       { return time.Now() }
func (e hostEnv) Alive() bool                              { return !e.s.closed }
func (e hostEnv) Point(host.Point)                         {}
func (e hostEnv) Blob(c host.BlobCall)                     { e.s.calls = append(e.s.calls, c) }
func (e hostEnv) SetTimer(key string, after time.Duration) { e.s.setTimer(key, after) }

// Record writes the host's log lines to the log; the other records are not kept.
func (e hostEnv) Record(_ string, ev trace.Event) {
	if ev.Kind == trace.KindLog {
		r := trace.Record{Fields: ev.Fields}
		e.s.logf("host: %s %s: %s", r.Get("level"), r.Get("category"), r.Get("text"))
	}
}

func (e hostEnv) CancelTimer(key string) {
	s := e.s
	if t, ok := s.timers[key]; ok {
		if t.Stop() {
			s.wg.Done()
		}
		delete(s.timers, key)
	}
}

func (e hostEnv) Respond(r host.Respond) {
	if ch, ok := e.s.waits[r.ReqID]; ok {
		delete(e.s.waits, r.ReqID)
		ch <- r
	}
}

func (s *HostServer) setTimer(key string, after time.Duration) {
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
			return
		}
		delete(s.timers, key)
		s.step(func() { s.d.Timer(key) })
	})
	s.timers[key] = t
}

// Send makes a MSG-1 or MSG-2 request and hands its answer back to the machine.
func (e hostEnv) Send(m host.Send) {
	s := e.s
	if s.closed {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		res := s.post(m)
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.closed {
			return
		}
		if res.Status != 0 {
			s.logf("host: %s publish answered %d", m.Target, res.Status)
		} else {
			s.logf("host: %s publish failed (%s)", m.Target, res.Err)
		}
		s.step(func() { s.d.HTTPDone(m.ID, res) })
	}()
}

func (s *HostServer) post(e host.Send) host.HTTPResult {
	ctx, cancel := context.WithTimeout(s.ctx, e.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, e.Method, e.URL, bytes.NewReader(e.Body))
	if err != nil {
		return host.HTTPResult{Err: "bad request URL"}
	}
	for k, v := range e.Headers {
		req.Header.Set(k, v)
	}
	req.Header.Set(revisionHeader, strconv.Itoa(e.Revision))
	resp, err := (&http.Client{Transport: s.transport}).Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return host.HTTPResult{Err: "timeout after " + e.Timeout.String()}
		}
		return host.HTTPResult{Err: "connection failed"}
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	return host.HTTPResult{Status: resp.StatusCode}
}

// ServeHTTP is the admin API: MSG-3 and MSG-4 (anything else: the machine's 404), through the
// planted defects' middleware.
func (s *HostServer) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// serveAdmin is the reference admin API.
func (s *HostServer) serveAdmin(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.closed || s.m == nil {
		s.mu.Unlock()
		writeResponse(w, host.HostNotRunningResponse(), 0)
		return
	}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		var tooLong *http.MaxBytesError
		if errors.As(err, &tooLong) {
			http.Error(w, "request body over 1 MiB", http.StatusRequestEntityTooLarge)
		} else {
			http.Error(w, "cannot read the request body", http.StatusBadRequest)
		}
		return
	}
	headers := map[string]string{}
	for k, v := range r.Header {
		headers[k] = strings.Join(v, ",")
	}
	ch := make(chan host.Respond, 1)
	s.mu.Lock()
	s.nextReq++
	id := s.nextReq
	s.waits[id] = ch
	s.step(func() {
		s.d.Admin(id, host.AdminRequest{Method: r.Method, Path: r.URL.Path, Headers: headers, Body: body}, "")
	})
	s.mu.Unlock()
	select {
	case a := <-ch:
		writeResponse(w, a.Response, a.Revision)
	case <-s.done:
		writeResponse(w, host.HostNotRunningResponse(), 0)
	case <-r.Context().Done():
		s.mu.Lock()
		delete(s.waits, id)
		s.mu.Unlock()
	}
}

func writeResponse(w http.ResponseWriter, resp host.AdminResponse, revision int) {
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	if revision != 0 {
		w.Header().Set(revisionHeader, strconv.Itoa(revision))
	}
	w.WriteHeader(resp.Status)
	w.Write(resp.Body)
}
