package realtime

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Timer is one callback on the real clock (time.AfterFunc), counted in its party's Joiner until it
// fires or is stopped, so that a stop waits for a callback under way. It fires with the party's
// lock held, and only if Stop did not come first: a timer stopped after its time came (its callback
// already waiting for the lock) does not fire, and it never fires once the Joiner is closing. A
// Timer is a site.Timer.
type Timer struct {
	t    stopper
	join Joiner
	// taken is set by whichever comes first under the lock: the callback's turn, or Stop.
	taken atomic.Bool
}

// stopper is the part of *time.Timer a Timer uses.
type stopper interface{ Stop() bool }

// afterFunc is time.AfterFunc's shape; a test puts a fake clock in.
type afterFunc func(time.Duration, func()) stopper

func realAfterFunc(d time.Duration, f func()) stopper { return time.AfterFunc(d, f) }

// arm arms fire to run after d with mu held (nil mu: with no lock, the run's own timeline timers),
// counted in j. Once j is closing nothing is armed: the Timer returned is stopped already and ok is
// false.
func arm(after afterFunc, mu sync.Locker, j Joiner, d time.Duration, fire func()) (t *Timer, ok bool) {
	t = &Timer{join: j}
	if !j.Add() {
		t.taken.Store(true)
		return t, false
	}
	t.t = after(d, func() {
		defer j.Done()
		if mu != nil {
			mu.Lock()
			defer mu.Unlock()
		}
		if j.Closed() || !t.taken.CompareAndSwap(false, true) {
			return // stopped after it fired, or the party is stopping
		}
		fire()
	})
	return t, true
}

// AfterFunc arms fire to run after d with mu held (nil: with no lock), counted in j: the real-clock
// timer of a driver whose callbacks take their locks themselves (the live run's timeline).
func AfterFunc(mu sync.Locker, j Joiner, d time.Duration, fire func()) *Timer {
	t, _ := arm(realAfterFunc, mu, j, d, fire)
	return t
}

// Stop keeps the timer from firing and releases its count at once; stopping one that fired or was
// stopped does nothing. With a lock, it runs with the lock held.
func (t *Timer) Stop() {
	if !t.taken.CompareAndSwap(false, true) {
		return
	}
	if t.t.Stop() {
		t.join.Done()
	}
}

// Timers are one party's machine timers on the real clock: named ones (a host's lease and
// background timers, the mesh's debounce and retry), where arming a key replaces its timer, and
// unnamed ones (After: the fleet's). A named callback fires its key only while its timer is still
// the key's current one: a timer replaced or cancelled after it fired (its callback already waiting
// for the party's lock) neither deletes the new timer nor fires the key a second time. Every method
// runs with the party's lock (mu) held; a callback takes it.
type Timers struct {
	mu        sync.Locker
	join      Joiner
	timers    map[string]*Timer
	afterFunc afterFunc
}

// NewTimers returns the timers of the party whose lock is mu, counted in j.
func NewTimers(mu sync.Locker, j Joiner) *Timers {
	return &Timers{mu: mu, join: j, timers: map[string]*Timer{}, afterFunc: realAfterFunc}
}

// After arms fire to run after d; the caller keeps the Timer to stop it. Once the Joiner is
// closing, the Timer returned is stopped already.
func (s *Timers) After(d time.Duration, fire func()) *Timer {
	t, _ := arm(s.afterFunc, s.mu, s.join, d, fire)
	return t
}

// Set arms key to call fire after d, replacing the key's timer. Once the Joiner is closing,
// nothing is armed.
func (s *Timers) Set(key string, d time.Duration, fire func()) {
	s.Cancel(key)
	// The callback runs only while its timer was not stopped, that is while it is the key's.
	t, ok := arm(s.afterFunc, s.mu, s.join, d, func() {
		delete(s.timers, key)
		fire()
	})
	if ok {
		s.timers[key] = t
	}
}

// Cancel stops key's timer; an unknown key is ignored.
func (s *Timers) Cancel(key string) {
	t, ok := s.timers[key]
	if !ok {
		return
	}
	delete(s.timers, key)
	t.Stop()
}

// StopAll stops every named timer (the party is gone or stopping), in key order.
func (s *Timers) StopAll() {
	keys := make([]string, 0, len(s.timers))
	for k := range s.timers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s.Cancel(k)
	}
}

// Armed reports whether key has a timer armed.
func (s *Timers) Armed(key string) bool {
	_, ok := s.timers[key]
	return ok
}
