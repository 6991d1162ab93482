package realtime

import (
	"context"
	"sync"
	"time"
)

// Party is one party's step machines on the real clock behind one lock: every input (a request, a
// timer, the answer to a request the party made) steps them with the lock held, so that the
// thread-unsafe machines and their interpreters (site) see one input at a time, as the
// simulator's kernel hands them out. Its timers and goroutines are counted in its Joiner, so that
// whoever stops it can wait for every one. A Party is a sync.Locker.
type Party struct {
	mu   sync.Mutex
	join Joiner
	// group is the party's own (NewParty); nil when the party counts in someone else's Joiner
	// (JoinParty), whose owner closes it.
	group  *Group
	timers *Timers
	ctx    context.Context
	cancel context.CancelFunc
	// shut is set by the first Shut, which closes closing; both under mu.
	shut    bool
	closing chan struct{}
}

// NewParty returns a party with a Group of its own: Shut and Wait stop it.
func NewParty() *Party {
	g := NewGroup()
	p := newParty(g)
	p.group = g
	return p
}

// JoinParty returns a party counted in j (the live runtime's run): j's owner refuses new work and
// waits for it; Shut stops the party's timers and requests.
func JoinParty(j Joiner) *Party { return newParty(j) }

func newParty(j Joiner) *Party {
	p := &Party{join: j, closing: make(chan struct{})}
	p.timers = NewTimers(&p.mu, j)
	p.ctx, p.cancel = context.WithCancel(context.Background())
	return p
}

// Lock takes the party's lock.
func (p *Party) Lock() { p.mu.Lock() }

// Unlock releases the party's lock.
func (p *Party) Unlock() { p.mu.Unlock() }

// Closed reports whether the party is stopping: no input steps its machines any more.
func (p *Party) Closed() bool { return p.join.Closed() }

// Context is cancelled when the party shuts: the requests it makes end with it.
func (p *Party) Context() context.Context { return p.ctx }

// Closing is closed when Shut begins: a handler waiting for an answer selects on it, so that a stop
// never waits for an answer that will not come.
func (p *Party) Closing() <-chan struct{} { return p.closing }

// Timers are the party's named timers (every method with the lock held).
func (p *Party) Timers() *Timers { return p.timers }

// Do runs step with the lock held, unless the party is stopping; it reports whether step ran.
func (p *Party) Do(step func()) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.Closed() {
		return false
	}
	step()
	return true
}

// Enter counts a request handler, which calls Leave when it returns; false once the party is
// stopping (the handler answers at once).
func (p *Party) Enter() bool { return p.join.Add() }

// Leave uncounts a handler Enter counted.
func (p *Party) Leave() { p.join.Done() }

// Go runs work off the lock on a counted goroutine (an HTTP request, a storage call), with a context
// the party's shut cancels; the step work returns, if any, then runs with the lock held unless the
// party stopped meanwhile. Nothing starts once the party is stopping.
func (p *Party) Go(work func(ctx context.Context) (step func())) {
	Go(p.join, func() {
		step := work(p.ctx)
		if step != nil {
			p.Do(step)
		}
	})
}

// SetTimer arms the machine's timer key to run fire with the lock held after d, unless the party
// is stopping by then; the lock is held.
func (p *Party) SetTimer(key string, d time.Duration, fire func()) { p.timers.Set(key, d, fire) }

// After arms an unnamed timer (a fleet's: an instance's startup, its host's timers) to run fire with
// the lock held after d, unless it is stopped or the party is stopping by then; the lock is held.
func (p *Party) After(d time.Duration, fire func()) *Timer { return p.timers.After(d, fire) }

// CancelTimer stops timer key; the lock is held.
func (p *Party) CancelTimer(key string) { p.timers.Cancel(key) }

// Sleep waits d, or less when the party stops; false when it stopped.
func (p *Party) Sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-p.Closing():
		return false
	}
}

// Shut refuses new work (a party of its own; a joined party's Joiner is closed by its owner), wakes
// the handlers waiting on Closing, stops the named timers and runs extra with the lock held (a
// driver stops its unnamed timers there), then cancels the requests under way. Only the first call
// does anything.
func (p *Party) Shut(extra func()) {
	p.mu.Lock()
	first := !p.shut
	if first {
		p.shut = true
		if p.group != nil {
			p.group.Shut()
		}
		close(p.closing)
		p.timers.StopAll()
		if extra != nil {
			extra()
		}
	}
	p.mu.Unlock()
	p.cancel()
}

// Wait waits for every goroutine, handler and timer callback of a party with a Group of its own.
func (p *Party) Wait() { p.group.Wait() }
