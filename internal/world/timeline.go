package world

import (
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/drive"
	"github.com/syncsim/syncsim/internal/trace"
	"github.com/syncsim/syncsim/sim"
)

// worldEnv is the simulator's drive.Env: the kernel's clock and queue, the world's instances and
// the client's messages to the site router.
type worldEnv struct{ w *World }

var _ drive.Env = worldEnv{}

func (e worldEnv) Elapsed() time.Duration              { return e.w.k.Elapsed() }
func (e worldEnv) Now() time.Time                      { return e.w.now() }
func (e worldEnv) At(t time.Duration, fn func())       { e.w.k.At(t, fn) }
func (e worldEnv) Record(party string, ev trace.Event) { e.w.k.Trace.Put(party, ev) }
func (e worldEnv) RestartHost(i drive.Instance)        { e.w.restartHost(i.(*node)) }
func (e worldEnv) DeleteInstance(i drive.Instance, reason string, injected bool) {
	e.w.deleteInstance(i.(*node), reason, injected)
}

func (e worldEnv) Instances() []drive.Instance {
	var out []drive.Instance
	for _, n := range e.w.liveNodes() {
		out = append(out, n)
	}
	return out
}

func (e worldEnv) StartInstance(reason string, placeholderFor time.Duration) drive.Instance {
	n := e.w.startInstance(reason)
	if n == nil {
		return nil // a refused start: no instance (not a nil *node in an interface)
	}
	n.placeholderFor = placeholderFor
	return n
}

func (e worldEnv) DrainInstance(i drive.Instance, reason string, d time.Duration) {
	e.w.drainInstance(i.(*node), reason, d)
}

// Send sends a client request to the site router.
func (e worldEnv) Send(call int, kind string, req host.AdminRequest, pin string) {
	e.w.net.Send(sim.Message{From: trace.PartyClient, To: trace.PartyRouter, Kind: kind,
		Body: adminCall{kind: kind, callerID: call, req: req, pin: pin}, Fields: []trace.Field{trace.F("call", call)}})
}

// Primary reports whether the instance's host holds the primary lease, as the timeline picks.
func (n *node) Primary() bool { return n.m.Primary() }

// Draining reports whether the timeline drains the instance (drainInstance).
func (n *node) Draining() bool { return n.draining }

// contentChanged records a new content revision and its expected payload (PAY-5).
func (w *World) contentChanged(reason string) {
	w.k.Trace.Put(trace.PartyWorld, w.site.Changed(reason))
}

// secretsNow is what a host reads after SYNC-3 clears its cache.
func (w *World) secretsNow() (host.Keys, int) { return w.site.SecretsNow() }

// retryAfter hands a MSG-4 answer to its caller, which retries a failed call if it retries.
func (w *World) retryAfter(call, status int) { w.timeline.Answered(call, status) }

func (w *World) liveNodes() []*node {
	var out []*node
	for _, inst := range w.life.Live() {
		out = append(out, w.nodes[inst.Name])
	}
	return out
}

// pick chooses the instances a scale-in fault acts on, as the timeline picks.
func (w *World) pick(which string, count int) []*node {
	var out []*node
	for _, i := range w.timeline.Pick(which, count) {
		out = append(out, i.(*node))
	}
	return out
}
