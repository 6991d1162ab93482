package site

import (
	"errors"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/random"
	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/trace"
)

// Timer is a callback a driver's clock armed (FleetEnv.After). Stop keeps it from running; stopping
// one that ran or was stopped does nothing.
type Timer interface{ Stop() }

// Transport is how a driver carries an instance's traffic: its endpoint, what its host sends, and
// what the site router forwards to it. Every method is called from inside a call into the fleet or
// the router, so a driver that runs them on goroutines holds its lock around those calls.
type Transport interface {
	// Attach makes instance m reachable (a handler on the simulated network, an HTTP server live)
	// and returns its address for the instance.create record ("" when it has none).
	Attach(m *Member) (address string, err error)
	// Detach makes m unreachable for good: what is on its way to it is lost, open connections are cut.
	Detach(m *Member)
	// Send makes m's MSG-1 or MSG-2 request (recorded already) and answers with m.HTTPDone, or
	// m.HTTPTimeout when nothing came back within s.Timeout.
	Send(m *Member, s host.Send)
	// Blob performs m's storage call and answers with m.BlobDone, or m.BlobTimeout.
	Blob(m *Member, c host.BlobCall)
	// Respond carries m's answer to routed request r.ReqID back to the site router, which relays it
	// with Router.Answer.
	Respond(m *Member, r host.Respond)
	// Forward carries the router's request r to its instance r.To, which takes it with
	// Member.Request; a transport that cannot deliver it says so with Router.Fail.
	Forward(r *Route)
}

// FleetEnv is what a driver gives its fleet and router: a clock, a recorder, a transport, and its
// own part of a host's config.
type FleetEnv interface {
	Transport
	// Now is the site's true clock (an instance's clock adds its injected skew).
	Now() time.Time
	// After runs fn after d on the driver's clock, unless the run is over by then.
	After(d time.Duration, fn func()) Timer
	// Record appends a record by party.
	Record(party string, e trace.Event)
	// Configure adds to a new instance's host config what is the driver's own: the platform's
	// addresses, planted defects, timer scaling. The scenario's part is set already (HostConfig).
	Configure(m *Member, cfg *host.Config)
}

// FleetConfig is what a fleet is built from.
type FleetConfig struct {
	Scenario *scenarios.Scenario
	Mode     host.Mode
	// Streams are the run's seeded streams: instance names ("instances"), the router's choice
	// ("router") and each host's ("host/<name>").
	Streams random.Streams
	Site    *App
	Faults  *Faults
	// TimeScale turns the scenario's durations (an instance's startup, a placeholder's time) into
	// the driver's clock's: 0 or 1 in the simulator, the run's time scale live.
	TimeScale float64
	// Lock, when set, is the lock the driver holds around every call into the fleet: Primary and
	// Draining take it, as the timeline reads them from its own goroutine (site.Instance).
	Lock sync.Locker
}

// Fleet is the site's instances, for every driver: starting one (the start limit, its name, its
// host's config, the faults that stay with it), its host's start after the startup time (with what
// the host faults have it load, and a placeholder's specialization), in-place restarts, drains and
// deletes (with the site router's answers to what was in flight), and the point faults a host
// reaches. It writes instance.create, instance.refused, host.start, host.stop, host.specialized,
// instance.drain and instance.delete, and carries the rest out through the driver's FleetEnv. It
// implements the instance part of the timeline's Env. Fleet is not safe for concurrent use.
type Fleet struct {
	sc      *scenarios.Scenario
	mode    host.Mode
	streams random.Streams
	site    *App
	faults  *Faults
	scale   float64
	lock    sync.Locker
	env     FleetEnv

	life    *Lifecycle
	members map[string]*Member
	router  *Router
	closed  bool
}

// ErrClosed is Fleet.Start's error once the fleet is closed (the run is over).
var ErrClosed = errors.New("site: the fleet is closed")

