package sim

import (
	"math/rand/v2"
	"time"
)

// ExploreWindow is how close together events must be due for Explore to offer a reordering: events
// due within 1 ms of the earliest (near-simultaneous deliveries and timers) may fire in either order.
const ExploreWindow = time.Millisecond

// Explore is the strategy of bounded exploration (simrun explore). Its delays are Uniform's (the
// same "schedule" stream, so a schedule without reorderings is the seed's default run), and at every
// choice point it asks to fire the second candidate first; the kernel's choice filter decides by the
// choice key whether that happens. Explore therefore makes each choice point binary: the default
// order, or the earliest event deferred past the next one. A schedule (the set of choice keys taken)
// replays exactly under this strategy. Without a filter every choice point reorders.
type Explore struct{ rng *rand.Rand }

// NewExplore draws delays from the "schedule" stream, as NewUniform does.
func NewExplore(s Streams) *Explore { return &Explore{rng: s.Stream("schedule")} }

// Name implements Strategy.
func (x *Explore) Name() string { return "explore" }

// Delay implements Strategy.
func (x *Explore) Delay(_, _ string, lo, hi time.Duration) time.Duration {
	return uniformDelay(x.rng, lo, hi)
}

// Window implements Strategy.
func (x *Explore) Window() time.Duration { return ExploreWindow }

// Pick implements Strategy: always the second candidate, subject to the kernel's choice filter.
func (x *Explore) Pick([]Candidate) int { return 1 }
