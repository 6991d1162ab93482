package live

import (
	"sync"
	"testing"
	"time"
)

// fakeClock hands a timerSet's callbacks to the test, which fires them when it chooses, as
// clockwork's fake clock does; Stop reports false once a timer fired.
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

// A timer replaced after it fired (its callback waiting for the party's lock while the party re-arms
// the key) neither fires the key nor deletes the new timer: the key fires once, when the new timer
// does (the guard host/hosthttp's setTimer has; issue 23).
func TestTimerReplacedAfterItFired(t *testing.T) {
	var mu sync.Mutex
	clock := &fakeClock{}
	var fired []string
	var wg sync.WaitGroup
	s := &timerSet{mu: &mu, timers: map[string]*armed{}, afterFunc: clock.afterFunc,
		track: func() bool { wg.Add(1); return true }, done: wg.Done}

	mu.Lock()
	s.set("renew", time.Second, func() { fired = append(fired, "old") })
	mu.Unlock()
	old := clock.fire(0) // its time came: the callback runs, and waits for the lock below

	mu.Lock()
	s.set("renew", time.Second, func() { fired = append(fired, "new") }) // the machine re-arms meanwhile
	mu.Unlock()
	old() // the old callback gets the lock now

	mu.Lock()
	if len(fired) != 0 {
		t.Fatalf("the replaced timer fired: %v", fired)
	}
	if _, ok := s.timers["renew"]; !ok {
		t.Fatal("the replaced timer's callback deleted the new timer")
	}
	mu.Unlock()

	clock.fire(1)()
	if len(fired) != 1 || fired[0] != "new" {
		t.Fatalf("fired %v, want the new timer once", fired)
	}
	// Every arming was counted and uncounted: shutdown's wait would not hang.
	waited := make(chan struct{})
	go func() { wg.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-time.After(10 * time.Second):
		t.Fatal("a timer's count in the run's WaitGroup was never released")
	}
}

// A cancelled key and every key at stopAll release their count at once and never fire.
func TestTimerCancelAndStopAll(t *testing.T) {
	var mu sync.Mutex
	clock := &fakeClock{}
	count := 0
	s := &timerSet{mu: &mu, timers: map[string]*armed{}, afterFunc: clock.afterFunc,
		track: func() bool { count++; return true }, done: func() { count-- }}
	fired := 0
	mu.Lock()
	s.set("a", time.Second, func() { fired++ })
	s.set("b", time.Second, func() { fired++ })
	s.set("c", time.Second, func() { fired++ })
	s.cancel("a")
	late := clock.fire(2) // c's time came before stopAll took the lock
	s.stopAll()
	mu.Unlock()
	late()
	if fired != 0 || count != 0 || len(s.timers) != 0 {
		t.Fatalf("fired %d, counted %d, armed %d after cancel and stopAll; want 0, 0, 0", fired, count, len(s.timers))
	}
}
