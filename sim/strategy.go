package sim

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/syncsim/syncsim/internal/random"
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
func NewUniform(s random.Streams) *Uniform { return &Uniform{rng: s.Stream("schedule")} }

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
	return time.Duration(random.Between(r, int64(lo/time.Microsecond), int64(hi/time.Microsecond))) * time.Microsecond
}

// ErrUnknownStrategy is returned by NewStrategy for a name it does not know.
var ErrUnknownStrategy = errors.New("sim: unknown strategy")

// ErrStrategyParam is returned by NewStrategy for an unknown or malformed parameter.
var ErrStrategyParam = errors.New("sim: bad strategy parameter")

// strategyParams lists, per strategy name, the parameters NewStrategy accepts.
var strategyParams = map[string][]string{
	"uniform": nil,
	"random":  {"window"},
	"swarm":   {"window"},
	"pct":     {"depth", "steps", "window"},
	"explore": nil,
}

// StrategyNames lists the names NewStrategy knows, sorted: "explore", "pct", "random", "swarm",
// "uniform".
func StrategyNames() []string {
	names := make([]string, 0, len(strategyParams))
	for n := range strategyParams {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// NewStrategy builds a strategy by the name the CLI uses (simrun sweep --strategy), drawing only from
// its own streams of s:
//
//   - "uniform" (also ""): the kernel's default, Uniform.
//   - "random": Random (Coyote's "random", P's --sch-random); params: window.
//   - "pct": PCT (Coyote's "prioritization", P's --sch-pct); params: depth, steps, window.
//   - "explore": Explore, the strategy of simrun explore (binary choice points under a filter).
//   - "swarm": Random's scheduling (NewSwarm); the swarm part, the seeded choice of which faults are
//     on (TigerBeetle VOPR's swarm mode), belongs to the fault layer, not to the strategy.
//
// depth and steps are positive integers; window is a positive Go duration ("5ms") or a positive
// integer of milliseconds. An unknown name or parameter, or a malformed value, is an error that
// names the strategy and lists what is known.
func NewStrategy(name string, s random.Streams, params map[string]string) (Strategy, error) {
	if name == "" {
		name = "uniform"
	}
	known, ok := strategyParams[name]
	if !ok {
		return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownStrategy, name, strings.Join(StrategyNames(), ", "))
	}
	keys := make([]string, 0, len(params))
	for key := range params {
		keys = append(keys, key)
	}
	slices.Sort(keys) // the first bad key reported must not depend on map order
	var c PCTConfig
	for _, key := range keys {
		if !slices.Contains(known, key) {
			return nil, paramError(name, key, params[key], "no such parameter")
		}
		var err error
		switch key {
		case "depth":
			c.Depth, err = positiveInt(params[key])
		case "steps":
			c.Steps, err = positiveInt(params[key])
		case "window":
			c.Window, err = positiveWindow(params[key])
		}
		if err != nil {
			return nil, paramError(name, key, params[key], err.Error())
		}
	}
	switch name {
	case "random":
		return NewRandom(s, c.Window), nil
	case "swarm":
		return NewSwarm(s, c.Window), nil
	case "pct":
		return NewPCT(s, c), nil
	case "explore":
		return NewExplore(s), nil
	default:
		return NewUniform(s), nil
	}
}

// paramError names the strategy, the parameter and what is known, so the message alone says the fix.
func paramError(name, key, value, why string) error {
	takes := "no parameters"
	if known := strategyParams[name]; len(known) > 0 {
		takes = "parameters " + strings.Join(known, ", ")
	}
	return fmt.Errorf("%w: strategy %q: %s=%q: %s (%s takes %s; known strategies: %s)",
		ErrStrategyParam, name, key, value, why, name, takes, strings.Join(StrategyNames(), ", "))
}

func positiveInt(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, errors.New("want a positive integer")
	}
	return n, nil
}

// positiveWindow reads a Go duration, or a bare integer as milliseconds.
func positiveWindow(v string) (time.Duration, error) {
	if n, err := strconv.Atoi(v); err == nil {
		if n <= 0 {
			return 0, errors.New("want a positive duration")
		}
		return time.Duration(n) * time.Millisecond, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, errors.New("want a positive Go duration (\"5ms\") or integer milliseconds")
	}
	return d, nil
}
