package sim

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"time"
)

// InstanceState is where an instance is in its life.
type InstanceState int

const (
	// Starting: the container exists but the host is not running and the container is not ready.
	Starting InstanceState = iota + 1
	// Running: the host is running and the container is ready; the router may pick it.
	Running
	// Deleted: gone for good, with all its memory and in-flight work.
	Deleted
)

func (s InstanceState) String() string {
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

// Instance is one worker of the site, named like CONTAINER_NAME.
type Instance struct {
	Name    string
	Index   int // order of creation, from 0
	State   InstanceState
	Started time.Duration
}

// Lifecycle tracks the site's instances. Every new instance gets a new name, drawn from the
// "instances" stream: a restarted instance never comes back under its old name.
type Lifecycle struct {
	rng    *rand.Rand
	prefix string
	all    []*Instance
	byName map[string]*Instance
}

// NewLifecycle names instances "{prefix}-{4 hex digits}".
func NewLifecycle(s Streams, prefix string) *Lifecycle {
	return &Lifecycle{rng: s.Stream("instances"), prefix: prefix, byName: map[string]*Instance{}}
}

// Create adds a new instance in state Starting.
func (l *Lifecycle) Create(now time.Duration) *Instance {
	var name string
	for {
		name = fmt.Sprintf("%s-%04x", l.prefix, l.rng.IntN(1<<16))
		if _, taken := l.byName[name]; !taken {
			break
		}
	}
	in := &Instance{Name: name, Index: len(l.all), State: Starting, Started: now}
	l.all = append(l.all, in)
	l.byName[name] = in
	return in
}

// Get returns an instance by name.
func (l *Lifecycle) Get(name string) (*Instance, bool) {
	in, ok := l.byName[name]
	return in, ok
}

// Live returns the instances not deleted, oldest first.
func (l *Lifecycle) Live() []*Instance {
	var out []*Instance
	for _, in := range l.all {
		if in.State != Deleted {
			out = append(out, in)
		}
	}
	return out
}

// Ready returns the running instances sorted by name: the router's candidates.
func (l *Lifecycle) Ready() []*Instance {
	var out []*Instance
	for _, in := range l.all {
		if in.State == Running {
			out = append(out, in)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Router is the site router's choice (PROTOCOL.md section 1): a seeded pick among the running, ready
// instances.
type Router struct {
	rng *rand.Rand
}

// NewRouter draws from the "router" stream.
func NewRouter(s Streams) *Router { return &Router{rng: s.Stream("router")} }

// Pick chooses one of the candidates, or reports false when there is none (the router answers 503).
func (r *Router) Pick(candidates []*Instance) (*Instance, bool) {
	if len(candidates) == 0 {
		return nil, false
	}
	return candidates[r.rng.IntN(len(candidates))], true
}