// NewFleet is a fleet with no instance yet.
func NewFleet(c FleetConfig, env FleetEnv) *Fleet {
	return &Fleet{sc: c.Scenario, mode: c.Mode, streams: c.Streams, site: c.Site, faults: c.Faults, scale: c.TimeScale,
		lock: c.Lock, env: env, life: NewLifecycle(c.Streams, "pod"), members: map[string]*Member{}}
}

// Member is one instance of the fleet: its lifecycle, its host machine with the machine's
// interpreter, the host's timers and the timeouts its transport awaits.
type Member struct {
	f     *Fleet
	inst  *Worker
	party string
	m     *host.Machine
	h     *Host
	addr  string
	// timers are the machine's timers by key; fires their callbacks, made the first time a key is
	// set: they depend on nothing but the member and the key.
	timers map[string]Timer
	fires  map[string]func()
	// waits are the timeouts the transport armed for answers (Await).
	waits                         map[int]Timer
	starting, restart, specialize Timer
	// skew is the instance's clock offset under an injected clock-skew fault.
	skew time.Duration
	// placeholderFor is how long a pod started from the placeholder pool (a start action's
	// placeholder_for) runs the placeholder host at its first start before it specializes.
	placeholderFor time.Duration
	// draining is set once the timeline drains the instance: the router no longer picks it.
	draining bool
}

var _ Instance = (*Member)(nil)

// Name is the instance's name (CONTAINER_NAME).
func (m *Member) Name() string { return m.inst.Name }

// Index is the instance's order of creation, from 0: the places of its fault opportunities.
func (m *Member) Index() int { return m.inst.Index }

// Party is the instance's trace party.
func (m *Member) Party() string { return m.party }

// Address is what the transport's Attach returned.
func (m *Member) Address() string { return m.addr }

// Alive reports whether the instance is not deleted.
func (m *Member) Alive() bool { return m.inst.State != Deleted }

// routable reports whether the router may pick the instance: running, ready and not draining.
func (m *Member) routable() bool { return m.inst.State == Running && !m.draining }

// Primary reports whether the instance's host believes it holds the primary lease, as the timeline
// picks.
func (m *Member) Primary() bool {
	defer m.f.locked()()
	return m.m.Primary()
}

// Draining reports whether the timeline drains the instance (Fleet.Drain).
func (m *Member) Draining() bool {
	defer m.f.locked()()
	return m.draining
}

func (f *Fleet) locked() func() {
	if f.lock == nil {
		return func() {}
	}
	f.lock.Lock()
	return f.lock.Unlock
}

// clock turns a scenario duration into the driver's clock's.
func (f *Fleet) clock(d time.Duration) time.Duration {
	if f.scale == 0 || f.scale == 1 {
		return d
	}
	return time.Duration(float64(d) * f.scale)
}

// Start creates an instance with a new name; its host starts after the scenario's startup time. A
// start past the scenario's limits.instance_starts is refused and recorded (AdmitStart), and gives
// nil: faults (restart-instance, scale-out, scale-to-zero) start instances the loader cannot count.
// placeholderFor, when positive, makes it a pod from the placeholder pool.
func (f *Fleet) Start(reason string, placeholderFor time.Duration) (*Member, error) {
	if f.closed {
		return nil, ErrClosed
	}
	if !AdmitStart(f.sc, len(f.members), reason, f.env.Record) {
		return nil, nil
	}
	// Records carry the time; the lifecycle's start time is not read.
	inst := f.life.Create(0)
	m := &Member{f: f, inst: inst, party: trace.InstanceParty(inst.Name), timers: map[string]Timer{}, fires: map[string]func(){},
		waits: map[int]Timer{}, placeholderFor: placeholderFor}
	// The scenario's part of the host's config is HostConfig's, whichever driver runs it.
	cfg := HostConfig(f.sc, f.mode, inst.Name, f.streams)
	cfg.Secrets = f.site.SecretsNow
	cfg.SecretsError = func() string { return f.faults.SecretsError(inst.Index, inst.Name) }
	f.env.Configure(m, &cfg)
	// Clock skew (TOK-2..5) and an unstable payload serialization (#9255) stay with the instance.
	created := f.faults.AtCreate(m.party, inst.Index)
	m.skew, cfg.UnstablePayload = created.Skew, created.UnstablePayload
	m.m = host.NewMachine(cfg)
	m.h = NewHost(m.m, m.party, f.sc.Site, memberEnv{m})
	f.members[inst.Name] = m
	addr, err := f.env.Attach(m)
	if err != nil {
		// The start counts against the limit and its index is spent, as the driver could not
		// place the instance; it is gone before it was created.
		inst.State = Deleted
		return nil, err
	}
	m.addr = addr
	f.env.Record(m.party, trace.InstanceCreate(reason, inst.Index, addr))
	m.starting = f.env.After(f.clock(f.sc.Instances.Startup), func() { f.hostStart(m) })
	return m, nil
}

