package live

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/drive"
	"github.com/syncsim/syncsim/internal/trace"
	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/sim"
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
	streams sim.Streams
	scale   float64
	rec     *recorder
	store   *storage
	log     io.Writer

	// site is the site's content and keys; timeline plays the scenario's timeline on the run.
	site     *drive.Site
	timeline *drive.Timeline

	mu    sync.Mutex
	rng   *rand.Rand
	hosts []*liveHost
	// started counts the instances the run started (drive.AdmitStart's count); an index is
	// taken under mu before the host exists.
	started int

	router   *router
	platform *platform
	faults   *faultEngine
	servers  []*server
	timers   []*time.Timer
	due      dueAt
	wg       sync.WaitGroup
	closed   bool
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
	streams := sim.NewStreams(seed)
	r := &run{sc: sc, mode: mode, seed: seed, streams: streams, scale: scale, log: opts.Log, site: drive.NewSite(sc, streams),
		rng: streams.Stream("router"), store: &storage{client: client, timeout: 30 * time.Second}}
	r.timeline = drive.NewTimeline(sc, r.site, liveEnv{r})
	setupCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := r.store.reset(setupCtx); err != nil {
		return nil, fmt.Errorf("live: storage: %w", err)
	}
	r.faults = newFaultEngine(r)
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

// after runs fn after scenario time d, unless the run is over.
func (r *run) after(d time.Duration, fn func()) *time.Timer {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil
	}
	r.wg.Add(1)
	t := time.AfterFunc(r.scaled(d), func() {
		defer r.wg.Done()
		if r.isClosed() {
			return
		}
		fn()
	})
	r.timers = append(r.timers, t)
	return t
}

func (r *run) isClosed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.closed
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
		h, err := r.startInstance("initial")
		if err != nil {
			return err
		}
		if h != nil {
			r.timeline.Initial(i, h)
		}
	}
	r.timeline.Schedule(nil)
	return nil
}

// shutdown stops every timer and server and waits for the goroutines of the run.
func (r *run) shutdown() {
	r.mu.Lock()
	r.closed = true
	timers := r.timers
	hosts := append([]*liveHost(nil), r.hosts...)
	servers := r.servers
	r.mu.Unlock()
	for _, t := range timers {
		if t.Stop() {
			r.wg.Done()
		}
	}
	for _, h := range hosts {
		h.kill()
	}
	if r.platform != nil {
		r.platform.mu.Lock()
		r.platform.timers.stopAll()
		r.platform.mu.Unlock()
	}
	for _, s := range servers {
		s.close()
	}
	r.wg.Wait()
}

// errClosed is returned by calls made after the run ended.
var errClosed = errors.New("live: run is over")

// httpClient is the client every live party uses: no connection reuse across runs, loopback only.
var httpClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil}}
