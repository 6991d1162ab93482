package random

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

// Derived draws: a decision that must not move when unrelated operations are added or removed (a
// fault's n-th opportunity at one place) draws from a stateless hash of (seed, name, n) instead of
// a shared stream, whose position depends on every draw made before.

// golden is 2^64 divided by the golden ratio, the increment of SplitMix64.
const golden = 0x9e3779b97f4a7c15

// mix64 is SplitMix64's finalizer: a bijection of uint64 whose output bits all depend on every
// input bit.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// Uint64At is a stateless hash of (seed, name, n): the same triple always gives the same value,
// whatever else the run has drawn. Names are the caller's stable description of the place of a
// decision (for the fault engine, "faults/fire/label@place"); n numbers the decisions there.
func (s Streams) Uint64At(name string, n uint64) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	x := mix64(s.seed + golden)
	x = mix64(x ^ h.Sum64())
	return mix64(x + (n+1)*golden)
}

// Float64At maps Uint64At to [0, 1) with 53 bits, as rand.Float64 does.
func (s Streams) Float64At(name string, n uint64) float64 {
	return float64(s.Uint64At(name, n)>>11) / (1 << 53)
}

// ChanceAt reports true with probability p for the n-th decision at name, statelessly.
func (s Streams) ChanceAt(name string, n uint64, p float64) bool {
	if p <= 0 {
		return false
	}
	if p >= 1 {
		return true
	}
	return s.Float64At(name, n) < p
}

// StreamAt returns a fresh PCG stream for the n-th decision at name, for a decision that needs more
// than one draw (a delay within bounds); like Uint64At it depends on nothing but (seed, name, n).
func (s Streams) StreamAt(name string, n uint64) *rand.Rand {
	return rand.New(rand.NewPCG(s.Uint64At(name, n), golden))
}