// hostStart makes the instance ready and starts its host with the content of the moment, unless a
// host fault has it load something else.
func (f *Fleet) hostStart(m *Member) {
	if !m.Alive() {
		return
	}
	m.inst.State = Running
	loaded := f.startLoad(m, f.site.Loaded())
	// The host's start took the scenario's startup time (`Host started ({ms}ms)`).
	loaded.Took = f.sc.Instances.Startup
	f.env.Record(m.party, trace.HostStart(loaded.Revision, len(loaded.Functions), loaded.Placeholder))
	m.h.Start(loaded)
}

// startLoad decides what a starting host loads (Faults.AtHostStart): nothing, the placeholder for
// a while, or what it was given.
func (f *Fleet) startLoad(m *Member, loaded host.Loaded) host.Loaded {
	st := f.faults.AtHostStart(m.party, m.inst.Index, m.placeholderFor, loaded)
	if st.TookPlaceholder {
		m.placeholderFor = 0
	}
	if st.Guard != nil {
		m.m.SetPlaceholderGuard(*st.Guard)
	}
	if st.Loaded.Placeholder {
		f.specializeAfter(m, st.Specialize)
	}
	return st.Loaded
}

// specializeAfter has a placeholder host specialize d from now: the real host starts.
func (f *Fleet) specializeAfter(m *Member, d time.Duration) {
	stop(m.specialize)
	m.specialize = f.env.After(f.clock(d), func() {
		if !m.Alive() {
			return
		}
		f.env.Record(m.party, trace.HostSpecialized())
		m.h.Start(f.site.Loaded())
	})
}

// Restart restarts the host inside a running instance (a deploy): same instance, same name.
func (f *Fleet) Restart(m *Member) {
	if !m.Alive() || m.inst.State != Running || !m.m.Running() {
		return
	}
	f.env.Record(m.party, trace.HostStop("deploy"))
	m.h.Stop()
	stop(m.restart)
	m.restart = f.env.After(f.clock(f.sc.Instances.Startup), func() { f.hostStart(m) })
}

// Delete removes an instance with all its memory and in-flight work; injected marks a fault's
// doing. What it sent already stays on its way; the router answers 502 to the requests it forwarded
// to it that it had not answered (the connection to the instance reset).
func (f *Fleet) Delete(m *Member, reason string, injected bool) {
	if !m.Alive() {
		return
	}
	m.inst.State = Deleted
	f.env.Record(m.party, trace.InstanceDelete(reason, injected))
	f.env.Detach(m)
	m.stopAll()
	if f.router != nil {
		f.router.lost(m)
	}
}

// stopAll stops every timer of the member, each kind in a fixed order.
func (m *Member) stopAll() {
	for _, key := range slices.Sorted(maps.Keys(m.timers)) {
		m.timers[key].Stop()
	}
	for _, id := range slices.Sorted(maps.Keys(m.waits)) {
		m.waits[id].Stop()
	}
	stop(m.restart)
	stop(m.starting)
}

