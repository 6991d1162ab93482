package hosthttp

import (
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
	"github.com/syncsim/syncsim/internal/httpbound"
	"github.com/syncsim/syncsim/internal/random"
	"github.com/syncsim/syncsim/live/realtime"
	"github.com/syncsim/syncsim/plant"
	"github.com/syncsim/syncsim/site"
	"github.com/syncsim/syncsim/trace"
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
	// Defects are names of planted defects to plant (package plant's HostServer table).
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
	// plant is the planted defects' interceptors (Defects, resolved in package plant's
	// HostServer table); handler is the admin API with plant's middleware around it.
	plant   plant.Set
	handler http.Handler
	err     error
	content host.Content

	// party is the host's lock, timers and goroutines; h, set when the host starts, is the machine
	// and its interpreter behind it.
	party *realtime.Party
	h     *realtime.Host

	client *http.Client
	// transport is the client's, whose idle connections stop closes.
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
	transport := &http.Transport{MaxIdleConnsPerHost: 4}
	s := &HostServer{cfg: cfg, party: realtime.NewParty(), client: &http.Client{Transport: transport},
		transport: transport, log: cfg.Log}
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
	srv, err := realtime.Listen(addr, s, s.cfg.Limits.AtLeastWrite(adminWait+30*time.Second))
	if err != nil {
		return "", nil, err
	}
	if err := s.startDeps(srv.URL()); err != nil {
		srv.Close()
		s.stopDeps()
		return "", nil, err
	}
	s.start()
	srv.Start()
	stop := srv.Stop(func() { s.party.Shut(nil) }, func() error {
		s.party.Wait()
		err := s.stopDeps()
		s.transport.CloseIdleConnections()
		return err
	})
	return srv.URL(), stop, nil
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
	content := s.content
	m := host.NewMachine(host.Config{
		Site: s.cfg.Site, Mode: s.cfg.Mode, ContainerName: s.cfg.ContainerName,
		FrontEndURL: strings.TrimRight(s.cfg.FrontEndURL, "/"), MeshURL: s.cfg.MeshURL,
		Secrets:          func() (host.Keys, int) { return content.Keys.Clone(), content.Revision },
		Rand:             random.NewStreams(s.cfg.Seed).Stream("host/" + s.cfg.ContainerName),
		PlaceholderGuard: true,
		BackgroundDelay:  s.cfg.BackgroundDelay, LeaseRenew: s.cfg.LeaseRenew, LeaseRetry: s.cfg.LeaseRetry, AdminWait: s.cfg.AdminWait,
		FrontEndTimeout: s.cfg.FrontEndTimeout, MeshTimeout: s.cfg.MeshTimeout,
		Seams: s.plant.Host, Wrapper: s.plant.HostWrapper,
	})
	s.party.Do(func() {
		s.h = realtime.NewHost(s.party, m, trace.InstanceParty(s.cfg.ContainerName), s.cfg.Site, hostIO{s}, 0)
		s.h.Step(func(d *site.Host) { d.Start(host.Loaded{Functions: content.Functions, Revision: content.Revision}) })
	})
}

// running is the host once it started and until the server stops; nil otherwise.
func (s *HostServer) running() *realtime.Host {
	var h *realtime.Host
	s.party.Do(func() { h = s.h })
	return h
}

// hostIO is the host server's part of the host's environment: HTTP publishes on the party's
// goroutines, the configured storage answered as the step's follow-up (so that its answer reaches
// the machine before any other input), and the log in place of a trace (its host log lines; the
// server keeps no trace). Every method runs with the party's lock held.
type hostIO struct{ s *HostServer }

var _ realtime.HostIO = hostIO{}

func (e hostIO) Now() time.Time     { return time.Now() }
func (e hostIO) HostNow() time.Time { return time.Now() }
func (e hostIO) Alive() bool        { return !e.s.party.Closed() }
func (e hostIO) Point(host.Point)   {}

// Blob performs the storage call when the step ends, its result going back to the machine at once.
func (e hostIO) Blob(c host.BlobCall) {
	s := e.s
	s.h.Defer(func() {
		res := s.cfg.Storage.Do(c, time.Now())
		s.h.Step(func(d *site.Host) { d.BlobDone(c.ID, res) })
	})
}

// Record writes the host's log lines to the log; the other records are not kept.
func (e hostIO) Record(_ string, ev trace.Event) {
	if ev.Kind == trace.KindLog {
		r := trace.Record{Fields: ev.Fields}
		e.s.logf("host: %s %s: %s", r.Get("level"), r.Get("category"), r.Get("text"))
	}
}

// Send makes a MSG-1 or MSG-2 request and hands its answer back to the machine.
func (e hostIO) Send(m host.Send) {
	s := e.s
	s.party.Go(func(ctx context.Context) func() {
		res := realtime.Publish(ctx, s.client, m)
		return func() {
			if res.Status != 0 {
				s.logf("host: %s publish answered %d", m.Target, res.Status)
			} else {
				s.logf("host: %s publish failed (%s)", m.Target, res.Err)
			}
			s.h.Step(func(d *site.Host) { d.HTTPDone(m.ID, res) })
		}
	})
}

// ServeHTTP is the admin API: MSG-3 and MSG-4 (anything else: the machine's 404), through the
// planted defects' middleware.
func (s *HostServer) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// serveAdmin is the reference admin API.
func (s *HostServer) serveAdmin(w http.ResponseWriter, r *http.Request) {
	h := s.running()
	if h == nil || !s.party.Enter() {
		writeResponse(w, host.HostNotRunningResponse(), 0)
		return
	}
	defer s.party.Leave()
	body, ok := realtime.ReadBody(w, r)
	if !ok {
		return
	}
	headers := realtime.Headers(r.Header)
	req := host.AdminRequest{Method: r.Method, Path: r.URL.Path, Headers: headers, Body: body}
	ch, forget, ok := h.Admin(0, func(d *site.Host, id int) { d.Admin(id, req, "") })
	if !ok {
		writeResponse(w, host.HostNotRunningResponse(), 0)
		return
	}
	// An answer already there wins over a stop or a caller gone at the same moment: select picks
	// among ready cases at random, and a request its client half-closed (its context ends at once)
	// would otherwise get net/http's empty 200 instead of the answer the step gave it.
	select {
	case a := <-ch:
		writeResponse(w, a.Response, a.Revision)
		return
	default:
	}
	select {
	case a := <-ch:
		writeResponse(w, a.Response, a.Revision)
	case <-s.party.Closing():
		writeResponse(w, host.HostNotRunningResponse(), 0)
	case <-r.Context().Done():
		forget()
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
