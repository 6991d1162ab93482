// Fault decisions and their randomness.
//
// Every decision of the fault engine draws from randomness derived from the run's seed and the
// decision's own place, never from one stream shared by the whole engine, so that adding or removing
// an operation (another fault point, another message, another armed fault) leaves every unrelated
// decision as it was:
//
//   - whether an opportunity fires: a stateless hash of (seed, "faults/fire/label@place", n) for the
//     n-th opportunity of that injector at that place, the same n as the firing key label@place#n;
//   - a reorder's hold-back delay: a stream derived from the firing key it belongs to;
//   - a timed fault's gaps: one stream per injector ("faults/gap/label");
//   - swarm's choice and scale of each profile fault: one stream per fault ("swarm/fault/label").
//
// What still couples runs is behaviour, not dice: a fault that fires changes what happens next, and
// the network's delays come from the scheduling strategy's streams.
package world

import (
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/faults"
	"github.com/syncsim/syncsim/internal/trace"
	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/sim"
)

// injector is one armed fault of the run: a catalogue fault with its parameters and its firings.
type injector struct {
	spec faults.Spec
	// label names the injector in firing keys: the fault's name, with ".k" for the k-th repeat of
	// the same fault in one run.
	label string
	kind  faults.Kind
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

// open reports whether the injector may fire now: inside its window, before faults_end, under its count.
func (in *injector) open(now, faultsEnd time.Duration) bool {
	end := faultsEnd
	if in.until > 0 {
		end = min(end, in.until)
	}
	return now >= in.after && now < end && (in.count == 0 || in.fired < in.count)
}

// engine holds the run's injectors and decides when they fire, each decision from randomness derived
// from the seed and the decision's place (see the file's comment).
type engine struct {
	w       *World
	streams sim.Streams
	all     []*injector
	// partitions are the open partitions: pairs of party classes and when they heal.
	partitions []partition
	// opps counts each injector's opportunities per place, for firing keys.
	opps map[string]int
	// allowed, under a replay script, lists the firings that may happen; used records which did.
	allowed map[string]bool
	used    map[string]bool
}

type partition struct {
	a, b  string
	until time.Duration
}

func newInjector(spec faults.Spec) *injector {
	in := &injector{spec: spec, kind: spec.Fault().Kind, after: spec.Duration("after"), until: spec.Duration("until"), count: spec.Int("count")}
	in.p = 1
	if _, ok := spec.Fault().Param("p"); ok {
		in.p = spec.Float("p")
	}
	return in
}

// specsFor collects a run's faults: the scenario's scripted point faults and profile, then the CLI's.
func specsFor(sc *scenarios.Scenario, extra []faults.Spec) []faults.Spec {
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

// swarm is VOPR's swarm testing: the seed decides which of the profile's faults are on and scales how
// often each fires (a quarter to twice its rate). Scripted point faults stay as written. Each fault
// draws from its own stream, named after its place among the faults of its name, so that adding a
// fault to the profile leaves the others' choices as they were.
func swarm(specs []faults.Spec, streams sim.Streams) []faults.Spec {
	var out []faults.Spec
	names := labels(specs)
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

// labels names each spec for firing keys and derived streams: the fault's name, with ".k" for the
// k-th repeat of the same fault.
func labels(specs []faults.Spec) []string {
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

func (w *World) armFaults(specs []faults.Spec) {
	e := &engine{w: w, streams: w.k.Streams, opps: map[string]int{}, used: map[string]bool{}}
	if sc := w.opts.Script; sc != nil && sc.Firings != nil {
		e.allowed = map[string]bool{}
		for _, k := range sc.Firings {
			e.allowed[k] = true
		}
	}
	w.engine = e
	names := labels(specs)
	for i, s := range specs {
		in := newInjector(s)
		in.label = names[i]
		e.all = append(e.all, in)
		w.k.Trace.Add(partyWorld, "fault.armed", trace.F("fault", s.String()))
		if in.kind == faults.KindTimed {
			in.gaps = e.streams.Stream("faults/gap/" + in.label)
			e.scheduleNext(in, in.after)
		}
	}
	for _, in := range e.of("clock-skew") {
		if in.spec.Str("party") == "mesh" && e.roll(in, "mesh") {
			w.meshSkew = in.spec.Duration("by")
			e.fire(in, partyMesh, trace.F("by", w.meshSkew))
			break
		}
	}
	w.net.Intercept(e.intercept)
}

// roll decides one opportunity of an injector at a place. The opportunity gets a firing key,
// "label@place#n" (its n-th opportunity there), which the trace records when it fires. The dice are
// a stateless hash of (seed, label@place, n): the decision at a key is the same whatever else the
// run rolled before it. Under a replay script only the listed keys fire, which is how a recorded
// schedule is followed and shrunk.
func (e *engine) roll(in *injector, where string) bool {
	if !in.open(e.w.k.Elapsed(), e.w.sc.FaultsEnd) {
		return false
	}
	place := in.label + "@" + where
	e.opps[place]++
	n := e.opps[place]
	in.key = place + "#" + strconv.Itoa(n)
	if d := e.w.opts.Decide; d != nil {
		return d(e.w, in.key)
	}
	if e.allowed == nil {
		return e.streams.ChanceAt("faults/fire/"+place, uint64(n), in.p)
	}
	if e.allowed[in.key] {
		e.used[in.key] = true
		return true
	}
	return false
}

// fire records an injector's firing, labelled as injected, with its key.
func (e *engine) fire(in *injector, party string, fields ...trace.Field) {
	in.fired++
	e.w.k.Trace.Add(party, "fault.fire", append(append([]trace.Field{trace.F("fault", in.spec.Name), trace.F("key", in.key)}, fields...), trace.F("injected", true))...)
}

// unused lists the script's firings that never came up, sorted.
func (e *engine) unused() []string {
	var out []string
	for k := range e.allowed {
		if !e.used[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// of returns the armed injectors of one fault, in arming order.
func (e *engine) of(name string) []*injector {
	var out []*injector
	for _, in := range e.all {
		if in.spec.Name == name {
			out = append(out, in)
		}
	}
	return out
}

// first returns the first injector of the named faults that fires at this opportunity.
func (e *engine) first(where string, names ...string) *injector {
	for _, n := range names {
		for _, in := range e.of(n) {
			if e.roll(in, where) {
				return in
			}
		}
	}
	return nil
}

// scheduleNext draws a timed fault's next firing: exponential gaps with mean `every`.
func (e *engine) scheduleNext(in *injector, from time.Duration) {
	mean := in.spec.Duration("every")
	if mean <= 0 {
		return
	}
	gap := time.Duration(in.gaps.ExpFloat64() * float64(mean))
	at := max(from, e.w.k.Elapsed()) + gap
	if !in.open(at, e.w.sc.FaultsEnd) {
		return
	}
	e.w.k.At(at, func() {
		if e.roll(in, "timed") {
			e.timed(in)
		}
		e.scheduleNext(in, e.w.k.Elapsed())
	})
}

// timed carries out a timed fault.
func (e *engine) timed(in *injector) {
	w := e.w
	switch in.spec.Name {
	case "scale-in":
		for _, n := range w.pick(in.spec.Str("which"), 1) {
			e.fire(in, partyWorld, trace.F("instance", n.inst.Name))
			w.deleteInstance(n, "fault scale-in", true)
		}
	case "scale-out":
		e.fire(in, partyWorld)
		w.startInstance("fault scale-out")
	case "scale-to-zero":
		live := w.liveNodes()
		e.fire(in, partyWorld, trace.F("instances", len(live)), trace.F("for", in.spec.Duration("for")))
		for _, n := range live {
			w.deleteInstance(n, "fault scale-to-zero", true)
		}
		back := max(len(live), 1)
		w.k.After(in.spec.Duration("for"), func() {
			for i := 0; i < back; i++ {
				w.startInstance("scale-from-zero")
			}
		})
	case "primary-lease-lost":
		e.fire(in, partyStorage, trace.F("blob", host.LockBlobName(w.sc.Site.HostID)))
		w.blobs.BreakLease(w.now(), host.HostsContainer, host.LockBlobName(w.sc.Site.HostID), 0)
		w.recordLease(opLeaseBreak, "", host.BlobCall{Blob: host.LockBlobName(w.sc.Site.HostID)}, host.BlobResult{Status: 202})
	case "partition":
		p := partition{a: in.spec.Str("a"), b: in.spec.Str("b"), until: w.k.Elapsed() + in.spec.Duration("for")}
		e.fire(in, partyWorld, trace.F("a", p.a), trace.F("b", p.b), trace.F("for", in.spec.Duration("for")))
		e.partitions = append(e.partitions, p)
	case "concurrent-syncs":
		e.fire(in, partyClient, trace.F("calls", in.spec.Int("calls")), trace.F("spread", in.spec.Str("spread")))
		pin := ""
		if in.spec.Str("spread") == "one" {
			if inst, ok := w.router.Pick(w.life.Ready()); ok {
				pin = inst.Name
			}
		}
		for i := 0; i < in.spec.Int("calls"); i++ {
			w.callPinned(kindMSG4, host.AdminRequest{Method: "POST", Path: host.PathSyncTriggers, Headers: w.authHeaders("admin-key")}, pin)
		}
	case "oversize-payload":
		e.fire(in, partyWorld)
		w.oversize()
	default:
		panic("world: no handler for timed fault " + in.spec.Name)
	}
}

// linkPlace is where a link fault's opportunity is: the message's kind and its link.
func linkPlace(m sim.Message) string {
	return "link/" + m.Kind + "/" + classOf(m.From) + ">" + classOf(m.To)
}

// holdBack is a reorder's extra delay, one to three times the link's maximum, drawn from the firing
// key of the reorder it belongs to (so it is the same whenever that firing is).
func (e *engine) holdBack(m sim.Message, key string) time.Duration {
	l := e.w.net.LinkOf(m.From, m.To)
	return l.DelayMax + time.Duration(e.streams.StreamAt("faults/holdback/"+key, 0).Int64N(int64(2*l.DelayMax)+1))
}

// copyDelay decides whether a duplicate's copy is also held back, by the reorder faults of its link.
func (e *engine) copyDelay(m sim.Message) time.Duration {
	for _, in := range e.of("reorder") {
		if matches(in.spec.Str("from"), m.From) && matches(in.spec.Str("to"), m.To) && e.roll(in, "copy/"+linkPlace(m)) {
			in.fired++
			e.w.k.Trace.Add(m.From, "fault.fire", trace.F("fault", "reorder"), trace.F("key", in.key), trace.F("msg", m.ID), trace.F("copy", true), trace.F("injected", true))
			return e.holdBack(m, in.key)
		}
	}
	return 0
}

// classOf maps a party to the class names link faults use.
func classOf(party string) string {
	if strings.HasPrefix(party, "instance/") {
		return "instance"
	}
	return party
}

func matches(want, party string) bool { return want == "*" || want == classOf(party) }

// intercept applies partitions and link faults to a message.
func (e *engine) intercept(m sim.Message) sim.Interference {
	now := e.w.k.Elapsed()
	for _, p := range e.partitions {
		if now < p.until && (matches(p.a, m.From) && matches(p.b, m.To) || matches(p.b, m.From) && matches(p.a, m.To)) {
			return sim.Interference{Drop: true, Fault: "partition"}
		}
	}
	for _, name := range []string{"drop", "duplicate", "delay", "reorder"} {
		for _, in := range e.of(name) {
			if !matches(in.spec.Str("from"), m.From) || !matches(in.spec.Str("to"), m.To) || !e.roll(in, linkPlace(m)) {
				continue
			}
			in.fired++
			switch name {
			case "drop":
				return sim.Interference{Drop: true, Fault: name, Key: in.key}
			case "duplicate":
				return sim.Interference{Duplicate: true, Fault: name, Key: in.key, CopyExtra: e.copyDelay(m)}
			case "delay":
				e.w.k.Trace.Add(m.From, "fault.fire", trace.F("fault", name), trace.F("key", in.key), trace.F("msg", m.ID), trace.F("by", in.spec.Duration("by")), trace.F("injected", true))
				return sim.Interference{Extra: in.spec.Duration("by"), Fault: name, Key: in.key}
			case "reorder":
				e.w.k.Trace.Add(m.From, "fault.fire", trace.F("fault", name), trace.F("key", in.key), trace.F("msg", m.ID), trace.F("injected", true))
				return sim.Interference{Extra: e.holdBack(m, in.key), Fault: name, Key: in.key}
			}
		}
	}
	return sim.Interference{}
}
