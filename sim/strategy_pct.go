package sim

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/syncsim/syncsim/internal/random"
)

// PCT defaults.
const (
	// DefaultPCTDepth is the bug depth PCT aims at: d-1 = 2 priority change points per run.
	DefaultPCTDepth = 3
	// DefaultPCTSteps is the estimate k of choice points per run; change points fall in [1, k].
	DefaultPCTSteps = 1000
	// DefaultPCTWindow is wider than Random's so that a high-priority party can run several steps
	// ahead of a low-priority one: that run-ahead is what priorities buy.
	DefaultPCTWindow = 5 * time.Millisecond
)

// PCTConfig parameterizes PCT; a zero field means its default.
type PCTConfig struct {
	// Depth d: the strategy places d-1 priority change points (DefaultPCTDepth).
	Depth int
	// Steps k: the estimated number of choice points per run (DefaultPCTSteps).
	Steps int
	// Window: how far past the earliest due event a higher-priority party may fire first
	// (DefaultPCTWindow).
	Window time.Duration
}

// PCT is the probabilistic concurrency testing scheduler of Burckhardt et al., "A randomized
// scheduler with probabilistic guarantees of finding bugs" (ASPLOS 2010), as in Coyote's
// "prioritization" strategy and P's --sch-pct, with parties in place of threads:
//
//   - every party gets a distinct random initial priority, at least d, the first time it is seen;
//   - at each choice point (a Pick with two or more candidates) the candidate of the highest-priority
//     party fires; among one party's candidates the earliest fires;
//   - d-1 change points are drawn, distinct and uniform, from the choice-point indices [1, k]; at the
//     i-th of them the party that would fire drops to priority d-i, below every initial priority,
//     and the pick is made again.
//
// A bug of depth d (d ordering constraints) is found in one run with probability at least
// 1/(n k^(d-1)) for n parties; Random's chance of consistently favouring one party is exponentially
// smaller. Delays are uniform within the link's bounds, as in Random. PCT draws only from its own
// streams ("strategy/pct/delay", "strategy/pct/priority").
type PCT struct {
	depth, steps int
	window       time.Duration
	delays       *rand.Rand
	prio         *rand.Rand
	priority     map[string]int64
	taken        map[int64]bool
	changeAt     []int // sorted choice-point indices of the change points
	changed      []int // choice-point indices where a change point was applied, in order
	demoted      []string
	step         int
}

// NewPCT builds the "pct" strategy.
func NewPCT(s random.Streams, c PCTConfig) *PCT {
	if c.Depth <= 0 {
		c.Depth = DefaultPCTDepth
	}
	if c.Steps <= 0 {
		c.Steps = DefaultPCTSteps
	}
	if c.Window <= 0 {
		c.Window = DefaultPCTWindow
	}
	p := &PCT{
		depth: c.Depth, steps: c.Steps, window: c.Window,
		delays:   s.Stream("strategy/pct/delay"),
		prio:     s.Stream("strategy/pct/priority"),
		priority: map[string]int64{}, taken: map[int64]bool{},
	}
	p.changeAt = drawChangePoints(p.prio, c.Depth-1, c.Steps)
	return p
}

// drawChangePoints draws n distinct indices uniformly from [1, k] (all of them when n >= k), sorted.
func drawChangePoints(r *rand.Rand, n, k int) []int {
	n = min(n, k)
	seen := map[int]bool{}
	out := make([]int, 0, n)
	for len(out) < n {
		i := 1 + r.IntN(k)
		if !seen[i] {
			seen[i] = true
			out = append(out, i)
		}
	}
	slices.Sort(out)
	return out
}

// Name implements Strategy.
func (p *PCT) Name() string { return "pct" }

// Delay implements Strategy: uniform within [lo, hi].
func (p *PCT) Delay(_, _ string, lo, hi time.Duration) time.Duration {
	return uniformDelay(p.delays, lo, hi)
}

// Window implements Strategy.
func (p *PCT) Window() time.Duration { return p.window }

// Pick implements Strategy: the earliest candidate of the highest-priority party, after applying a
// change point if this choice point is one.
func (p *PCT) Pick(cands []Candidate) int {
	for _, c := range cands {
		p.see(c.Party)
	}
	p.step++
	i := p.best(cands)
	if n := len(p.changed); n < len(p.changeAt) && p.changeAt[n] == p.step {
		party := cands[i].Party
		p.priority[party] = int64(p.depth - (n + 1))
		p.changed = append(p.changed, p.step)
		p.demoted = append(p.demoted, party)
		i = p.best(cands)
	}
	return i
}

// see gives a party its initial priority the first time it appears: distinct, in [d, MaxInt64).
// Parties are seen in candidate order, which the kernel fixes, so the draws are seeded.
func (p *PCT) see(party string) {
	if _, ok := p.priority[party]; ok {
		return
	}
	for {
		v := int64(p.depth) + p.prio.Int64N(math.MaxInt64-int64(p.depth))
		if !p.taken[v] {
			p.taken[v] = true
			p.priority[party] = v
			return
		}
	}
}

// best is the index of the first candidate whose party has the highest priority.
func (p *PCT) best(cands []Candidate) int {
	b := 0
	for i := 1; i < len(cands); i++ {
		if p.priority[cands[i].Party] > p.priority[cands[b].Party] {
			b = i
		}
	}
	return b
}

// Depth is d.
func (p *PCT) Depth() int { return p.depth }

// Steps is k, the estimated number of choice points per run.
func (p *PCT) Steps() int { return p.steps }

// ChangePoints returns the drawn choice-point indices of the d-1 change points, ascending.
func (p *PCT) ChangePoints() []int { return slices.Clone(p.changeAt) }

// Changed returns the choice-point indices at which change points were applied so far; a run with
// fewer than k choice points may apply only some of them.
func (p *PCT) Changed() []int { return slices.Clone(p.changed) }

// Demoted returns the parties demoted at each applied change point, in order.
func (p *PCT) Demoted() []string { return slices.Clone(p.demoted) }

// ChoicePoints is the number of choice points seen so far.
func (p *PCT) ChoicePoints() int { return p.step }
