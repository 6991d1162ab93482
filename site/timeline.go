package site

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/trace"
)

// Clock is a driver's time, recorder and timers: the kernel's virtual time in the simulator, the
// real clock scaled to scenario time in a live run.
type Clock interface {
	// Elapsed is the scenario time since the run began.
	Elapsed() time.Duration
	// Now is the site's true clock, for the times tokens carry.
	Now() time.Time
	// At runs fn at scenario time t (at once if t is past), unless the run is over by then.
	At(t time.Duration, fn func())
	// Record appends a record by party.
	Record(party string, e trace.Event)
}

// Env is what the timeline acts on: a driver's instances and its client's channel to the site router.
type Env interface {
	Clock
	// Instances lists the instances not deleted, oldest first.
	Instances() []Instance
	// StartInstance creates an instance and returns it, or nil when the start is refused (a start
	// past the scenario's limit, recorded by the driver). placeholderFor, when positive, makes it a
	// pod from the placeholder pool: its first host start runs the placeholder for that long before
	// it specializes.
	StartInstance(reason string, placeholderFor time.Duration) Instance
	// DeleteInstance deletes an instance with all its memory; injected marks a fault's doing.
	// Deleting one already deleted does nothing.
	DeleteInstance(i Instance, reason string, injected bool)
	// DrainInstance takes an instance out of the site router's choice for good and records
	// instance.drain (reason, d): it takes no new request while its host runs on; the timeline
	// deletes it d later. An instance whose host has not started yet never starts it.
	DrainInstance(i Instance, reason string, d time.Duration)
	// RestartHost restarts the host of a running instance in place (a deploy): same instance.
	RestartHost(i Instance)
	// Send sends client call number call (already recorded) to the site router; pin, when set, asks
	// the router for that instance.
	Send(call int, kind string, req host.AdminRequest, pin string)
}

// Instance is one of a driver's instances, as the timeline picks them.
type Instance interface {
	// Name is the instance's name (CONTAINER_NAME), as a fault that acts on it records it.
	Name() string
	// Primary reports whether the instance's host believes it holds the primary lease.
	Primary() bool
	// Draining reports whether the instance is draining (DrainInstance): it takes no new requests
	// and is deleted soon; picks and deploys leave it out.
	Draining() bool
}

// Timeline plays a scenario's timeline over an Env: deploys, key rotations, admin syncs (with the
// caller's retries), scale-out, scale-in and restarts; and it numbers the client's calls. It is safe
// for concurrent use (a live run's answers arrive on their own goroutines).
type Timeline struct {
	sc   *scenarios.Scenario
	site *App
	env  Env

	mu       sync.Mutex
	nextCall int
	// retries are the MSG-4 calls whose caller retries them on failure, by call number.
	retries map[int]pendingRetry
	// named are the instances by the scenario's names (instances.names, start.name).
	named map[string]Instance
}

// pendingRetry is a MSG-4 call whose caller retries it if it fails.
type pendingRetry struct {
	auth    string
	retry   scenarios.Retry
	attempt int
}

// NewTimeline is the timeline of sc over env, acting on site.
func NewTimeline(sc *scenarios.Scenario, site *App, env Env) *Timeline {
	return &Timeline{sc: sc, site: site, env: env, retries: map[int]pendingRetry{}, named: map[string]Instance{}}
}

// Schedule schedules the timeline entries that play (every entry when plays is nil), and the
// faults.end and settle.start records.
func (t *Timeline) Schedule(plays func(index int) bool) {
	for i := range t.sc.Timeline {
		if plays != nil && !plays(i) {
			continue
		}
		a, index := t.sc.Timeline[i], i
		t.env.At(a.At, func() { t.Apply(index, a) })
	}
	t.env.At(t.sc.FaultsEnd, func() { t.env.Record(trace.PartyWorld, trace.FaultsEnd()) })
	t.env.At(t.sc.SettleStart(), func() { t.env.Record(trace.PartyWorld, trace.SettleStart()) })
}

// Initial tells the timeline that the driver started initial instance number index (from 0): the
// first ones take the scenario's instances.names.
func (t *Timeline) Initial(index int, i Instance) {
	if index < len(t.sc.Instances.Names) && i != nil {
		t.mu.Lock()
		t.named[t.sc.Instances.Names[index]] = i
		t.mu.Unlock()
	}
}

