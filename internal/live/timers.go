package live

import (
	"sync"
	"time"

	"github.com/syncsim/syncsim/internal/realtime"
)

// timerSet is one party's named machine timers (a host's, the mesh's): realtime.Timers, counted
// among the run's goroutines, so that shutdown waits for a callback under way. Every method runs
// with the party's lock held.
type timerSet struct{ t *realtime.Timers }

func newTimerSet(mu *sync.Mutex, r *run) *timerSet {
	return &timerSet{realtime.NewTimers(mu, runJoin{r})}
}

// set arms key to call fire after d, replacing the key's timer.
func (s *timerSet) set(key string, d time.Duration, fire func()) { s.t.Set(key, d, fire) }

// cancel stops key's timer; an unknown key is ignored.
func (s *timerSet) cancel(key string) { s.t.Cancel(key) }

// stopAll stops every timer (the party is gone or the run is over).
func (s *timerSet) stopAll() { s.t.StopAll() }

// runJoin counts a party's goroutines and timers in the run's WaitGroup, which shutdown waits for.
type runJoin struct{ r *run }

var _ realtime.Joiner = runJoin{}

func (j runJoin) Add() bool    { return j.r.track() }
func (j runJoin) Done()        { j.r.wg.Done() }
func (j runJoin) Closed() bool { return j.r.isClosed() }

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
