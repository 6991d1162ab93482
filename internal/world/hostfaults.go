package world

import (
	"strconv"
	"strings"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/trace"
)

// instanceFaults decides, when an instance is created, the faults that stay with it: clock skew
// (TOK-2..5) and an unstable payload serialization (#9255).
func (w *World) instanceFaults(n *node, cfg *host.Config) {
	e := w.engine
	for _, in := range e.Of("clock-skew") {
		if in.Spec.Str("party") == "instance" && e.Roll(in, "create/i"+strconv.Itoa(n.inst.Index)) {
			n.skew = in.Spec.Duration("by")
			e.fire(in, n.party, trace.F("by", n.skew))
			break
		}
	}
	if in := e.first("create/i"+strconv.Itoa(n.inst.Index), "payload-nondeterminism"); in != nil {
		cfg.UnstablePayload = true
		e.fire(in, n.party)
	}
}

// hostFaults decides what a starting host loads: nothing at all (#6822's transient empty function
// set, until the next start), or the placeholder for a while (#11873).
func (w *World) hostFaults(n *node, loaded host.Loaded) host.Loaded {
	e := w.engine
	where := "start/i" + strconv.Itoa(n.inst.Index)
	if in := e.first(where, "transient-empty"); in != nil {
		e.fire(in, n.party)
		loaded.Functions = nil
		return loaded
	}
	if d := n.placeholderFor; d > 0 {
		// A pod from the placeholder pool (the scenario's start.placeholder_for): the reference
		// host, PR #11874's guard on.
		n.placeholderFor = 0
		return w.placeholder(n, loaded, d)
	}
	if in := e.first(where, "placeholder-active"); in != nil {
		e.fire(in, n.party, trace.F("for", in.Spec.Duration("for")), trace.F("guard", in.Spec.Bool("guard")))
		n.m.SetPlaceholderGuard(in.Spec.Bool("guard"))
		return w.placeholder(n, loaded, in.Spec.Duration("for"))
	}
	return loaded
}

// placeholder makes the starting host the placeholder (WarmUp) for d, then specializes it.
func (w *World) placeholder(n *node, loaded host.Loaded, d time.Duration) host.Loaded {
	loaded.Placeholder = true
	n.specialize.Stop()
	n.specialize = w.k.After(d, func() {
		if !n.alive() {
			return
		}
		// Specialization completes: the real host starts.
		w.k.Trace.Put(n.party, trace.HostSpecialized())
		w.perform(n, n.m.HostStarted(w.nodeNow(n), w.site.Loaded()))
	})
	return loaded
}

// secretsError is a host's SYNC-3 secrets reload under storage-refuses: the keys live in storage
// (azure-webjobs-secrets), so a refusing storage makes the reload throw.
func (w *World) secretsError(n *node) string {
	in := w.engine.first("secrets/i"+strconv.Itoa(n.inst.Index), "storage-refuses")
	if in == nil {
		return ""
	}
	status := in.Spec.Int("status")
	w.engine.fire(in, partyStorage, trace.F("op", "read-secrets"), trace.F("status", status), trace.F("instance", n.inst.Name))
	return strconv.Itoa(status) + " " + refusalCode(status)
}

// refusalCode is storage's error code for a refusal status.
func refusalCode(status int) string {
	if status == 401 {
		return "AuthenticationFailed"
	}
	return "AuthorizationPermissionMismatch"
}

// oversize deploys a function whose binding is large enough to push the payload past PAY-1's
// 204,800 characters, so the minimal form is published.
func (w *World) oversize() {
	pad := strings.Repeat("x", host.MaxPayloadLength+1)
	fns := append([]host.Function{}, w.site.Functions()...)
	fns = append(fns, host.Function{Name: "Oversize" + strconv.Itoa(w.site.Revision()+1), Language: "node",
		Bindings: []host.Binding{{"type": "queueTrigger", "direction": "in", "name": "msg", "queueName": "big", "padding": pad}}})
	w.k.Trace.Put(partyWorld, w.site.Deploy(fns, "fault oversize-payload"))
	w.timeline.RestartHosts()
}

// pointFault fires the point faults (delete-instance, restart-instance) armed for a fault point the
// instance's host reached: the instance is deleted, and restart-instance starts a new one.
func (w *World) pointFault(n *node, p host.Point) {
	in := w.engine.AtPoint(p.Name, p.Background, n.inst.Index)
	if in == nil {
		return
	}
	w.engine.Fire(in, n.party, trace.F("point", p.Name), trace.F("span", p.Span))
	w.deleteInstance(n, "fault "+in.Spec.Name+" at "+p.Name, true)
	if in.Spec.Name == "restart-instance" {
		w.startInstance("fault restart-instance")
	}
}
