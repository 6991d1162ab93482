package realtime

import (
	"sort"
	"sync"
	"time"
)

// Timers are one party's named machine timers on the real clock (a host's lease and background
// timers, the mesh's debounce and retry). Arming a key replaces its timer. A callback fires its key
// only while its timer is still the key's current one: a timer replaced or cancelled after it fired
// (its callback already waiting for the party's lock) neither deletes the new timer nor fires the
// key a second time. Every armed timer is counted in the party's Joiner until it fires or is
// stopped, so that a stop waits for a callback under way. Every method runs with the party's lock
// (mu) held; a callback takes it.
type Timers struct {
	mu     sync.Locker
	join   Joiner
	timers map[string]*armed
	// afterFunc is time.AfterFunc; a test puts a fake clock in.
	afterFunc func(time.Duration, func()) stopper
}

// stopper is the part of *time.Timer Timers use.
type stopper interface{ Stop() bool }

// armed is one arming of a key; a callback compares it with the key's current one.
type armed struct{ t stopper }

// NewTimers returns the timers of the party whose lock is mu, counted in j.
func NewTimers(mu sync.Locker, j Joiner) *Timers {
	return &Timers{mu: mu, join: j, timers: map[string]*armed{},
		afterFunc: func(d time.Duration, f func()) stopper { return time.AfterFunc(d, f) }}
}

// Set arms key to call fire (with mu held) after d, replacing the key's timer. Once the Joiner is
// closing, nothing is armed.
func (s *Timers) Set(key string, d time.Duration, fire func()) {
	s.Cancel(key)
	if !s.join.Add() {
		return
	}
	a := &armed{}
	a.t = s.afterFunc(d, func() {
		defer s.join.Done()
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

// Cancel stops key's timer; an unknown key is ignored.
func (s *Timers) Cancel(key string) {
	a, ok := s.timers[key]
	if !ok {
		return
	}
	delete(s.timers, key)
	if a.t.Stop() {
		s.join.Done()
	}
}

// StopAll stops every timer (the party is gone or stopping), in key order.
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
