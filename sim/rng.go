package sim

import (
	"hash/fnv"
	"math/rand/v2"
)

// Streams derives one independent random stream per subsystem from the run's seed, so that adding a
// draw in one subsystem never shifts the draws of another (DESIGN.md principle 3).
type Streams struct {
	seed uint64
}

// NewStreams returns the stream factory of one seed.
func NewStreams(seed uint64) Streams { return Streams{seed: seed} }

// Seed is the run's seed.
func (s Streams) Seed() uint64 { return s.seed }

// Stream returns a fresh PCG stream for the named subsystem. The same (seed, name) always gives the same
// sequence; callers keep the stream they get rather than asking again.
func (s Streams) Stream(name string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.New(rand.NewPCG(s.seed, h.Sum64()))
}

// Between draws a duration uniformly from [lo, hi] at microsecond granularity.
func Between(r *rand.Rand, lo, hi int64) int64 {
	if hi <= lo {
		return lo
	}
	return lo + r.Int64N(hi-lo+1)
}

// Chance reports true with probability p.
func Chance(r *rand.Rand, p float64) bool {
	if p <= 0 {
		return false
	}
	if p >= 1 {
		return true
	}
	return r.Float64() < p
}