// Drain takes an instance out of the router's choice for good: it takes no new request (MSG-3,
// MSG-4, key API, pinned or not), while its host runs on and what it has in flight finishes; the
// timeline deletes it d later. An instance whose host has not started yet never starts it, and a
// pending in-place restart does not happen.
func (f *Fleet) Drain(m *Member, reason string, d time.Duration) {
	if !m.Alive() || m.draining {
		return
	}
	m.draining = true
	f.env.Record(m.party, trace.InstanceDrain(reason, d))
	stop(m.starting)
	stop(m.restart)
}

// Live lists the instances not deleted, oldest first.
func (f *Fleet) Live() []*Member {
	var out []*Member
	for _, inst := range f.life.Live() {
		out = append(out, f.members[inst.Name])
	}
	return out
}

// Routable lists the instances the router may pick: running, ready and not draining, sorted by
// name (Lifecycle.Ready).
func (f *Fleet) Routable() []*Member {
	var out []*Member
	for _, inst := range f.life.Ready() {
		if m := f.members[inst.Name]; !m.draining {
			out = append(out, m)
		}
	}
	return out
}

// routableNamed is the instance named name when the router may pick it; nil otherwise (and for "").
func (f *Fleet) routableNamed(name string) *Member {
	if m, ok := f.members[name]; ok && m.routable() {
		return m
	}
	return nil
}

// Close deletes every instance without a record (the run is over): endpoints detached, timers
// stopped, the router's open routes answered 502. Later starts give ErrClosed.
func (f *Fleet) Close() {
	f.closed = true
	for _, m := range f.Live() {
		m.inst.State = Deleted
		f.env.Detach(m)
		m.stopAll()
		if f.router != nil {
			f.router.lost(m)
		}
	}
}

// point fires the point faults (delete-instance, restart-instance) armed for a fault point the
// instance's host reached: the instance is deleted, and restart-instance starts a new one.
func (f *Fleet) point(m *Member, p host.Point) {
	in := f.faults.AtPoint(p.Name, p.Background, m.inst.Index)
	if in == nil {
		return
	}
	f.faults.Fire(in, m.party, trace.F("point", p.Name), trace.F("span", p.Span))
	f.Delete(m, "fault "+in.Spec.Name+" at "+p.Name, true)
	if in.Spec.Name == "restart-instance" {
		// A refused or failed start leaves the site one instance short, as a platform that could not
		// place the pod would.
		f.Start("fault restart-instance", 0)
	}
}

// The timeline's Env, instance part.

// Instances lists the instances not deleted, oldest first.
func (f *Fleet) Instances() []Instance {
	var out []Instance
	for _, m := range f.Live() {
		out = append(out, m)
	}
	return out
}

// StartInstance is Start for the timeline: nil for a refused or failed start (not a nil *Member in
// an interface).
func (f *Fleet) StartInstance(reason string, placeholderFor time.Duration) Instance {
	m, err := f.Start(reason, placeholderFor)
	if m == nil || err != nil {
		return nil
	}
	return m
}

// DeleteInstance is Delete for the timeline.
func (f *Fleet) DeleteInstance(i Instance, reason string, injected bool) {
	f.Delete(i.(*Member), reason, injected)
}

// DrainInstance is Drain for the timeline.
func (f *Fleet) DrainInstance(i Instance, reason string, d time.Duration) {
	f.Drain(i.(*Member), reason, d)
}

// RestartHost is Restart for the timeline.
func (f *Fleet) RestartHost(i Instance) { f.Restart(i.(*Member)) }

// The driver's inputs to an instance: answers to its host's requests, and requests routed to it.
// Each is dropped once the instance is gone.

// HTTPDone answers the host's MSG-1/MSG-2 id.
func (m *Member) HTTPDone(id int, r host.HTTPResult) {
	if m.Alive() {
		m.h.HTTPDone(id, r)
	}
}

