package sim

import (
	"strconv"
	"time"

	"github.com/syncsim/syncsim/internal/random"
	"github.com/syncsim/syncsim/trace"
)

// Budget bounds a run. A run that reaches either bound before its planned end is inconclusive, never
// a hang (DESIGN.md "Scenarios, settle window").
type Budget struct {
	MaxEvents int
	MaxTime   time.Duration
}

// Reason says why a run stopped.
type Reason string

const (
	// ReasonEnd: the run reached its planned end (the end of the settle window).
	ReasonEnd Reason = "end"
	// ReasonIdle: nothing was left to happen before the planned end.
	ReasonIdle Reason = "idle"
	// ReasonMaxEvents: the event budget ran out first.
	ReasonMaxEvents Reason = "budget-events"
	// ReasonMaxTime: the virtual-time budget ran out first.
	ReasonMaxTime Reason = "budget-time"
	// ReasonHalted: Halt ended the run early (simrun explore, once the rest of a run is known).
	ReasonHalted Reason = "halted"
)

// Complete reports whether the run got to its planned end (or had nothing left to do before it).
func (r Reason) Complete() bool { return r == ReasonEnd || r == ReasonIdle }

// Outcome is how a run ended.
type Outcome struct {
	Reason Reason
	Events int
	At     time.Duration
}

// Kernel owns the queue, the clock, the random streams and the trace of one run. It is single-threaded.
type Kernel struct {
	queue    Queue
	now      time.Duration
	seq      uint64
	events   int
	budget   Budget
	strategy Strategy
	// choices counts choice points; allowChoice, when set, vetoes non-default picks by key.
	choices     int
	allowChoice func(key string) bool
	// offered holds a choice point's candidates while the filter decides, so Pending still lists them.
	offered []*Event
	// halted is set by Halt: Run returns before the next event.
	halted bool
	// block is what is left of the current block of new events (newEvent).
	block   []Event
	Streams random.Streams
	Trace   *trace.Recorder
}

// NewKernel starts a run at trace.Epoch.
func NewKernel(seed uint64, budget Budget) *Kernel {
	k := &Kernel{budget: budget, Streams: random.NewStreams(seed)}
	k.Trace = trace.NewRecorder(func() time.Duration { return k.now })
	k.strategy = NewUniform(k.Streams)
	if sink := shapeSink.Load(); sink != nil {
		k.queue.shape = &Shape{}
		(*sink)(k.queue.shape)
	}
	return k
}

// SetStrategy replaces the default Uniform strategy; call it before scheduling anything.
func (k *Kernel) SetStrategy(s Strategy) { k.strategy = s }

// SetChoiceFilter makes the kernel take a strategy's non-default pick only when the filter allows its
// key ("choice#n", the n-th choice point): how a recorded schedule is followed and shrunk.
func (k *Kernel) SetChoiceFilter(allow func(key string) bool) { k.allowChoice = allow }

// Halt ends the run before its next event (the event being chosen, if any, does not fire): simrun
// explore halts a schedule once it reaches a state whose default completion it has already judged.
func (k *Kernel) Halt() { k.halted = true }

// Strategy is the run's strategy.
func (k *Kernel) Strategy() Strategy { return k.strategy }

// Now is the current virtual instant.
func (k *Kernel) Now() time.Time { return trace.Epoch.Add(k.now) }

// Elapsed is the virtual time since trace.Epoch.
func (k *Kernel) Elapsed() time.Duration { return k.now }

// Events is the number of events fired so far.
func (k *Kernel) Events() int { return k.events }

// Timer is a handle on a scheduled event. It is one pointer wide, so that a driver's timer
// interface (site.Timer) holds it without an allocation; the event knows its queue, for the
// shape log.
type Timer struct {
	ev *Event
}

// Stop keeps the event from firing; stopping twice or after it fired is harmless.
func (t Timer) Stop() {
	if t.ev == nil {
		return
	}
	if q := t.ev.q; q != nil && q.shape != nil && !t.ev.stopped && t.ev.Fire != nil {
		q.shape.Ops = append(q.shape.Ops, ShapeOp{Op: ShapeStop, At: t.ev.At, Seq: t.ev.Seq})
	}
	t.ev.stopped = true
}

// Active reports whether the timer is scheduled and not stopped.
func (t Timer) Active() bool { return t.ev != nil && !t.ev.stopped && t.ev.Fire != nil }

// At schedules fn at virtual offset at (never earlier than now).
func (k *Kernel) At(at time.Duration, fn func()) Timer { return k.AtParty(at, "", fn) }

// AtParty schedules fn at virtual offset at on behalf of a party.
func (k *Kernel) AtParty(at time.Duration, party string, fn func()) Timer {
	if at < k.now {
		at = k.now
	}
	k.seq++
	e := k.newEvent()
	*e = Event{At: at, Seq: k.seq, Party: party, Fire: fn, q: &k.queue}
	k.queue.Push(e)
	return Timer{ev: e}
}

// eventBlock is how many events the kernel allocates at a time.
const eventBlock = 64

// newEvent is a new event, the next of the kernel's current block: a run's events are allocated
// eventBlock at a time, and a block is freed once none of its events is referenced any more.
func (k *Kernel) newEvent() *Event {
	if len(k.block) == 0 {
		k.block = make([]Event, eventBlock)
	}
	e := &k.block[0]
	k.block = k.block[1:]
	return e
}

// After schedules fn d after now.
func (k *Kernel) After(d time.Duration, fn func()) Timer { return k.AtParty(k.now+d, "", fn) }

// AfterParty schedules fn d after now on behalf of a party.
func (k *Kernel) AfterParty(d time.Duration, party string, fn func()) Timer {
	return k.AtParty(k.now+d, party, fn)
}

