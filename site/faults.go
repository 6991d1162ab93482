// Fault arming and the fire decision, shared by every driver.
//
// Every decision draws from randomness derived from the run's seed and the decision's own place,
// never from one stream shared by the whole engine, so that adding or removing an operation (another
// fault point, another message, another armed fault) leaves every unrelated decision as it was:
//
//   - whether an opportunity fires: a stateless hash of (seed, "faults/fire/label@place", n) for the
//     n-th opportunity of that injector at that place, the same n as the firing key label@place#n;
//   - a reorder's hold-back delay: a stream derived from the firing key it belongs to (HoldBack);
//   - a timed fault's gaps: one stream per injector ("faults/gap/label");
//   - swarm's choice and scale of each profile fault: one stream per fault ("swarm/fault/label").
//
// What still couples runs is behaviour, not dice: a fault that fires changes what happens next.
// The drivers carry firings out (the simulator's kernel, the live runtime's goroutines); this file
// decides them and writes their records.

package site

import (
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/random"
	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/scenarios/faults"
	"github.com/syncsim/syncsim/trace"
)

// Injector is one armed fault of a run: a catalogue fault with its parameters and its firings.
type Injector struct {
	// Spec is the fault as armed.
	Spec faults.Spec
	// Label names the injector in firing keys: the fault's name, with ".k" for the k-th repeat of
	// the same fault in one run.
	Label string
	Kind  faults.Kind
	after time.Duration
	until time.Duration
	count int
	p     float64
	fired int
	// key is the firing key of the opportunity rolled last.
	key string
	// gaps draws a timed fault's gaps between opportunities; nil for other kinds.
	gaps *rand.Rand
}

// Key is the firing key of the injector's last opportunity.
func (in *Injector) Key() string { return in.key }

// open reports whether the injector may fire now: inside its window, before faults_end, under its count.
func (in *Injector) open(now, faultsEnd time.Duration) bool {
	end := faultsEnd
	if in.until > 0 {
		end = min(end, in.until)
	}
	return now >= in.after && now < end && (in.count == 0 || in.fired < in.count)
}

func newInjector(spec faults.Spec, label string) *Injector {
	in := &Injector{Spec: spec, Label: label, Kind: spec.Fault().Kind, after: spec.Duration("after"), until: spec.Duration("until"), count: spec.Int("count")}
	in.p = 1
	if _, ok := spec.Fault().Param("p"); ok {
		in.p = spec.Float("p")
	}
	return in
}

// Faults is a run's armed faults: it decides every opportunity and records every firing, each
// decision from randomness derived from the seed and the decision's place (see the file's comment).
// It is safe for concurrent use (a live run's parties roll from their own goroutines).
type Faults struct {
	clock     Clock
	streams   random.Streams
	faultsEnd time.Duration
	// decide, when set, decides every opportunity by its firing key instead of the seed.
	decide func(key string) bool

	mu  sync.Mutex
	all []*Injector
	// opps counts each injector's opportunities per place, for firing keys.
	opps map[string]int
	// allowed, under a replay script, lists the firings that may happen; used records which did.
	allowed map[string]bool
	used    map[string]bool
	// notApplicable lists the faults the driver cannot inject.
	notApplicable []string
}

// FaultOptions change how a run's faults are decided.
type FaultOptions struct {
	// Firings, when not nil, are the only firing keys that fire (a recorded schedule: replay, shrink).
	Firings []string
	// Decide, when set, decides every opportunity by its firing key (exploration).
	Decide func(key string) bool
}

// NewFaults is a run's fault engine, with nothing armed yet.
func NewFaults(clock Clock, streams random.Streams, faultsEnd time.Duration, opts FaultOptions) *Faults {
	f := &Faults{clock: clock, streams: streams, faultsEnd: faultsEnd, decide: opts.Decide, opps: map[string]int{}, used: map[string]bool{}}
	if opts.Firings != nil {
		f.allowed = map[string]bool{}
		for _, k := range opts.Firings {
			f.allowed[k] = true
		}
	}
	return f
}

