package sim

import (
	"math/rand/v2"
	"time"

	"github.com/syncsim/syncsim/internal/random"
	"github.com/syncsim/syncsim/trace"
)

// Link describes one direction between two parties: the delay bounds of a delivery and the rates of
// the network faults on it. Rates apply only while faults are on (before faults_end).
type Link struct {
	DelayMin, DelayMax time.Duration
	Drop               float64
	Duplicate          float64
	// Reorder is the chance that a message is held back past the link's normal delay, so that later
	// messages on the same link overtake it.
	Reorder float64
}

// Message is one thing sent between parties. Body is opaque to the network; Fields describe the
// message in the trace and must never hold a credential (PAY-4: bodies with secrets are recorded by
// SecretDigest).
type Message struct {
	ID     uint64
	From   string
	To     string
	Kind   string
	Body   any
	Fields []trace.Field
	// Duplicate is set on the extra copy an injected duplication delivers.
	Duplicate bool
}

// Handler receives a delivered message.
type Handler func(Message)

type linkKey struct{ from, to string }

// Interference is what an interceptor does to one message: drop it, duplicate it, or hold it back.
// Fault names the injected fault, for the trace.
type Interference struct {
	Drop      bool
	Duplicate bool
	Extra     time.Duration
	// CopyExtra holds a duplicate's copy back too.
	CopyExtra time.Duration
	// Fault names the injected fault and Key its firing, for the trace.
	Fault string
	Key   string
}

// Interceptor sees every message sent while faults are on and may interfere with it.
type Interceptor func(m Message) Interference

// Network delivers messages between named parties with seeded delays and faults. A message sent to a
// party that is gone when it arrives is recorded as lost; messages already sent by a party that is
// deleted stay in the network (PROTOCOL.md section 1).
type Network struct {
	k         *Kernel
	rng       *rand.Rand
	def       Link
	links     map[linkKey]Link
	handlers  map[string]Handler
	nextID    uint64
	faultsEnd time.Duration
	intercept Interceptor
}

// Intercept installs the network's interceptor (the fault engine's link faults and partitions).
func (n *Network) Intercept(i Interceptor) { n.intercept = i }

// NewNetwork builds a network whose links all start as def.
func NewNetwork(k *Kernel, def Link, faultsEnd time.Duration) *Network {
	return &Network{
		k: k, rng: k.Streams.Stream("net"), def: def, faultsEnd: faultsEnd,
		links: map[linkKey]Link{}, handlers: map[string]Handler{},
	}
}

// SetLink overrides the link from one party to another.
func (n *Network) SetLink(from, to string, l Link) { n.links[linkKey{from, to}] = l }

// LinkOf returns the link from one party to another.
func (n *Network) LinkOf(from, to string) Link {
	if l, ok := n.links[linkKey{from, to}]; ok {
		return l
	}
	return n.def
}

// Attach makes a party reachable.
func (n *Network) Attach(party string, h Handler) { n.handlers[party] = h }

// Detach makes a party unreachable: messages arriving later are lost.
func (n *Network) Detach(party string) { delete(n.handlers, party) }

// Attached reports whether a party is reachable now.
func (n *Network) Attached(party string) bool { _, ok := n.handlers[party]; return ok }

// Send puts a message on the wire and returns its id.
func (n *Network) Send(m Message) uint64 {
	n.nextID++
	m.ID = n.nextID
	l := n.LinkOf(m.From, m.To)
	faulty := n.k.Elapsed() < n.faultsEnd
	n.k.Trace.Put(m.From, trace.NetSend(m.ID, m.To, m.Kind, m.Fields))
	var x Interference
	if faulty && n.intercept != nil {
		x = n.intercept(m)
	}
	if x.Drop || faulty && random.Chance(n.rng, l.Drop) {
		n.k.Trace.Put(m.From, trace.NetDrop(m.ID, faultName(x.Fault, x.Drop, "drop"), x.Key))
		return m.ID
	}
	n.schedule(m, l, faulty, false, x.Extra)
	if x.Duplicate || faulty && random.Chance(n.rng, l.Duplicate) {
		n.k.Trace.Put(m.From, trace.NetDuplicate(m.ID, faultName(x.Fault, x.Duplicate, "duplicate"), x.Key))
		n.schedule(m, l, faulty, true, x.CopyExtra)
	}
	return m.ID
}

// faultName is the interceptor's fault when it acted, else the link's random rate.
func faultName(name string, acted bool, rate string) string {
	if acted && name != "" {
		return name
	}
	return "random-" + rate
}

func (n *Network) schedule(m Message, l Link, faulty, dup bool, extra time.Duration) {
	d := n.k.strategy.Delay(m.From, m.To, l.DelayMin, l.DelayMax)
	// The seeded delay is drawn either way, so the rest of the run keeps the seed's draws.
	d = n.k.delayChoice(m.From, m.To, m.ID, l.DelayMin, l.DelayMax, d) + extra
	reordered := extra > 0
	if faulty && random.Chance(n.rng, l.Reorder) {
		// Held back for one to three extra maximum delays: later sends on the link overtake it.
		extra := time.Duration(random.Between(n.rng, int64(l.DelayMax/time.Microsecond), 3*int64(l.DelayMax/time.Microsecond))) * time.Microsecond
		d += extra
		reordered = true
	}
	// The event carries the message once, as its note, and the delivery reads it from there.
	note := any(m)
	t := n.k.AfterParty(d, m.To, func() { n.deliver(note.(Message), dup, reordered) })
	t.ev.Note = note
}

func (n *Network) deliver(m Message, dup, reordered bool) {
	h, ok := n.handlers[m.To]
	if !ok {
		n.k.Trace.Put(m.To, trace.NetLost(m.ID, m.From, m.Kind, dup, reordered))
		return
	}
	n.k.Trace.Put(m.To, trace.NetDeliver(m.ID, m.From, m.Kind, dup, reordered))
	m.Duplicate = dup
	h(m)
}