// Apply plays timeline entry index, action a.
func (t *Timeline) Apply(index int, a scenarios.Action) {
	ev := trace.Timeline(index, string(a.Kind), a.Line)
	var picked []Instance
	switch a.Kind {
	case scenarios.ActionDelete:
		picked, ev = t.pickFor(ev, a.Delete.Which, a.Delete.Count, a.Delete.Instance)
	case scenarios.ActionRestart:
		picked, ev = t.pickFor(ev, a.Restart.Which, a.Restart.Count, a.Restart.Instance)
	}
	t.env.Record(trace.PartyWorld, ev)
	switch a.Kind {
	case scenarios.ActionDeploy:
		t.deploy(a.Deploy)
	case scenarios.ActionRotateKey:
		t.rotateKey(a.RotateKey)
	case scenarios.ActionAdminSync:
		t.AdminSyncs(a.AdminSync.Count, a.AdminSync.Interval, a.AdminSync.Auth, a.AdminSync.Retry)
	case scenarios.ActionStart:
		for n := 0; n < a.Start.Count; n++ {
			if i := t.env.StartInstance("scale-out", a.Start.PlaceholderFor); i != nil && a.Start.Name != "" {
				t.mu.Lock()
				t.named[a.Start.Name] = i
				t.mu.Unlock()
			}
		}
	case scenarios.ActionDelete:
		for _, i := range picked {
			t.remove(i, "scale-in", a.Delete.Drain)
		}
	case scenarios.ActionRestart:
		for _, i := range picked {
			t.remove(i, "restart", a.Restart.Drain)
			t.env.StartInstance("restart", 0)
		}
	default:
		panic("site: unknown timeline action " + string(a.Kind))
	}
}

// pickFor is what a delete or restart acts on: the named instance, or Pick's choice. A named
// instance that is deleted (gone=true) or already draining (draining=true) is acted on no more;
// the entry's timeline record ev says so.
func (t *Timeline) pickFor(ev trace.Event, which string, count int, name string) ([]Instance, trace.Event) {
	if name == "" {
		return t.Pick(which, count), ev
	}
	ev = ev.With(trace.F("instance", name))
	t.mu.Lock()
	i := t.named[name]
	t.mu.Unlock()
	switch {
	case i == nil || !slices.Contains(t.env.Instances(), i):
		return nil, ev.With(trace.F("gone", true))
	case i.Draining():
		return nil, ev.With(trace.F("draining", true))
	}
	return []Instance{i}, ev
}

// remove deletes an instance at once, or with a drain: it takes no new requests from now on and
// is deleted drain later (scenarios.Delete).
func (t *Timeline) remove(i Instance, reason string, drain time.Duration) {
	if drain == 0 {
		t.env.DeleteInstance(i, reason, false)
		return
	}
	t.env.DrainInstance(i, reason, drain)
	t.after(drain, func() { t.env.DeleteInstance(i, reason, false) })
}

// deploy installs new functions: a new content revision, every running host restarts in place to
// load it, and the deploy hook calls MSG-4 (deploy tools do so 2-3 times, issue #11873).
func (t *Timeline) deploy(d *scenarios.Deploy) {
	t.env.Record(trace.PartyWorld, t.site.Deploy(d.Functions, "deploy"))
	t.RestartHosts()
	t.AdminSyncs(d.HookSyncs, d.HookInterval, "admin-key", scenarios.Retry{})
}

// RestartHosts restarts every running host in place, to load the site's new content; a draining
// instance keeps the content it has until it is deleted.
func (t *Timeline) RestartHosts() {
	for _, i := range t.env.Instances() {
		if !i.Draining() {
			t.env.RestartHost(i)
		}
	}
}

// Oversize is the oversize-payload fault's deploy: a function whose binding is large enough to push
// the payload past PAY-1's 204,800 characters (so the host publishes the minimal form, and the
// scenario's oversize_fallback decides what it logs), then the hosts restart as after any deploy.
func (t *Timeline) Oversize() {
	pad := strings.Repeat("x", host.MaxPayloadLength+1)
	fns := append([]host.Function{}, t.site.Functions()...)
	fns = append(fns, host.Function{Name: "Oversize" + strconv.Itoa(t.site.Revision()+1), Language: "node",
		Bindings: []host.Binding{{"type": "queueTrigger", "direction": "in", "name": "msg", "queueName": "big", "padding": pad}}})
	t.env.Record(trace.PartyWorld, t.site.Deploy(fns, "fault oversize-payload"))
	t.RestartHosts()
}

