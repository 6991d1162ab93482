package world

import (
	"strconv"
	"strings"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/trace"
	"github.com/syncsim/syncsim/sim"
)

// instanceFaults decides, when an instance is created, the faults that stay with it: clock skew
// (TOK-2..5) and an unstable payload serialization (#9255).
func (w *World) instanceFaults(n *node, cfg *host.Config) {
	e := w.engine
	for _, in := range e.of("clock-skew") {
		if in.spec.Str("party") == "instance" && e.roll(in, "create/i"+strconv.Itoa(n.inst.Index)) {
			n.skew = in.spec.Duration("by")
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
		e.fire(in, n.party, trace.F("for", in.spec.Duration("for")), trace.F("guard", in.spec.Bool("guard")))
		n.m.SetPlaceholderGuard(in.spec.Bool("guard"))
		return w.placeholder(n, loaded, in.spec.Duration("for"))
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
		w.k.Trace.Add(n.party, "host.specialized")
		w.perform(n, n.m.HostStarted(w.nodeNow(n), host.Loaded{Functions: w.content.Functions, Revision: w.content.Revision}))
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
	status := in.spec.Int("status")
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
	fns := append([]host.Function{}, w.content.Functions...)
	fns = append(fns, host.Function{Name: "Oversize" + strconv.Itoa(w.content.Revision+1), Language: "node",
		Bindings: []host.Binding{{"type": "queueTrigger", "direction": "in", "name": "msg", "queueName": "big", "padding": pad}}})
	w.content.Functions = fns
	w.content.Revision++
	w.contentChanged("fault oversize-payload")
	for _, n := range w.liveNodes() {
		w.restartHost(n)
	}
}

// callPinned sends a client request that the router delivers to one instance when it can.
func (w *World) callPinned(kind string, req host.AdminRequest, pin string) {
	w.nextCall++
	w.k.Trace.Add(partyClient, "client.call", trace.F("call", w.nextCall), trace.F("kind", kind), trace.F("path", req.Path), trace.F("pin", pin))
	w.net.Send(sim.Message{From: partyClient, To: partyRouter, Kind: kind,
		Body: adminCall{kind: kind, callerID: w.nextCall, req: req, pin: pin}, Fields: []trace.Field{trace.F("call", w.nextCall)}})
}
