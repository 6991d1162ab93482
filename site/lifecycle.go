package site

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/syncsim/syncsim/internal/random"
)

// WorkerState is where an instance is in its life.
type WorkerState int

const (
	// Starting: the container exists but the host is not running and the container is not ready.
	Starting WorkerState = iota + 1
	// Running: the host is running and the container is ready; the router may pick it.
	Running
	// Deleted: gone for good, with all its memory and in-flight work.
	Deleted
)

func (s WorkerState) String() string {
	switch s {
	case Starting:
		return "starting"
	case Running:
		return "running"
	case Deleted:
		return "deleted"
	}
	return "unknown"
}

// Worker is one instance of the site as the fleet tracks it, named like CONTAINER_NAME.
type Worker struct {
	Name    string
	Index   int // order of creation, from 0
	State   WorkerState
	Started time.Duration
}

// Lifecycle tracks the site's instances (the fleet's bookkeeping). Every new instance gets a new name, drawn from the
// "instances" stream: a restarted instance never comes back under its old name.
type Lifecycle struct {
	rng    *rand.Rand
	prefix string
	all    []*Worker
	byName map[string]*Worker
}

// NewLifecycle names instances "{prefix}-{4 hex digits}".
func NewLifecycle(s random.Streams, prefix string) *Lifecycle {
	return &Lifecycle{rng: s.Stream("instances"), prefix: prefix, byName: map[string]*Worker{}}
}

// Create adds a new instance in state Starting.
func (l *Lifecycle) Create(now time.Duration) *Worker {
	var name string
	for {
		name = fmt.Sprintf("%s-%04x", l.prefix, l.rng.IntN(1<<16))
		if _, taken := l.byName[name]; !taken {
			break
		}
	}
	in := &Worker{Name: name, Index: len(l.all), State: Starting, Started: now}
	l.all = append(l.all, in)
	l.byName[name] = in
	return in
}

// Get returns an instance by name.
func (l *Lifecycle) Get(name string) (*Worker, bool) {
	in, ok := l.byName[name]
	return in, ok
}

// Live returns the instances not deleted, oldest first.
func (l *Lifecycle) Live() []*Worker {
	var out []*Worker
	for _, in := range l.all {
		if in.State != Deleted {
			out = append(out, in)
		}
	}
	return out
}

// Ready returns the running instances sorted by name: the router's candidates.
func (l *Lifecycle) Ready() []*Worker {
	var out []*Worker
	for _, in := range l.all {
		if in.State == Running {
			out = append(out, in)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
