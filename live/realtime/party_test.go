package realtime

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// waitClosed reports whether ch closes within a generous bound (a hang fails the test, not a slow run).
func waitClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	case <-time.After(10 * time.Second):
		return false
	}
}

// shutAndWait stops p and reports whether it stopped within waitClosed's bound.
func shutAndWait(p *Party) bool {
	done := make(chan struct{})
	go func() {
		p.Shut(nil)
		p.Wait()
		close(done)
	}()
	return waitClosed(done)
}

// Close waits for a goroutine under way, and refuses one started after it began.
func TestGroupCloseWaitsForWorkInFlight(t *testing.T) {
	g := NewGroup()
	release := make(chan struct{})
	var finished atomic.Bool
	started := make(chan struct{})
	if !Go(g, func() {
		close(started)
		<-release
		finished.Store(true)
	}) {
		t.Fatal("an open group refused a goroutine")
	}
	<-started
	closed := make(chan struct{})
	go func() { g.Close(); close(closed) }()
	select {
	case <-closed:
		t.Fatal("Close returned while a goroutine was under way")
	case <-time.After(50 * time.Millisecond):
	}
	if Go(g, func() { t.Error("a goroutine started after Close began") }) {
		t.Error("a closing group took a goroutine")
	}
	close(release)
	if !waitClosed(closed) {
		t.Fatal("Close never returned")
	}
	if !finished.Load() {
		t.Fatal("Close returned before the goroutine finished")
	}
}

// A party's Shut and Wait wait for a request under way and drop its answer: the step it returns
// never runs once the party is stopping, and its context is cancelled.
func TestPartyDropsAnswersAfterShut(t *testing.T) {
	p := NewParty()
	inFlight := make(chan struct{})
	var stepped, cancelled atomic.Bool
	p.Lock()
	p.Go(func(ctx context.Context) func() {
		close(inFlight)
		<-ctx.Done() // a request that only ends when the party shuts
		cancelled.Store(true)
		return func() { stepped.Store(true) }
	})
	p.Unlock()
	<-inFlight
	if !shutAndWait(p) {
		t.Fatal("Shut and Wait never returned")
	}
	if !cancelled.Load() || stepped.Load() {
		t.Fatalf("request cancelled %v, its answer stepped %v; want true, false", cancelled.Load(), stepped.Load())
	}
	if p.Do(func() { t.Error("a step ran after Shut") }) {
		t.Error("Do reported a step after Shut")
	}
}

// A party's real timer fires its step under the lock, and Shut stops the timers armed: Wait does not
// wait for their deadline.
func TestPartyTimerFiresAndShutStopsTimers(t *testing.T) {
	p := NewParty()
	fired := make(chan struct{})
	p.Lock()
	p.SetTimer("soon", time.Millisecond, func() { close(fired) })
	p.SetTimer("late", time.Hour, func() { t.Error("the hour-long timer fired") })
	p.Unlock()
	if !waitClosed(fired) {
		t.Fatal("the timer never fired")
	}
	if !shutAndWait(p) {
		t.Fatal("Wait waited for a timer Shut should have stopped")
	}
}

// A party counted in someone else's Joiner (the live run's) stops with Shut too: Closing closes, a
// Sleep ends early, its named timers stop, extra runs once with the lock held, and its requests'
// context is cancelled.
func TestJoinedPartyShut(t *testing.T) {
	g := NewGroup()
	p := JoinParty(g)
	p.Lock()
	p.SetTimer("late", time.Hour, func() { t.Error("the hour-long timer fired") })
	p.Unlock()
	slept := make(chan bool, 1)
	Go(g, func() { slept <- p.Sleep(time.Hour) })
	extras := 0
	p.Shut(func() { extras++ })
	p.Shut(func() { extras++ })
	select {
	case <-p.Closing():
	default:
		t.Fatal("Closing is not closed after Shut")
	}
	if p.Context().Err() == nil || extras != 1 || p.Timers().Armed("late") {
		t.Fatalf("context %v, extra ran %d times, timer armed %v; want cancelled, 1, false", p.Context().Err(), extras, p.Timers().Armed("late"))
	}
	done := make(chan struct{})
	go func() { g.Close(); close(done) }()
	if !waitClosed(done) || <-slept {
		t.Fatal("the Sleep or the stopped timer held the group's close")
	}
}
