package realtime

import (
	"sync"
	"testing"
	"time"
)

// fakeClock hands a Timers' callbacks to the test, which fires them when it chooses, as clockwork's
// fake clock does; Stop reports false once a timer fired.
type fakeClock struct{ timers []*fakeTimer }

type fakeTimer struct {
	fn               func()
	fired, cancelled bool
}

func (t *fakeTimer) Stop() bool {
	if t.fired || t.cancelled {
		return false
	}
	t.cancelled = true
	return true
}

func (c *fakeClock) afterFunc(_ time.Duration, fn func()) stopper {
	t := &fakeTimer{fn: fn}
	c.timers = append(c.timers, t)
	return t
}

// fire starts timer i's callback, as the runtime does when its time comes (the callback then waits
// for the owner's lock).
func (c *fakeClock) fire(i int) func() {
	c.timers[i].fired = true
	return c.timers[i].fn
}

// countJoiner counts like a Group, with its count readable.
type countJoiner struct {
	n      int
	closed bool
}

func (j *countJoiner) Add() bool {
	if j.closed {
		return false
	}
	j.n++
	return true
}
func (j *countJoiner) Done()        { j.n-- }
func (j *countJoiner) Closed() bool { return j.closed }

func newFakeTimers(mu sync.Locker, j Joiner) (*Timers, *fakeClock) {
	clock := &fakeClock{}
	s := NewTimers(mu, j)
	s.afterFunc = clock.afterFunc
	return s, clock
}

// A timer replaced after it fired (its callback waiting for the party's lock while the party re-arms
// the key) neither fires the key nor deletes the new timer: the key fires once, when the new timer
// does (issue 23).
func TestTimerReplacedAfterItFired(t *testing.T) {
	var mu sync.Mutex
	g := NewGroup()
	s, clock := newFakeTimers(&mu, g)
	var fired []string

	mu.Lock()
	s.Set("renew", time.Second, func() { fired = append(fired, "old") })
	mu.Unlock()
	old := clock.fire(0) // its time came: the callback runs, and waits for the lock below

	mu.Lock()
	s.Set("renew", time.Second, func() { fired = append(fired, "new") }) // the machine re-arms meanwhile
	mu.Unlock()
	old() // the old callback gets the lock now

	mu.Lock()
	if len(fired) != 0 {
		t.Fatalf("the replaced timer fired: %v", fired)
	}
	if !s.Armed("renew") {
		t.Fatal("the replaced timer's callback deleted the new timer")
	}
	mu.Unlock()

	clock.fire(1)()
	if len(fired) != 1 || fired[0] != "new" {
		t.Fatalf("fired %v, want the new timer once", fired)
	}
	// Every arming was counted and uncounted: the group's close does not hang.
	closed := make(chan struct{})
	go func() { g.Close(); close(closed) }()
	if !waitClosed(closed) {
		t.Fatal("a timer's count in the group was never released")
	}
}

// A timer cancelled after it fired does not fire either, and a fired timer's second callback (a
// runtime that called it twice) finds nothing to fire.
func TestTimerCancelledAfterItFired(t *testing.T) {
	var mu sync.Mutex
	j := &countJoiner{}
	s, clock := newFakeTimers(&mu, j)
	fired := 0
	mu.Lock()
	s.Set("debounce", time.Second, func() { fired++ })
	mu.Unlock()
	late := clock.fire(0)
	mu.Lock()
	s.Cancel("debounce")
	mu.Unlock()
	late()
	if fired != 0 || j.n != 0 {
		t.Fatalf("fired %d, counted %d after a cancel that came late; want 0, 0", fired, j.n)
	}

	mu.Lock()
	s.Set("debounce", time.Second, func() { fired++ })
	mu.Unlock()
	again := clock.fire(1)
	again()
	j.n++ // the runtime's second call is counted as the first was
	again()
	if fired != 1 || j.n != 0 {
		t.Fatalf("fired %d, counted %d after one timer's callback ran twice; want 1, 0", fired, j.n)
	}
}