// HTTPTimeout answers the host's MSG-1/MSG-2 id that got no answer within its timeout.
func (m *Member) HTTPTimeout(id int) {
	if m.Alive() {
		m.h.HTTPTimeout(id)
	}
}

// BlobDone answers the host's storage call id.
func (m *Member) BlobDone(id int, r host.BlobResult) {
	if m.Alive() {
		m.h.BlobDone(id, r)
	}
}

// BlobTimeout answers the host's storage call id (of operation op) that got no answer in time.
func (m *Member) BlobTimeout(id int, op host.BlobOp) {
	if m.Alive() {
		m.h.BlobTimeout(id, op)
	}
}

// Request hands the instance request route of kind (MSG-3, MSG-4, the key API) as the router
// forwarded it; tokenFault is the firing key of a token-invalid fault that replaced its token.
func (m *Member) Request(route int, kind string, req host.AdminRequest, tokenFault string) {
	if !m.Alive() {
		return
	}
	if kind == trace.MsgKeys {
		// The key API stored the new key already (the site's content).
		m.h.PutKey(route)
		return
	}
	m.h.Admin(route, req, tokenFault)
}

// Await registers t, the timeout a transport armed for an answer it awaits for the instance (the
// key is the transport's), so that deleting the instance stops it.
func (m *Member) Await(key int, t Timer) { m.waits[key] = t }

// Settle stops and forgets the timeout awaited under key, and reports whether there was one: an
// answer that finds none came after its timeout, or twice.
func (m *Member) Settle(key int) bool {
	t, ok := m.waits[key]
	if ok {
		t.Stop()
		delete(m.waits, key)
	}
	return ok
}

// Expire forgets the timeout awaited under key as it fires, and reports whether it was still
// awaited.
func (m *Member) Expire(key int) bool {
	_, ok := m.waits[key]
	delete(m.waits, key)
	return ok
}

func stop(t Timer) {
	if t != nil {
		t.Stop()
	}
}

// memberEnv is the HostEnv the fleet gives each instance's host: the site's clock with the
// instance's skew, its keyed timers on the driver's clock, the point faults, and the driver's
// transport for the rest.
type memberEnv struct{ m *Member }

var _ HostEnv = memberEnv{}

func (e memberEnv) Now() time.Time                      { return e.m.f.env.Now() }
func (e memberEnv) HostNow() time.Time                  { return e.m.f.env.Now().Add(e.m.skew) }
func (e memberEnv) Alive() bool                         { return e.m.Alive() }
func (e memberEnv) Record(party string, ev trace.Event) { e.m.f.env.Record(party, ev) }
func (e memberEnv) Point(p host.Point)                  { e.m.f.point(e.m, p) }
func (e memberEnv) Send(s host.Send)                    { e.m.f.env.Send(e.m, s) }
func (e memberEnv) Blob(c host.BlobCall)                { e.m.f.env.Blob(e.m, c) }

// SetTimer arms the machine's timer key on the driver's clock: the machine's durations are the
// clock's already (a live host's config is scaled).
func (e memberEnv) SetTimer(key string, after time.Duration) {
	m := e.m
	if t, ok := m.timers[key]; ok {
		t.Stop()
	}
	fire, ok := m.fires[key]
	if !ok {
		fire = func() {
			if !m.Alive() {
				return
			}
			delete(m.timers, key)
			m.h.Timer(key)
		}
		m.fires[key] = fire
	}
	m.timers[key] = m.f.env.After(after, fire)
}

func (e memberEnv) CancelTimer(key string) {
	if t, ok := e.m.timers[key]; ok {
		t.Stop()
		delete(e.m.timers, key)
	}
}

// Respond sends the host's answer to the router; the route counts as answered from now on, so
// that deleting the instance does not answer it 502 as well.
func (e memberEnv) Respond(r host.Respond) {
	if rt := e.m.f.router; rt != nil {
		rt.responded(r.ReqID)
	}
	e.m.f.env.Respond(e.m, r)
}
