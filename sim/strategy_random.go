package sim

import (
	"math/rand/v2"
	"time"

	"github.com/syncsim/syncsim/internal/random"
)

// DefaultRandomWindow is how far past the earliest due event Random may reach for the event that
// fires next: small, so that it reorders events that are nearly simultaneous and little else.
const DefaultRandomWindow = 2 * time.Millisecond

// Random is the plain randomized scheduler, like Coyote's "random" strategy and P's --sch-random:
// every delivery delay is drawn uniformly within its link's bounds, and at each choice point every
// event due within Window of the earliest is equally likely to fire next. It is good at bugs that
// need one or two unlucky choices and poor at bugs that need one party to run well ahead of another
// (many consistent choices in a row); PCT covers those.
//
// It draws only from its own streams ("strategy/<name>/delay" and "strategy/<name>/pick"), so
// choosing it never shifts another subsystem's draws, and the number of picks never shifts delays.
type Random struct {
	name   string
	window time.Duration
	delays *rand.Rand
	picks  *rand.Rand
}

// NewRandom builds the "random" strategy; a window <= 0 means DefaultRandomWindow.
func NewRandom(s random.Streams, window time.Duration) *Random { return newRandom(s, "random", window) }

// NewSwarm builds the "swarm" strategy. Its scheduling is Random's, from its own "strategy/swarm/..."
// streams; what makes a sweep a swarm (after TigerBeetle's VOPR swarm testing: the seed also picks
// which fault kinds are on and at what rates) is chosen by the fault layer, not here.
func NewSwarm(s random.Streams, window time.Duration) *Random { return newRandom(s, "swarm", window) }

func newRandom(s random.Streams, name string, window time.Duration) *Random {
	if window <= 0 {
		window = DefaultRandomWindow
	}
	return &Random{
		name: name, window: window,
		delays: s.Stream("strategy/" + name + "/delay"),
		picks:  s.Stream("strategy/" + name + "/pick"),
	}
}

// Name implements Strategy: "random" or "swarm".
func (r *Random) Name() string { return r.name }

// Delay implements Strategy: uniform within [lo, hi].
func (r *Random) Delay(_, _ string, lo, hi time.Duration) time.Duration {
	return uniformDelay(r.delays, lo, hi)
}

// Window implements Strategy.
func (r *Random) Window() time.Duration { return r.window }

// Pick implements Strategy: a uniform choice among the candidates.
func (r *Random) Pick(cands []Candidate) int { return r.picks.IntN(len(cands)) }
