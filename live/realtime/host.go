package realtime

import (
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/site"
	"github.com/syncsim/syncsim/trace"
)

// HostIO is what a host's driver does beyond what Host does itself (timers, admin answers): its
// clocks, records and fault points, and the publishes and storage calls, which it makes on the
// party's goroutines (Party.Go) or as a step's follow-ups (Host.Defer). Every method runs with the
// party's lock held.
type HostIO interface {
	Now() time.Time
	HostNow() time.Time
	Alive() bool
	Record(party string, e trace.Event)
	Point(p host.Point)
	Send(s host.Send)
	Blob(c host.BlobCall)
}

// Host is one instance's host on the real clock: the host machine and its interpreter (site.Host)
// behind the party's lock, the machine's timers on the party's, and the admin requests waiting for
// their answer. The host server (live/hosthttp) serves its admin API with it.
type Host struct {
	*Party
	d  *site.Host
	io HostIO
	// waits are the admin requests waiting for their answer.
	waits *Waits
	// deferred are the follow-ups of the step under way (Defer).
	deferred []func()
}

// NewHost drives machine m as the instance whose trace party is party, on site, within p, through
// io. Admin requests without an id of their own are numbered from firstReq + 1.
func NewHost(p *Party, m *host.Machine, party string, st host.Site, io HostIO, firstReq int) *Host {
	h := &Host{Party: p, io: io, waits: NewWaits(firstReq)}
	h.d = site.NewHost(m, party, st, hostEnv{h})
	return h
}

// Machine is the host machine, for its read-only state; the lock is held.
func (h *Host) Machine() *host.Machine { return h.d.Machine() }

// Step hands an input to the interpreter, then runs the follow-ups it deferred, each as a step of
// its own in order (and its follow-ups before the next one); the lock is held.
func (h *Host) Step(input func(d *site.Host)) {
	outer := h.deferred
	h.deferred = nil
	input(h.d)
	later := h.deferred
	h.deferred = outer
	for _, f := range later {
		h.Step(func(*site.Host) { f() })
	}
}

// Defer runs f as a step of its own once the step under way ends, before any other input: a
// storage call answered at once (the standalone host's in-memory blob model) goes back to the
// machine without another input in between, as the simulator's zero-latency storage would. The lock
// is held.
func (h *Host) Defer(f func()) { h.deferred = append(h.deferred, f) }

// Input steps the interpreter with input under the lock, unless the party is stopping.
func (h *Host) Input(input func(d *site.Host)) bool {
	return h.Do(func() { h.Step(input) })
}

// Admin hands an admin request to the machine: input steps the interpreter with it under id (0:
// the next free one), e.g. d.Admin(id, req, tokenFault) or, for the key API, d.PutKey(id). It
// returns the channel the answer comes on, and forget, which drops the wait (the client went away);
// ok is false when the party is stopping (nothing was handed over).
func (h *Host) Admin(id int, input func(d *site.Host, id int)) (answer <-chan host.Respond, forget func(), ok bool) {
	ok = h.Do(func() {
		id, answer, _ = h.waits.Add(id)
		h.Step(func(d *site.Host) { input(d, id) })
	})
	forget = func() {
		h.Lock()
		defer h.Unlock()
		h.waits.Forget(id)
	}
	return answer, forget, ok
}

// hostEnv is a Host's site.HostEnv: the timers and admin answers are the adapter's, the rest the
// driver's HostIO.
type hostEnv struct{ h *Host }

var _ site.HostEnv = hostEnv{}

func (e hostEnv) Now() time.Time                      { return e.h.io.Now() }
func (e hostEnv) HostNow() time.Time                  { return e.h.io.HostNow() }
func (e hostEnv) Alive() bool                         { return e.h.io.Alive() }
func (e hostEnv) Record(party string, ev trace.Event) { e.h.io.Record(party, ev) }
func (e hostEnv) Point(p host.Point)                  { e.h.io.Point(p) }
func (e hostEnv) Send(s host.Send)                    { e.h.io.Send(s) }
func (e hostEnv) Blob(c host.BlobCall)                { e.h.io.Blob(c) }
func (e hostEnv) CancelTimer(key string)              { e.h.CancelTimer(key) }

// SetTimer arms the machine's timer; it fires only while the instance is alive.
func (e hostEnv) SetTimer(key string, after time.Duration) {
	h := e.h
	h.SetTimer(key, after, func() {
		if h.io.Alive() {
			h.Step(func(d *site.Host) { d.Timer(key) })
		}
	})
}

// Respond hands the answer to the admin request waiting for it, if it still waits.
func (e hostEnv) Respond(r host.Respond) { e.h.waits.Respond(r) }