// Run fires events in (time, sequence) order until the planned end, an empty queue or a budget.
// Events scheduled exactly at end still fire; the clock then stands at end.
func (k *Kernel) Run(end time.Duration) Outcome {
	for {
		if k.halted {
			return Outcome{Reason: ReasonHalted, Events: k.events, At: k.now}
		}
		e := k.queue.Peek()
		if e == nil {
			k.now = max(k.now, end)
			return Outcome{Reason: ReasonIdle, Events: k.events, At: k.now}
		}
		if e.At > end {
			k.now = end
			return Outcome{Reason: ReasonEnd, Events: k.events, At: k.now}
		}
		if k.budget.MaxTime > 0 && e.At > k.budget.MaxTime {
			k.now = k.budget.MaxTime
			return Outcome{Reason: ReasonMaxTime, Events: k.events, At: k.now}
		}
		k.queue.Pop()
		if e.stopped {
			continue
		}
		if k.budget.MaxEvents > 0 && k.events >= k.budget.MaxEvents {
			k.now = e.At
			return Outcome{Reason: ReasonMaxEvents, Events: k.events, At: k.now}
		}
		if w := k.strategy.Window(); w > 0 {
			e = k.choose(e, min(e.At+w, end))
			if k.halted {
				return Outcome{Reason: ReasonHalted, Events: k.events, At: k.now}
			}
		}
		k.now = max(k.now, e.At)
		k.events++
		fn := e.Fire
		e.Fire = nil
		fn()
	}
}

// choose offers the strategy every live event due by limit, fires its pick and puts the others back.
// A pick other than the earliest is a non-default choice and is recorded in the trace.
//
// Under an enumerating strategy (Explore) the choice filter makes the pick: the candidates after the
// earliest are offered in order, each by its own key (CandidateKey), and the first one allowed fires;
// none allowed is the default order. So every candidate can go first, and over successive choice
// points every order of the events due together is reachable.
func (k *Kernel) choose(first *Event, limit time.Duration) *Event {
	evs := []*Event{first}
	for {
		n := k.queue.Peek()
		if n == nil || n.At > limit || len(evs) == maxCandidates {
			break
		}
		k.queue.Pop()
		if !n.stopped {
			evs = append(evs, n)
		}
	}
	if len(evs) == 1 {
		return first
	}
	k.choices++
	key := "choice#" + strconv.Itoa(k.choices)
	var i int
	if _, ok := k.strategy.(enumerating); ok && k.allowChoice != nil {
		k.offered = evs
		for j := 1; j < len(evs) && !k.halted; j++ {
			if kj := CandidateKey(k.choices, j); k.allowChoice(kj) {
				i, key = j, kj
				break
			}
		}
		k.offered = nil
	} else {
		cands := make([]Candidate, len(evs))
		for j, e := range evs {
			cands[j] = Candidate{At: e.At, Seq: e.Seq, Party: e.Party}
		}
		i = k.strategy.Pick(cands)
		if i < 0 || i >= len(evs) {
			panic("sim: strategy picked a candidate out of range")
		}
		if i != 0 && k.allowChoice != nil {
			k.offered = evs
			if !k.allowChoice(key) {
				i = 0
			}
			k.offered = nil
		}
	}
	for j, e := range evs {
		if j != i {
			k.queue.Push(e)
		}
	}
	if i != 0 {
		k.Trace.Put(trace.PartySim, trace.SchedPickEvent(key, evs[i].Seq, evs[i].Party, first.Seq))
	}
	return evs[i]
}

// CandidateKey is the choice key of firing candidate j (from 1, in (time, sequence) order) first at
// the n-th choice point: "choice#n" for the second candidate (the key binary choice points always
// had, so older schedules replay unchanged), "choice#n:j" for a later one.
func CandidateKey(n, j int) string {
	if j == 1 {
		return "choice#" + strconv.Itoa(n)
	}
	return "choice#" + strconv.Itoa(n) + ":" + strconv.Itoa(j)
}

// DelayKey is the choice key of giving the message of the n-th choice point its link's lower ("lo")
// or upper ("hi") delay bound instead of the seeded delay: "choice#n:lo", "choice#n:hi".
func DelayKey(n int, bound string) string { return "choice#" + strconv.Itoa(n) + ":" + bound }

// delayChoice is a message delay as a choice (enumerating strategies only): when the window
// [now+lo, now+hi] of a message to party holds the due time of another message in flight to the same
// party, their order depends on the delay, so the filter may give the new one the lower or the upper
// bound (DelayKey) instead of d, the seeded delay. Otherwise, and when neither is allowed, it is d.
func (k *Kernel) delayChoice(from, to string, id uint64, lo, hi, d time.Duration) time.Duration {
	if _, ok := k.strategy.(enumerating); !ok || k.allowChoice == nil || lo >= hi || k.halted || !k.inFlightTo(to, k.now+lo, k.now+hi) {
		return d
	}
	k.choices++
	for _, b := range []struct {
		name string
		d    time.Duration
	}{{"lo", lo}, {"hi", hi}} {
		if b.d == d {
			continue
		}
		if key := DelayKey(k.choices, b.name); k.allowChoice(key) {
			k.Trace.Put(trace.PartySim, trace.SchedPickDelay(key, id, from, to, b.d, d))
			return b.d
		}
	}
	return d
}

// inFlightTo reports whether a live delivery to party is due within [from, to].
func (k *Kernel) inFlightTo(party string, from, to time.Duration) bool {
	for _, e := range k.queue.items {
		if m, ok := e.Note.(Message); ok && !e.stopped && e.Fire != nil && m.To == party && e.At >= from && e.At <= to {
			return true
		}
	}
	return false
}

// maxCandidates bounds one choice point.
const maxCandidates = 16