// A cancelled key and every key at StopAll release their count at once and never fire; once the
// joiner is closing, nothing is armed.
func TestTimerCancelAndStopAll(t *testing.T) {
	var mu sync.Mutex
	j := &countJoiner{}
	s, clock := newFakeTimers(&mu, j)
	fired := 0
	mu.Lock()
	s.Set("a", time.Second, func() { fired++ })
	s.Set("b", time.Second, func() { fired++ })
	s.Set("c", time.Second, func() { fired++ })
	s.Cancel("a")
	late := clock.fire(2) // c's time came before StopAll took the lock
	s.StopAll()
	mu.Unlock()
	late()
	if fired != 0 || j.n != 0 || len(s.timers) != 0 {
		t.Fatalf("fired %d, counted %d, armed %d after cancel and StopAll; want 0, 0, 0", fired, j.n, len(s.timers))
	}
	j.closed = true
	mu.Lock()
	s.Set("d", time.Second, func() { fired++ })
	mu.Unlock()
	if s.Armed("d") || len(clock.timers) != 3 || j.n != 0 {
		t.Fatalf("a timer was armed after the joiner closed (armed %v, %d timers, counted %d)", s.Armed("d"), len(clock.timers), j.n)
	}
}

// An unnamed timer (a fleet's) stopped after its time came, while its callback waited for the lock,
// does not fire and releases its count once; one not stopped fires once.
func TestUnnamedTimerStoppedAfterItFired(t *testing.T) {
	var mu sync.Mutex
	j := &countJoiner{}
	s, clock := newFakeTimers(&mu, j)
	fired := 0
	mu.Lock()
	stale := s.After(time.Second, func() { fired++ })
	kept := s.After(time.Second, func() { fired++ })
	mu.Unlock()
	late := clock.fire(0)
	mu.Lock()
	stale.Stop()
	stale.Stop() // a second stop finds nothing to release
	mu.Unlock()
	late()
	clock.fire(1)()
	mu.Lock()
	kept.Stop() // stopping one that fired does nothing
	mu.Unlock()
	if fired != 1 || j.n != 0 {
		t.Fatalf("fired %d, counted %d; want the kept timer once and no count left", fired, j.n)
	}
}

// A timer never fires once its joiner is closing, and nothing is armed then: the Timer returned is
// stopped already, and stopping it releases nothing.
func TestTimerAfterTheJoinerCloses(t *testing.T) {
	var mu sync.Mutex
	j := &countJoiner{}
	s, clock := newFakeTimers(&mu, j)
	fired := 0
	mu.Lock()
	s.After(time.Second, func() { fired++ })
	mu.Unlock()
	late := clock.fire(0)
	j.closed = true
	late()
	mu.Lock()
	none := s.After(time.Second, func() { fired++ })
	none.Stop()
	mu.Unlock()
	if fired != 0 || j.n != 0 || len(clock.timers) != 1 {
		t.Fatalf("fired %d, counted %d, %d timers armed after the joiner closed; want 0, 0, 1", fired, j.n, len(clock.timers))
	}
}

// A timer without a lock (the live run's timeline) fires on the real clock and is counted until it
// did; one stopped before its time never fires and is uncounted at once.
func TestAfterFuncWithoutALock(t *testing.T) {
	g := NewGroup()
	fired := make(chan struct{})
	AfterFunc(nil, g, time.Millisecond, func() { close(fired) })
	AfterFunc(nil, g, time.Hour, func() { t.Error("the stopped timer fired") }).Stop()
	if !waitClosed(fired) {
		t.Fatal("the timer never fired")
	}
	closed := make(chan struct{})
	go func() { g.Close(); close(closed) }()
	if !waitClosed(closed) {
		t.Fatal("a timer's count was never released")
	}
}
