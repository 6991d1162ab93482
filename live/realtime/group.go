package realtime

import "sync"

// Joiner counts the goroutines and armed timers that someone waits for before a party is gone: Add
// counts one more unless the owner is closing (then nothing may start), Done uncounts one, Closed
// reports whether closing began. A Group is one; the live runtime counts every party of a run in the
// run's own.
type Joiner interface {
	Add() bool
	Done()
	Closed() bool
}

// Group is a set of joined goroutines: Close refuses new ones and waits for every one started, so
// that nothing a server started outlives its stop. The zero Group is open.
type Group struct {
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

// NewGroup returns an open group.
func NewGroup() *Group { return &Group{} }

var _ Joiner = (*Group)(nil)

// Add counts one more goroutine or timer; false once the group is closing.
func (g *Group) Add() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	g.wg.Add(1)
	return true
}

// Done uncounts one.
func (g *Group) Done() { g.wg.Done() }

// Closed reports whether Shut or Close was called.
func (g *Group) Closed() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.closed
}

// Shut refuses new goroutines; it reports whether this call shut the group (false when it was shut
// already).
func (g *Group) Shut() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	g.closed = true
	return true
}

// Wait waits for every goroutine counted.
func (g *Group) Wait() { g.wg.Wait() }

// Close shuts the group and waits for every goroutine counted.
func (g *Group) Close() {
	g.Shut()
	g.wg.Wait()
}

// Go runs fn on a goroutine counted in j, unless j is closing (then fn never runs and Go reports
// false). Every go statement of a party goes through here, so that its stop can wait for it.
func Go(j Joiner, fn func()) bool {
	if !j.Add() {
		return false
	}
	go func() {
		defer j.Done()
		fn()
	}()
	return true
}
