package sim

import (
	"strconv"
	"time"
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
	Streams Streams
	Trace   *Recorder
}

// NewKernel starts a run at Epoch.
func NewKernel(seed uint64, budget Budget) *Kernel {
	k := &Kernel{budget: budget, Streams: NewStreams(seed)}
	k.Trace = &Recorder{clock: func() time.Duration { return k.now }}
	k.strategy = NewUniform(k.Streams)
	return k
}

// SetStrategy replaces the default Uniform strategy; call it before scheduling anything.
func (k *Kernel) SetStrategy(s Strategy) { k.strategy = s }

// SetChoiceFilter makes the kernel take a strategy's non-default pick only when the filter allows its
// key ("choice#n", the n-th choice point): how a recorded schedule is followed and shrunk.
func (k *Kernel) SetChoiceFilter(allow func(key string) bool) { k.allowChoice = allow }

// Strategy is the run's strategy.
func (k *Kernel) Strategy() Strategy { return k.strategy }

// Now is the current virtual instant.
func (k *Kernel) Now() time.Time { return Epoch.Add(k.now) }

// Elapsed is the virtual time since Epoch.
func (k *Kernel) Elapsed() time.Duration { return k.now }

// Events is the number of events fired so far.
func (k *Kernel) Events() int { return k.events }

// Timer is a handle on a scheduled event.
type Timer struct{ ev *Event }

// Stop keeps the event from firing; stopping twice or after it fired is harmless.
func (t Timer) Stop() {
	if t.ev != nil {
		t.ev.stopped = true
	}
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
	e := &Event{At: at, Seq: k.seq, Party: party, Fire: fn}
	k.queue.Push(e)
	return Timer{ev: e}
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
	cands := make([]Candidate, len(evs))
	for i, e := range evs {
		cands[i] = Candidate{At: e.At, Seq: e.Seq, Party: e.Party}
	}
	i := k.strategy.Pick(cands)
	if i < 0 || i >= len(evs) {
		panic("sim: strategy picked a candidate out of range")
	}
	k.choices++
	key := "choice#" + strconv.Itoa(k.choices)
	if i != 0 && k.allowChoice != nil {
		k.offered = evs
		if !k.allowChoice(key) {
			i = 0
		}
		k.offered = nil
	}
	for j, e := range evs {
		if j != i {
			k.queue.Push(e)
		}
	}
	if i != 0 {
		k.Trace.Add("sim", "sched.pick", F("key", key), F("event", evs[i].Seq), F("party", evs[i].Party), F("over", first.Seq))
	}
	return evs[i]
}

// maxCandidates bounds one choice point.
const maxCandidates = 16