// rotateKey changes one key (a new revision) through the key API of an instance, whose controller
// then runs a foreground sync.
func (t *Timeline) rotateKey(r *scenarios.RotateKey) {
	t.env.Record(trace.PartyWorld, t.site.RotateKey(r))
	t.Call(trace.MsgKeys, host.AdminRequest{Method: "PUT", Path: "/admin/host/keys/" + r.Key.Name})
}

// AdminSyncs schedules count MSG-4 calls, interval apart, starting now; each is retried as retry says.
func (t *Timeline) AdminSyncs(count int, interval time.Duration, auth string, retry scenarios.Retry) {
	for i := 0; i < count; i++ {
		t.after(time.Duration(i)*interval, func() { t.adminSync(auth, retry, 0) })
	}
}

// adminSync makes one MSG-4 call; a caller that retries (core-tools #630) repeats it, retry.Delay
// after an answer other than 200, up to retry.Count more times (Answered). attempt 0 is the first.
func (t *Timeline) adminSync(auth string, retry scenarios.Retry, attempt int) {
	req := host.AdminRequest{Method: "POST", Path: host.PathSyncTriggers, Headers: t.site.AuthHeaders(auth, t.env.Now())}
	var ev trace.Event
	call := t.number()
	if attempt > 0 {
		ev = trace.ClientCall(call, trace.MsgMSG4, req.Path).With(trace.F("retry", attempt))
	} else {
		ev = trace.ClientCall(call, trace.MsgMSG4, req.Path)
	}
	if attempt < retry.Count {
		t.mu.Lock()
		t.retries[call] = pendingRetry{auth: auth, retry: retry, attempt: attempt + 1}
		t.mu.Unlock()
	}
	t.send(call, ev, trace.MsgMSG4, req, "")
}

// Answered takes the status of a MSG-4 call's answer: a caller that retries calls again, retry.Delay
// later, after an answer other than 200.
func (t *Timeline) Answered(call, status int) {
	t.mu.Lock()
	p, ok := t.retries[call]
	delete(t.retries, call)
	t.mu.Unlock()
	if !ok || status == 200 {
		return
	}
	t.after(p.retry.Delay, func() { t.adminSync(p.auth, p.retry, p.attempt) })
}

// Call makes a client call to the site router.
func (t *Timeline) Call(kind string, req host.AdminRequest) {
	call := t.number()
	t.send(call, trace.ClientCall(call, kind, req.Path), kind, req, "")
}

// CallPinned makes a client call that the router delivers to instance pin when it can (concurrent
// syncs inside one instance); pin "" is a call that found no instance to pin.
func (t *Timeline) CallPinned(kind string, req host.AdminRequest, pin string) {
	call := t.number()
	t.send(call, trace.ClientCall(call, kind, req.Path).With(trace.F("pin", pin)), kind, req, pin)
}

func (t *Timeline) number() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.nextCall++
	return t.nextCall
}

func (t *Timeline) send(call int, ev trace.Event, kind string, req host.AdminRequest, pin string) {
	t.env.Record(trace.PartyClient, ev)
	t.env.Send(call, kind, req, pin)
}

func (t *Timeline) after(d time.Duration, fn func()) { t.env.At(t.env.Elapsed()+d, fn) }

// Pick chooses the instances a scale-in, a restart or a scale-in fault acts on: "all", the count
// oldest, the primary (else the newest), or the count newest, among those not draining.
func (t *Timeline) Pick(which string, count int) []Instance {
	var live []Instance
	for _, i := range t.env.Instances() {
		if !i.Draining() {
			live = append(live, i)
		}
	}
	switch which {
	case "all":
		return live
	case "oldest":
		return live[:min(count, len(live))]
	case "primary":
		for _, i := range live {
			if i.Primary() {
				return []Instance{i}
			}
		}
	}
	var out []Instance
	for i := len(live) - 1; i >= 0 && len(out) < count; i-- {
		out = append(out, live[i])
	}
	return out
}
