package live

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/httpbound"
	"github.com/syncsim/syncsim/internal/random"
	"github.com/syncsim/syncsim/live/realtime"
	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/site"
	"github.com/syncsim/syncsim/trace"
)

// DefaultTimeScale makes a scenario minute take 0.6 s.
const DefaultTimeScale = 0.01

// Options configure a live run.
type Options struct {
	// ConnectionString reaches the storage account (Azurite, or an account given with --storage).
	ConnectionString string
	// TimeScale multiplies every scenario time and every timer of the reference parts; 0 means
	// DefaultTimeScale.
	TimeScale float64
	// Log gets notes a person should see (faults not applicable live).
	Log io.Writer
}

// Result is a finished live run, in the simulator's terms.
type Result struct {
	Trace    *trace.Trace
	Complete bool
	Secrets  []string
	Events   int
	End      time.Duration
	// NotApplicable lists the scenario's faults that cannot be injected live.
	NotApplicable []string
	Wall          time.Duration
}

// run is one live run in progress.
type run struct {
	sc   *scenarios.Scenario
	mode host.Mode
	// seed is the run's seed; streams derives from it every random choice the live parts make
	// themselves (the router's, the keys', the faults', each host's and the mesh's), as the simulator's
	// world does. What the real clock and the goroutines decide is not seeded.
	seed    uint64
	streams random.Streams
	scale   float64
	rec     *recorder
	store   *storage
	log     io.Writer

	// site is the site's content and keys; timeline plays the scenario's timeline on the run.
	site     *site.App
	timeline *site.Timeline

	// fleetMu is the realtime party of the fleet, the site router and the instances' hosts: its
	// lock is held around every call into them (the core is single-threaded, site.Fleet, and this
	// lock is what makes it so live), its timers are theirs and its goroutines carry their HTTP and
	// storage calls. It is never taken with mu held.
	fleetMu *realtime.Party
	fleet   *site.Fleet
	// endpoints are the instances' HTTP servers (fleetEnv.Attach), under fleetMu.
	endpoints map[*site.Member]*endpoint

	// mu guards the lists of timers and servers shutdown stops.
	mu sync.Mutex

	router   *router
	platform *platform
	faults   *faultEngine
	servers  []*realtime.Server
	due      dueAt
	timers   []*realtime.Timer
	// join counts the run's goroutines and timers, those of its realtime parties included:
	// shutdown closes it and waits for every one.
	join realtime.Group
}

