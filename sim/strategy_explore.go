package sim

import (
	"math/rand/v2"
	"time"

	"github.com/syncsim/syncsim/internal/random"
)

// ExploreWindow is how close together events must be due for Explore to offer a reordering: events
// due within 1 ms of the earliest (near-simultaneous deliveries and timers) may fire in any order.
const ExploreWindow = time.Millisecond

// Explore is the strategy of bounded exploration (simrun explore). Its delays are Uniform's (the
// same "schedule" stream, so a schedule without non-default choices is the seed's default run). It
// enumerates: the kernel's choice filter makes every choice, by key.
//
//   - At a choice point of k events due within ExploreWindow of the earliest, the filter is asked
//     about candidates 1..k-1 in order (CandidateKey: "choice#n", "choice#n:2", ...) and the first
//     it allows fires next: k branches, so every order of the events is reachable over successive
//     choice points.
//   - A message whose delivery window [lo, hi] holds the due time of another message in flight to
//     the same receiver is a choice point too (DelayKey: "choice#n:lo", "choice#n:hi"): the filter
//     may give it either bound instead of the seeded delay, so the two can arrive in either order.
//
// A schedule (the set of choice keys taken) replays exactly under this strategy. Without a filter
// every choice point fires its second candidate and delays stay seeded.
type Explore struct{ rng *rand.Rand }

// enumerating marks a strategy whose choices the kernel's choice filter makes (Explore).
type enumerating interface{ enumerates() }

// NewExplore draws delays from the "schedule" stream, as NewUniform does.
func NewExplore(s random.Streams) *Explore { return &Explore{rng: s.Stream("schedule")} }

func (x *Explore) enumerates() {}

// Name implements Strategy.
func (x *Explore) Name() string { return "explore" }

// Delay implements Strategy.
func (x *Explore) Delay(_, _ string, lo, hi time.Duration) time.Duration {
	return uniformDelay(x.rng, lo, hi)
}

// Window implements Strategy.
func (x *Explore) Window() time.Duration { return ExploreWindow }

// Pick implements Strategy: the second candidate (used only when no choice filter is set).
func (x *Explore) Pick([]Candidate) int { return 1 }
