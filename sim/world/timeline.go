package world

import (
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/sim"
	"github.com/syncsim/syncsim/site"
	"github.com/syncsim/syncsim/trace"
)

// worldEnv is the simulator's site.Clock (the kernel's clock and queue, the run's trace) and its
// client's channel to the site router.
type worldEnv struct{ w *World }

var _ site.Clock = worldEnv{}

func (e worldEnv) Elapsed() time.Duration              { return e.w.k.Elapsed() }
func (e worldEnv) Now() time.Time                      { return e.w.now() }
func (e worldEnv) At(t time.Duration, fn func())       { e.w.k.At(t, fn) }
func (e worldEnv) Record(party string, ev trace.Event) { e.w.k.Trace.Put(party, ev) }

// Send sends a client request to the site router.
func (e worldEnv) Send(call int, kind string, req host.AdminRequest, pin string) {
	e.w.net.Send(sim.Message{From: trace.PartyClient, To: trace.PartyRouter, Kind: kind,
		Body: adminCall{kind: kind, callerID: call, req: req, pin: pin}, Fields: []trace.Field{trace.F("call", call)}})
}

// timelineEnv is the simulator's site.Env: the world's clock and client, and the run's fleet.
type timelineEnv struct {
	worldEnv
	*site.Fleet
}

var _ site.Env = timelineEnv{}

// contentChanged records a new content revision and its expected payload (PAY-5).
func (w *World) contentChanged(reason string) {
	w.k.Trace.Put(trace.PartyWorld, w.site.Changed(reason))
}

// retryAfter hands a MSG-4 answer to its caller, which retries a failed call if it retries.
func (w *World) retryAfter(call, status int) { w.timeline.Answered(call, status) }