// Run plays a scenario live in one mode.
func Run(ctx context.Context, sc *scenarios.Scenario, mode host.Mode, seed uint64, opts Options) (*Result, error) {
	scale := opts.TimeScale
	if scale <= 0 {
		scale = DefaultTimeScale
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	client, err := azblob.NewClientFromConnectionString(opts.ConnectionString, nil)
	if err != nil {
		return nil, fmt.Errorf("live: storage: %w", err)
	}
	streams := random.NewStreams(seed)
	r := &run{sc: sc, mode: mode, seed: seed, streams: streams, scale: scale, log: opts.Log, site: site.NewApp(sc, streams),
		store: &storage{client: client, timeout: 30 * time.Second}, endpoints: map[*site.Member]*endpoint{}}
	r.timeline = site.NewTimeline(sc, r.site, liveEnv{r})
	setupCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := r.store.reset(setupCtx); err != nil {
		return nil, fmt.Errorf("live: storage: %w", err)
	}
	r.faults = newFaultEngine(r)
	r.fleetMu = realtime.JoinParty(&r.join)
	r.fleet = site.NewFleet(site.FleetConfig{Scenario: sc, Mode: mode, Streams: streams, Site: r.site, Faults: r.faults.Faults,
		TimeScale: scale, Lock: r.fleetMu}, fleetEnv{r})
	if err := r.start(); err != nil {
		r.shutdown()
		return nil, err
	}
	began := time.Now()
	end := r.scaled(sc.End())
	select {
	case <-time.After(end):
	case <-ctx.Done():
	}
	complete := ctx.Err() == nil
	liveEnv{r}.Record(trace.PartyWorld, trace.RunEnd(map[bool]string{true: "end", false: "interrupted"}[complete], complete))
	r.shutdown()
	recs := r.rec.snapshot()
	tr := &trace.Trace{Header: trace.Header{Format: trace.Format, Scenario: sc.Path, ScenarioSHA256: sc.SHA256, Mode: mode.String(), Seed: seed}, Records: recs}
	return &Result{Trace: tr, Complete: complete, Secrets: r.site.Secrets(), Events: len(recs), End: sc.End(),
		NotApplicable: r.faults.NotApplicable(), Wall: time.Since(began)}, nil
}

// scaled turns scenario time into real time.
func (r *run) scaled(d time.Duration) time.Duration { return time.Duration(float64(d) * r.scale) }

// after runs fn after scenario time d, unless the run is over; fn takes the locks it needs.
func (r *run) after(d time.Duration, fn func()) {
	t := realtime.AfterFunc(nil, &r.join, r.scaled(d), fn)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.join.Closed() {
		// The run closed since the timer was armed: shutdown's list of timers is taken already.
		t.Stop()
		return
	}
	r.timers = append(r.timers, t)
}

func (r *run) isClosed() bool { return r.join.Closed() }

// goroutine runs fn as part of the run (shutdown waits for it).
func (r *run) goroutine(fn func()) { realtime.Go(&r.join, fn) }

// liveLimits bound every live party's server. The write timeout covers the longest answer a live
// party holds: the router passes MSG-4 through to a host that waits AdminWait (30 s, scaled by
// --time-scale) for its start, so 2 min allows a time scale of up to 3.
var liveLimits = httpbound.Limits{Write: 2 * time.Minute}

// loopback is where every live server listens: a free port of the loopback interface.
const loopback = "127.0.0.1:0"

// server is one of the run's HTTP servers (the site router, the front end, the mesh), which the
// run's shutdown closes; url is its base URL.
type server struct {
	*realtime.Server
	url string
}

// serve starts one of the run's servers for h.
func (r *run) serve(h http.Handler) (*server, error) {
	srv, err := realtime.Serve(loopback, h, liveLimits)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.servers = append(r.servers, srv)
	return &server{Server: srv, url: srv.URL()}, nil
}

// start brings up the platform and the router, records the initial state and schedules the timeline.
func (r *run) start() error {
	r.rec = newRecorder(r.scale)
	liveEnv{r}.Record(trace.PartyWorld, trace.RunStart{Scenario: r.sc.Name, Mode: r.mode.String(), Site: r.sc.Site.Name, HostID: r.sc.Site.HostID, Seed: r.seed, Strategy: "live", TimeScale: r.scale,
		End: r.sc.End(), SettleStart: r.sc.SettleStart(), FaultsEnd: r.sc.FaultsEnd,
		// P16 and P22 judge the live mesh by the max-wait it really runs with (its real-time floor
		// and a real timer's lateness, in scenario time).
		MeshMaxWait: r.unscaled(r.meshMaxWait() + timerLateness)}.Event())
	r.faults.arm()
	var err error
	if r.platform, err = newPlatform(r); err != nil {
		return err
	}
	if r.router, err = newRouter(r); err != nil {
		return err
	}
	r.contentChanged("initial")
	for i := 0; i < r.sc.Instances.Count; i++ {
		r.fleetMu.Lock()
		m, err := r.fleet.Start("initial", 0)
		r.fleetMu.Unlock()
		if err != nil {
			return err
		}
		if m != nil {
			r.timeline.Initial(i, m)
		}
	}
	r.timeline.Schedule(nil)
	return nil
}

// shutdown stops every timer and server and waits for the goroutines of the run.
func (r *run) shutdown() {
	r.join.Shut()
	// after and serve append under mu, and after stops a timer it finds the run closed for: every
	// timer and server is in these lists or stopped.
	r.mu.Lock()
	timers := r.timers
	servers := r.servers
	r.mu.Unlock()
	for _, t := range timers {
		t.Stop()
	}
	if r.fleetMu != nil {
		// The instances go without a record (their servers closed, their timers stopped), the
		// requests routed to them are answered 502, and their HTTP and storage calls are cancelled.
		r.fleetMu.Shut(r.fleet.Close)
	}
	if r.platform != nil {
		r.platform.pl.Shut(nil)
	}
	for _, s := range servers {
		s.Close()
	}
	r.join.Wait()
}

// httpClient is the client every live party uses: no connection reuse across runs, loopback only.
var httpClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil}}
