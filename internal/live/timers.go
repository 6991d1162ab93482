package live

import (
	"sort"
	"sync"
	"time"
)

// timerSet is one party's named machine timers (a host's, the mesh's) on the real clock. Arming a
// key replaces its timer. A callback fires its key only while its timer is still the key's current
// one: a timer replaced after it fired (its callback already waiting for the party's lock) neither
// deletes the new timer nor fires the key a second time, the guard host/hosthttp has. Every method
// runs with the owner's lock (mu) held; a callback takes it.
type timerSet struct {
	mu     *sync.Mutex
	timers map[string]*armed
	// afterFunc is time.AfterFunc; a test puts a fake clock in.
	afterFunc func(time.Duration, func()) stopper
	// track counts an armed timer among the run's goroutines and reports false when the run is over
	// (the timer is then not armed); done uncounts one. Either may be nil (nothing is counted).
	track func() bool
	done  func()
}

// stopper is the part of *time.Timer a timerSet uses.
type stopper interface{ Stop() bool }

// armed is one arming of a key; a callback compares it with the key's current one.
type armed struct{ t stopper }

func newTimerSet(mu *sync.Mutex, r *run) *timerSet {
	return &timerSet{mu: mu, timers: map[string]*armed{},
		afterFunc: func(d time.Duration, f func()) stopper { return time.AfterFunc(d, f) },
		track:     r.track, done: r.wg.Done}
}

// set arms key to call fire after d, replacing the key's timer; mu is held.
func (s *timerSet) set(key string, d time.Duration, fire func()) {
	s.cancel(key)
	if s.track != nil && !s.track() {
		return
	}
	a := &armed{}
	a.t = s.afterFunc(d, func() {
		if s.done != nil {
			defer s.done()
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.timers[key] != a {
			return // replaced or cancelled after it fired
		}
		delete(s.timers, key)
		fire()
	})
	s.timers[key] = a
}

// cancel stops key's timer; an unknown key is ignored. mu is held.
func (s *timerSet) cancel(key string) {
	a, ok := s.timers[key]
	if !ok {
		return
	}
	delete(s.timers, key)
	if a.t.Stop() && s.done != nil {
		s.done()
	}
}

// stopAll stops every timer (the party is gone or the run is over); mu is held.
func (s *timerSet) stopAll() {
	keys := make([]string, 0, len(s.timers))
	for k := range s.timers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s.cancel(k)
	}
}

// track counts one more goroutine of the run (an armed timer), unless the run is over.
func (r *run) track() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false
	}
	r.wg.Add(1)
	return true
}
