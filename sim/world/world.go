package world

import (
	"fmt"
	"slices"

	"time"

	"github.com/syncsim/syncsim/plant"
	"github.com/syncsim/syncsim/scenarios/faults"
	"github.com/syncsim/syncsim/site"
	"github.com/syncsim/syncsim/trace"

	"github.com/syncsim/syncsim/fakes/blob"
	"github.com/syncsim/syncsim/fakes/mesh"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/sim"
)

// Options change a run without changing its scenario.
type Options struct {
	// Strategy names the exploration strategy (sim.StrategyNames); "" is the kernel's default.
	Strategy string
	// Faults are armed in addition to the scenario's (the CLI's --fault).
	Faults []faults.Spec
	// Script, when set, makes the run follow a recorded schedule (replay and shrink).
	Script *trace.Schedule
	// Plant is the planted defects' interceptors (package plant), put into every host, the
	// front end, the mesh, the platform store and the blob model; the zero value plants nothing.
	Plant plant.Set
	// Decide, when set, decides every fault opportunity (by its firing key) and every scheduling
	// choice the strategy offers (by its choice key) instead of the seed and the Script; it gets the
	// run so that it can read its state (simrun explore: explore).
	Decide func(w *World, key string) bool
}

// Result is a finished run.
type Result struct {
	Trace   *trace.Trace
	Outcome sim.Outcome
	// End is the planned end (the end of the settle window); SettleStart its beginning.
	End, SettleStart time.Duration
	// Secrets lists every credential the run used (keys, the encryption key), for redaction checks.
	Secrets []string
	// Schedule is the schedule the run followed, read off its trace.
	Schedule trace.Schedule
	// Unfollowed lists what a Script asked for that never came up (a schedule this build cannot
	// follow: its behaviour changed since the trace was recorded).
	Unfollowed []string
	// TraceHash is Trace.Hash(), computed as the records were added (trace.Recorder.Sum).
	TraceHash string
}

// Timeouts of the simulated clients that the contract leaves to the transport.
const (
	blobTimeout = 30 * time.Second
)

// World is one run in progress.
type World struct {
	sc   *scenarios.Scenario
	mode host.Mode
	opts Options

	k      *sim.Kernel
	net    *sim.Network
	engine *engine
	// fleet is the site's instances and router its site router (site).
	fleet  *site.Fleet
	router *site.Router

	blobs *blob.Store
	store *mesh.Store
	// fe and mesh interpret the front end and the mesh machine (site).
	fe   *site.FrontEnd
	mesh *site.Mesh

	meshTimers  map[string]sim.Timer
	meshFetches map[int]sim.Timer
	// meshSkew is the mesh's clock offset under an injected clock-skew fault.
	meshSkew time.Duration

	// site is the site's content and keys; timeline plays the scenario's timeline on the world.
	site     *site.App
	timeline *site.Timeline

	// leaseHolders maps the lock blob's lease ids to the instance that acquired them (lease records).
	leaseHolders map[string]string
}

// Run plays a scenario in one mode with one seed.
func Run(sc *scenarios.Scenario, mode host.Mode, seed uint64, opts Options) (*Result, error) {
	if !modeKnown(mode) {
		return nil, fmt.Errorf("world: mode %s is not implemented", mode)
	}
	w := newWorld(sc, mode, seed, opts)
	strategy, err := sim.NewStrategy(opts.Strategy, w.k.Streams, nil)
	if err != nil {
		return nil, fmt.Errorf("world: %w", err)
	}
	w.k.SetStrategy(strategy)
	if opts.Script != nil && opts.Script.Choices != nil {
		allowed := map[string]bool{}
		for _, c := range opts.Script.Choices {
			allowed[c] = true
		}
		w.k.SetChoiceFilter(func(key string) bool { return allowed[key] })
	}
	if opts.Decide != nil {
		w.k.SetChoiceFilter(func(key string) bool { return opts.Decide(w, key) })
	}
	for _, f := range opts.Faults {
		if err := f.Validate(); err != nil {
			return nil, fmt.Errorf("world: %w", err)
		}
	}
	header := trace.Header{Format: trace.Format, Scenario: sc.Path, ScenarioSHA256: sc.SHA256, Mode: mode.String(), Seed: seed}
	w.k.Trace.HashHeader(header)
	w.setup()
	out := w.k.Run(sc.End())
	// P1 and P13 judge what the store returns at the end, not what its writes reported.
	w.storeSnapshot("settle-end")
	w.k.Trace.Put(trace.PartyWorld, trace.RunEnd(string(out.Reason), out.Reason.Complete()))
	tr := &trace.Trace{Header: header, Records: w.k.Trace.Records()}
	res := &Result{Trace: tr, Outcome: out, End: sc.End(), SettleStart: sc.SettleStart(), Secrets: w.site.Secrets(),
		Schedule: trace.ScheduleOf(tr), Unfollowed: w.unfollowed(), TraceHash: w.k.Trace.Sum()}
	return res, nil
}

