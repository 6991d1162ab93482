package sim

import (
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
	queue   Queue
	now     time.Duration
	seq     uint64
	events  int
	budget  Budget
	Streams Streams
	Trace   *Recorder
}

// NewKernel starts a run at Epoch.
func NewKernel(seed uint64, budget Budget) *Kernel {
	k := &Kernel{budget: budget, Streams: NewStreams(seed)}
	k.Trace = &Recorder{clock: func() time.Duration { return k.now }}
	return k
}

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
func (k *Kernel) At(at time.Duration, fn func()) Timer {
	if at < k.now {
		at = k.now
	}
	k.seq++
	e := &Event{At: at, Seq: k.seq, Fire: fn}
	k.queue.Push(e)
	return Timer{ev: e}
}

// After schedules fn d after now.
func (k *Kernel) After(d time.Duration, fn func()) Timer { return k.At(k.now+d, fn) }

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
		k.now = e.At
		k.events++
		fn := e.Fire
		e.Fire = nil
		fn()
	}
}
