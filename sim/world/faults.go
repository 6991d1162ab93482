// The simulator's side of fault injection: site.Faults arms the faults and decides every
// opportunity (see site/faults.go for where each decision's randomness comes from); this
// file carries the timed and link faults out on the kernel and the network.
package world

import (
	"strings"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/scenarios/faults"
	"github.com/syncsim/syncsim/sim"
	"github.com/syncsim/syncsim/site"
	"github.com/syncsim/syncsim/trace"
)

// engine is the run's fault engine (site.Faults: arming and the fire decision) with what only the
// simulator injects: partitions between party classes.
type engine struct {
	*site.Faults
	w *World
	// partitions are the open partitions: pairs of party classes and when they heal.
	partitions []partition
}

type partition struct {
	a, b  string
	until time.Duration
}

// newEngine is the run's fault engine, with nothing armed yet (armFaults).
func newEngine(w *World) *engine {
	opts := site.FaultOptions{}
	if sc := w.opts.Script; sc != nil {
		opts.Firings = sc.Firings
	}
	if d := w.opts.Decide; d != nil {
		opts.Decide = func(key string) bool { return d(w, key) }
	}
	return &engine{Faults: site.NewFaults(worldEnv{w}, w.k.Streams, w.sc.FaultsEnd, opts), w: w}
}

func (w *World) armFaults(specs []faults.Spec) {
	e := w.engine
	e.Arm(specs, nil, "", e.timed)
	w.meshSkew = e.MeshSkew()
	w.net.Intercept(e.intercept)
}

// timed carries out a timed fault.
func (e *engine) timed(in *site.Injector) {
	w := e.w
	switch in.Spec.Name {
	case "scale-in":
		for _, i := range w.timeline.Pick(in.Spec.Str("which"), 1) {
			e.Fire(in, trace.PartyWorld, trace.F("instance", i.Name()))
			w.fleet.DeleteInstance(i, "fault scale-in", true)
		}
	case "scale-out":
		e.Fire(in, trace.PartyWorld)
		w.fleet.Start("fault scale-out", 0)
	case "scale-to-zero":
		live := w.fleet.Live()
		e.Fire(in, trace.PartyWorld, trace.F("instances", len(live)), trace.F("for", in.Spec.Duration("for")))
		for _, m := range live {
			w.fleet.Delete(m, "fault scale-to-zero", true)
		}
		back := max(len(live), 1)
		w.k.After(in.Spec.Duration("for"), func() {
			for i := 0; i < back; i++ {
				w.fleet.Start("scale-from-zero", 0)
			}
		})
	case "primary-lease-lost":
		e.Fire(in, trace.PartyStorage, trace.F("blob", host.LockBlobName(w.sc.Site.HostID)))
		w.blobs.BreakLease(w.now(), host.HostsContainer, host.LockBlobName(w.sc.Site.HostID), 0)
		w.recordLease(opLeaseBreak, "", host.BlobCall{Blob: host.LockBlobName(w.sc.Site.HostID)}, host.BlobResult{Status: 202})
	case "partition":
		p := partition{a: in.Spec.Str("a"), b: in.Spec.Str("b"), until: w.k.Elapsed() + in.Spec.Duration("for")}
		e.Fire(in, trace.PartyWorld, trace.F("a", p.a), trace.F("b", p.b), trace.F("for", in.Spec.Duration("for")))
		e.partitions = append(e.partitions, p)
	case "concurrent-syncs":
		e.Fire(in, trace.PartyClient, trace.F("calls", in.Spec.Int("calls")), trace.F("spread", in.Spec.Str("spread")))
		pin := ""
		if in.Spec.Str("spread") == "one" {
			if m := w.router.Pick(); m != nil {
				pin = m.Name()
			}
		}
		for i := 0; i < in.Spec.Int("calls"); i++ {
			w.timeline.CallPinned(trace.MsgMSG4, host.AdminRequest{Method: "POST", Path: host.PathSyncTriggers, Headers: w.site.AuthHeaders("admin-key", w.now())}, pin)
		}
	case "oversize-payload":
		e.Fire(in, trace.PartyWorld)
		w.timeline.Oversize()
	default:
		panic("world: no handler for timed fault " + in.Spec.Name)
	}
}

// linkPlace is where a link fault's opportunity is: the message's kind and its link.
func linkPlace(m sim.Message) string {
	return "link/" + m.Kind + "/" + classOf(m.From) + ">" + classOf(m.To)
}

// holdBack is a reorder's extra delay, one to three times the link's maximum, drawn from the firing
// key of the reorder it belongs to (so it is the same whenever that firing is).
func (e *engine) holdBack(m sim.Message, key string) time.Duration {
	return e.HoldBack(key, e.w.net.LinkOf(m.From, m.To).DelayMax)
}

// copyDelay decides whether a duplicate's copy is also held back, by the reorder faults of its link.
func (e *engine) copyDelay(m sim.Message) time.Duration {
	for _, in := range e.Of("reorder") {
		if matches(in.Spec.Str("from"), m.From) && matches(in.Spec.Str("to"), m.To) && e.Roll(in, "copy/"+linkPlace(m)) {
			e.Fire(in, m.From, trace.F("msg", m.ID), trace.F("copy", true))
			return e.holdBack(m, in.Key())
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
		for _, in := range e.Of(name) {
			if !matches(in.Spec.Str("from"), m.From) || !matches(in.Spec.Str("to"), m.To) || !e.Roll(in, linkPlace(m)) {
				continue
			}
			key := in.Key()
			switch name {
			case "drop":
				// The network records the firing (net.drop, net.duplicate).
				e.Count(in)
				return sim.Interference{Drop: true, Fault: name, Key: key}
			case "duplicate":
				e.Count(in)
				return sim.Interference{Duplicate: true, Fault: name, Key: key, CopyExtra: e.copyDelay(m)}
			case "delay":
				e.Fire(in, m.From, trace.F("msg", m.ID), trace.F("by", in.Spec.Duration("by")))
				return sim.Interference{Extra: in.Spec.Duration("by"), Fault: name, Key: key}
			case "reorder":
				e.Fire(in, m.From, trace.F("msg", m.ID))
				return sim.Interference{Extra: e.holdBack(m, key), Fault: name, Key: key}
			}
		}
	}
	return sim.Interference{}
}