func modeKnown(m host.Mode) bool {
	for _, x := range host.Modes() {
		if x == m {
			return true
		}
	}
	return false
}

func newWorld(sc *scenarios.Scenario, mode host.Mode, seed uint64, opts Options) *World {
	maxTime := sc.Budget.MaxTime
	k := sim.NewKernel(seed, sim.Budget{MaxEvents: sc.Budget.MaxEvents, MaxTime: maxTime})
	// The scenario's random link rates are armed as catalogue faults (site.SpecsFor), so that every firing
	// has a key; the links themselves carry only delays.
	link := sim.Link{DelayMin: sc.Network.DelayMin, DelayMax: sc.Network.DelayMax}
	w := &World{
		sc: sc, mode: mode, opts: opts, k: k,
		net:        sim.NewNetwork(k, link, sc.FaultsEnd),
		blobs:      blob.New(),
		store:      mesh.NewStore(),
		meshTimers: map[string]sim.Timer{}, meshFetches: map[int]sim.Timer{},
	}
	w.blobs.Seams = opts.Plant.Blob
	w.store.Seams = opts.Plant.Store
	w.fe = site.NewFrontEnd(&mesh.FrontEnd{Site: sc.Site, Store: w.store, Seams: opts.Plant.FrontEnd}, sc.Site, frontEndEnv{w})
	w.mesh = site.NewMesh(mesh.New(mesh.Config{Site: sc.Site, Store: w.store, Rand: k.Streams.Stream("mesh"),
		Debounce: sc.Mesh.Debounce, RetryBudget: sc.Mesh.RetryBudget, Seams: opts.Plant.Mesh, Wrapper: opts.Plant.MeshWrapper}), meshEnv{w})
	w.site = site.NewApp(sc, k.Streams)
	w.engine = newEngine(w)
	w.fleet = site.NewFleet(site.FleetConfig{Scenario: sc, Mode: mode, Streams: k.Streams, Site: w.site, Faults: w.engine.Faults}, fleetEnv{w})
	w.router = site.NewRouter(w.fleet)
	w.timeline = site.NewTimeline(sc, w.site, timelineEnv{worldEnv{w}, w.fleet})
	return w
}

func (w *World) now() time.Time { return w.k.Now() }

// Kernel is the run's kernel (simrun explore reads its pending events and clock).
func (w *World) Kernel() *sim.Kernel { return w.k }

// storeSnapshot records the platform store's Get for the site (P1, P2, P4, P13): after every store
// write, and at the end of the run.
func (w *World) storeSnapshot(at string) {
	e, ok := w.store.Get(w.sc.Site.Name)
	w.k.Trace.Put(trace.PartyWorld, site.StoreSnapshotEvent(e, ok, at))
}

// setup records the initial state and schedules the timeline.
func (w *World) setup() {
	tr := w.k.Trace
	tr.Put(trace.PartyWorld, trace.RunStart{Scenario: w.sc.Name, Mode: w.mode.String(), Site: w.sc.Site.Name, HostID: w.sc.Site.HostID, Seed: w.k.Streams.Seed(), Strategy: w.k.Strategy().Name(),
		End: w.sc.End(), SettleStart: w.sc.SettleStart(), FaultsEnd: w.sc.FaultsEnd}.Event())
	specs := site.SpecsFor(w.sc, w.opts.Faults)
	if w.opts.Strategy == "swarm" {
		specs = site.Swarm(specs, w.k.Streams)
	}
	w.armFaults(specs)
	if err := w.blobs.CreateContainer(w.now(), host.HostsContainer); err != nil {
		panic("world: " + err.Error())
	}
	w.contentChanged("initial")
	w.net.Attach(trace.PartyStorage, w.onStorage)
	w.net.Attach(trace.PartyFrontEnd, w.onFrontEnd)
	w.net.Attach(trace.PartyMesh, w.onMesh)
	w.net.Attach(trace.PartyRouter, w.onRouter)
	w.net.Attach(trace.PartyClient, w.onClient)
	for i := 0; i < w.sc.Instances.Count; i++ {
		if m, _ := w.fleet.Start("initial", 0); m != nil {
			w.timeline.Initial(i, m)
		}
	}
	w.timeline.Schedule(w.plays)
}

// plays reports whether the run plays timeline entry i (a Script may leave entries out).
func (w *World) plays(i int) bool {
	sc := w.opts.Script
	return sc == nil || sc.Timeline == nil || slices.Contains(sc.Timeline, i)
}

// unfollowed lists the Script's firings and choices that never came up.
func (w *World) unfollowed() []string {
	out := w.engine.Unused()
	if sc := w.opts.Script; sc != nil && sc.Choices != nil {
		taken := map[string]bool{}
		for _, c := range trace.ScheduleOf(&trace.Trace{Records: w.k.Trace.Records()}).Choices {
			taken[c] = true
		}
		for _, c := range sc.Choices {
			if !taken[c] {
				out = append(out, c)
			}
		}
	}
	return out
}