// NotApplicableReason is the reason fault.na gives for a fault a live run cannot inject.
const NotApplicableReason = "not applicable in live mode"

// Arm arms specs in order, recording fault.armed for each, or fault.na (with reason) for those the
// driver cannot inject (can reports which it can; nil: all). Every spec keeps the label it has
// among all of them, so a fault's firing keys are the same in every driver. A timed fault's
// opportunities are scheduled on the clock; timed carries out one that fires.
func (f *Faults) Arm(specs []faults.Spec, can func(faults.Spec) bool, reason string, timed func(*Injector)) {
	names := Labels(specs)
	for i, s := range specs {
		if can != nil && !can(s) {
			f.mu.Lock()
			f.notApplicable = append(f.notApplicable, s.String())
			f.mu.Unlock()
			f.clock.Record(trace.PartyWorld, trace.FaultNA(s.String(), reason))
			continue
		}
		in := newInjector(s, names[i])
		f.mu.Lock()
		f.all = append(f.all, in)
		f.mu.Unlock()
		f.clock.Record(trace.PartyWorld, trace.FaultArmed(s.String()))
		if in.Kind == faults.KindTimed && timed != nil {
			in.gaps = f.streams.Stream("faults/gap/" + in.Label)
			f.scheduleNext(in, in.after, timed)
		}
	}
}

// NotApplicable lists the faults Arm found the driver cannot inject, in arming order.
func (f *Faults) NotApplicable() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.notApplicable...)
}

