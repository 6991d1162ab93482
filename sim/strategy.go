package sim

import (
	"math/rand/v2"
	"time"
)

// Strategy decides a run's choice points: how long each message takes within its link's bounds, and
// which of the events due close together fires first. Every decision comes from the run's seed.
type Strategy interface {
	// Name is the strategy's name as the CLI spells it.
	Name() string
	// Delay picks a message's delivery delay on a link within [lo, hi].
	Delay(from, to string, lo, hi time.Duration) time.Duration
	// Window is how far after the earliest due event another event may be chosen to fire first; 0
	// means events always fire in (time, sequence) order.
	Window() time.Duration
	// Pick chooses the index of the event that fires next among cands: the events due within Window
	// of the earliest, in (time, sequence) order. It is called only with two or more candidates.
	Pick(cands []Candidate) int
}

// Candidate is an event offered to Strategy.Pick.
type Candidate struct {
	At    time.Duration
	Seq   uint64
	Party string
}

// Uniform draws delays uniformly within the link's bounds and never reorders due events: the
// kernel's default.
type Uniform struct{ rng *rand.Rand }

// NewUniform draws from the "schedule" stream.
func NewUniform(s Streams) *Uniform { return &Uniform{rng: s.Stream("schedule")} }

// Name implements Strategy.
func (u *Uniform) Name() string { return "uniform" }

// Delay implements Strategy.
func (u *Uniform) Delay(_, _ string, lo, hi time.Duration) time.Duration {
	return uniformDelay(u.rng, lo, hi)
}

// Window implements Strategy.
func (u *Uniform) Window() time.Duration { return 0 }

// Pick implements Strategy.
func (u *Uniform) Pick([]Candidate) int { return 0 }

// uniformDelay draws from [lo, hi] at microsecond granularity.
func uniformDelay(r *rand.Rand, lo, hi time.Duration) time.Duration {
	return time.Duration(Between(r, int64(lo/time.Microsecond), int64(hi/time.Microsecond))) * time.Microsecond
}