// Roll decides one opportunity of an injector at a place. The opportunity gets a firing key,
// "label@place#n" (its n-th opportunity there), which the trace records when it fires. The dice are
// a stateless hash of (seed, label@place, n): the decision at a key is the same whatever else the
// run rolled before it. Under a replay script only the listed keys fire, which is how a recorded
// schedule is followed and shrunk.
func (f *Faults) Roll(in *Injector, where string) bool {
	f.mu.Lock()
	if !in.open(f.clock.Elapsed(), f.faultsEnd) {
		f.mu.Unlock()
		return false
	}
	place := in.Label + "@" + where
	f.opps[place]++
	n := f.opps[place]
	in.key = place + "#" + strconv.Itoa(n)
	key := in.key
	f.mu.Unlock()
	// decide reads the run's state (exploration digests it): it runs with the lock released.
	if f.decide != nil {
		return f.decide(key)
	}
	if f.allowed == nil {
		return f.streams.ChanceAt("faults/fire/"+place, uint64(n), in.p)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.allowed[key] {
		f.used[key] = true
		return true
	}
	return false
}

// Fire counts an injector's firing and records it (fault.fire by party, labelled as injected, with
// its firing key and params).
func (f *Faults) Fire(in *Injector, party string, params ...trace.Field) {
	f.mu.Lock()
	in.fired++
	key := in.key
	f.mu.Unlock()
	f.clock.Record(party, trace.FaultFire(in.Spec.Name, key, params...))
}

// Count counts a firing that another record reports (the network's net.drop and net.duplicate).
func (f *Faults) Count(in *Injector) {
	f.mu.Lock()
	defer f.mu.Unlock()
	in.fired++
}

// Unused lists the script's firings that never came up, sorted.
func (f *Faults) Unused() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for k := range f.allowed {
		if !f.used[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// Of returns the armed injectors of one fault, in arming order.
func (f *Faults) Of(name string) []*Injector {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*Injector
	for _, in := range f.all {
		if in.Spec.Name == name {
			out = append(out, in)
		}
	}
	return out
}

// All returns every armed injector, in arming order.
func (f *Faults) All() []*Injector {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*Injector(nil), f.all...)
}

// First returns the first injector of the named faults that fires at this opportunity, names in
// order and each name's injectors in arming order; nil when none does.
func (f *Faults) First(where string, names ...string) *Injector {
	for _, n := range names {
		for _, in := range f.Of(n) {
			if f.Roll(in, where) {
				return in
			}
		}
	}
	return nil
}

// AtPoint returns the point fault (delete-instance, restart-instance) that fires when instance
// number index reaches fault point point (of a background sync or not), if any; the caller
// records it with Fire and carries it out. The place is "point/i<index>".
func (f *Faults) AtPoint(point string, background bool, index int) *Injector {
	for _, in := range f.All() {
		if in.Kind != faults.KindPoint {
			continue
		}
		if pt := in.Spec.Str("point"); pt != point && pt != "any" {
			continue
		}
		if bg := in.Spec.Str("background"); bg != "any" && bg != strconv.FormatBool(background) {
			continue
		}
		if f.Roll(in, point+"/i"+strconv.Itoa(index)) {
			return in
		}
	}
	return nil
}

// Created is what the faults decide for a new instance, for as long as it lives.
type Created struct {
	// Skew is its clock's offset (clock-skew with party=instance: TOK-2..5 against its tokens).
	Skew time.Duration
	// UnstablePayload makes its host serialize the payload differently on every build (#9255).
	UnstablePayload bool
}

// AtCreate decides the faults that stay with instance number index (party) from its creation, and
// records those that fire. The place is "create/i<index>".
func (f *Faults) AtCreate(party string, index int) Created {
	var c Created
	where := "create/i" + strconv.Itoa(index)
	for _, in := range f.Of("clock-skew") {
		if in.Spec.Str("party") == "instance" && f.Roll(in, where) {
			c.Skew = in.Spec.Duration("by")
			f.Fire(in, party, trace.F("by", c.Skew))
			break
		}
	}
	if in := f.First(where, "payload-nondeterminism"); in != nil {
		c.UnstablePayload = true
		f.Fire(in, party)
	}
	return c
}

// MeshSkew decides the mesh's clock offset for the run (clock-skew with party=mesh), and records it
// when it fires.
func (f *Faults) MeshSkew() time.Duration {
	for _, in := range f.Of("clock-skew") {
		if in.Spec.Str("party") == "mesh" && f.Roll(in, "mesh") {
			by := in.Spec.Duration("by")
			f.Fire(in, trace.PartyMesh, trace.F("by", by))
			return by
		}
	}
	return 0
}

// Start is what a starting host loads once the host faults have had their say.
type Start struct {
	// Loaded is what the host loads (Placeholder set when it runs the placeholder).
	Loaded host.Loaded
	// Specialize is, for a placeholder, how long until it specializes and the real host starts.
	Specialize time.Duration
	// Guard, when not nil, is the placeholder guard (PR #11874) placeholder-active runs the host with.
	Guard *bool
	// TookPlaceholder reports that this start used the pod's placeholder_for, which is then spent.
	TookPlaceholder bool
}

// AtHostStart decides what the host of instance number index (party) loads as it starts: nothing at
// all (transient-empty, #6822's transient empty function set, until the next start), the
// placeholder for a while (a pod from the placeholder pool: placeholderFor, the reference host with
// its guard; or placeholder-active, #11873), or loaded as it is. It records the faults that fire.
// The place is "start/i<index>".
func (f *Faults) AtHostStart(party string, index int, placeholderFor time.Duration, loaded host.Loaded) Start {
	where := "start/i" + strconv.Itoa(index)
	if in := f.First(where, "transient-empty"); in != nil {
		f.Fire(in, party)
		loaded.Functions = nil
		return Start{Loaded: loaded}
	}
	if placeholderFor > 0 {
		loaded.Placeholder = true
		return Start{Loaded: loaded, Specialize: placeholderFor, TookPlaceholder: true}
	}
	if in := f.First(where, "placeholder-active"); in != nil {
		d, guard := in.Spec.Duration("for"), in.Spec.Bool("guard")
		f.Fire(in, party, trace.F("for", d), trace.F("guard", guard))
		loaded.Placeholder = true
		return Start{Loaded: loaded, Specialize: d, Guard: &guard}
	}
	return Start{Loaded: loaded}
}

// HoldBack is a reorder's extra delay on a link whose delays reach max: one to three times max,
// drawn from the firing key of the reorder it belongs to (so it is the same whenever that firing is).
func (f *Faults) HoldBack(key string, max time.Duration) time.Duration {
	return max + time.Duration(f.streams.StreamAt("faults/holdback/"+key, 0).Int64N(int64(2*max)+1))
}

// scheduleNext draws a timed fault's next opportunity: exponential gaps with mean `every`.
func (f *Faults) scheduleNext(in *Injector, from time.Duration, timed func(*Injector)) {
	mean := in.Spec.Duration("every")
	if mean <= 0 {
		return
	}
	gap := time.Duration(in.gaps.ExpFloat64() * float64(mean))
	at := max(from, f.clock.Elapsed()) + gap
	if !in.open(at, f.faultsEnd) {
		return
	}
	f.clock.At(at, func() {
		if f.Roll(in, "timed") {
			timed(in)
		}
		f.scheduleNext(in, f.clock.Elapsed(), timed)
	})
}

// SpecsFor collects a run's faults: the scenario's scripted point faults and profile, its random
// link rates (as catalogue faults, so that every firing has a key), then extra (the CLI's).
func SpecsFor(sc *scenarios.Scenario, extra []faults.Spec) []faults.Spec {
	var out []faults.Spec
	for _, f := range sc.Faults.Scripted {
		s := faults.Spec{Name: f.Fault, Params: map[string]string{"point": f.Point, "count": strconv.Itoa(f.Count), "after": f.After.String()}}
		for k, v := range f.Params {
			s.Params[k] = v
		}
		if f.Background != nil {
			s.Params["background"] = strconv.FormatBool(*f.Background)
		}
		out = append(out, s)
	}
	for _, f := range sc.Faults.Profile {
		out = append(out, f.Spec)
	}
	r := sc.Faults.Random
	for _, x := range []struct {
		name string
		p    float64
	}{{"drop", r.Drop}, {"duplicate", r.Duplicate}, {"reorder", r.Reorder}} {
		if x.p > 0 {
			out = append(out, faults.Spec{Name: x.name, Params: map[string]string{"p": strconv.FormatFloat(x.p, 'g', -1, 64)}})
		}
	}
	return append(out, extra...)
}

// Swarm is VOPR's swarm testing: the seed decides which of the profile's faults are on and scales
// how often each fires (a quarter to twice its rate). Scripted point faults stay as written. Each
// fault draws from its own stream, named after its label, so that adding a fault to the profile
// leaves the others' choices as they were.
func Swarm(specs []faults.Spec, streams random.Streams) []faults.Spec {
	var out []faults.Spec
	names := Labels(specs)
	for i, s := range specs {
		if s.Fault().Kind == faults.KindPoint && s.Params["point"] != "" && s.Params["count"] != "" && s.Params["count"] != "0" {
			out = append(out, s)
			continue
		}
		r := streams.Stream("swarm/fault/" + names[i])
		if r.IntN(2) == 0 {
			continue
		}
		scale := 0.25 + r.Float64()*1.75
		if _, ok := s.Fault().Param("p"); ok {
			s = s.With("p", strconv.FormatFloat(math.Min(1, s.Float("p")*scale), 'g', 4, 64))
		}
		if _, ok := s.Fault().Param("every"); ok {
			s = s.With("every", time.Duration(float64(s.Duration("every"))/scale).Round(time.Millisecond).String())
		}
		out = append(out, s)
	}
	return out
}

// Labels names each spec for firing keys and derived streams: the fault's name, with ".k" for the
// k-th repeat of the same fault.
func Labels(specs []faults.Spec) []string {
	out := make([]string, len(specs))
	seen := map[string]int{}
	for i, s := range specs {
		if n := seen[s.Name]; n > 0 {
			out[i] = s.Name + "." + strconv.Itoa(n)
		} else {
			out[i] = s.Name
		}
		seen[s.Name]++
	}
	return out
}
