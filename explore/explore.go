package explore

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/runner"
	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/scenarios/faults"
	"github.com/syncsim/syncsim/sim/world"
	"github.com/syncsim/syncsim/trace"
)

// Limits of one exploration (README "Limits"): every bound has a ceiling so that no flag value can
// exhaust memory; the frontier holds at most MaxFrontier schedules.
const (
	// MaxDepthLimit is the largest --max-depth: non-default choices per schedule.
	MaxDepthLimit = 8
	// MaxStatesLimit is the largest --max-states.
	MaxStatesLimit = 5_000_000
	// MaxFrontier bounds the schedules waiting to run; a larger frontier stops the exploration
	// (raise by lowering --max-depth or --max-faults, or narrowing --faults).
	MaxFrontier = 1_000_000
	// StrategyName is the kernel strategy explored schedules run under (sim.Explore).
	StrategyName = "explore"
)

// Errors of a configuration that cannot be explored.
var (
	ErrBound = errors.New("explore: bound out of range")
	ErrFault = errors.New("explore: unknown fault")
)

// Config is one exploration: a scenario in one mode, and its bounds.
type Config struct {
	Scenario *scenarios.Scenario
	Mode     host.Mode
	// Seed decides the message delays (the "schedule" stream) and everything else the choices do not.
	Seed uint64
	// MaxDepth bounds the non-default choices (fault firings plus reorderings) of a schedule.
	MaxDepth int
	// MaxFaults bounds the fault firings of a schedule.
	MaxFaults int
	// Faults names the faults that may fire; nil means the scenario's point faults plus
	// delete-instance at every fault point.
	Faults []string
	// MaxStates stops the exploration when this many distinct states were seen (0: MaxStatesLimit).
	MaxStates int
	// MaxTime stops it after this much wall time (0: none).
	MaxTime time.Duration
	// FullRuns runs every schedule to the end of its settle window, also after it reached a state
	// whose default completion was already judged (slower; the verdicts are the same).
	FullRuns bool
	// OnSchedule, when set, is called after each schedule with the statistics so far (progress).
	OnSchedule func(Stats)
	// Now is the wall clock (tests may fix it); nil is time.Now.
	Now func() time.Time
}

// Stats are an exploration's counts.
type Stats struct {
	// Schedules is the number of schedules run (one run each, from the start).
	Schedules int `json:"schedules"`
	// States counts the choice points hashed; Distinct the states among them seen for the first
	// time; Revisits those already seen with at least as much budget left, whose rest of the tree
	// was therefore not explored again.
	States   int `json:"states"`
	Distinct int `json:"distinct"`
	Revisits int `json:"revisits"`
	// Halted counts the schedules that stopped at such a revisited state and took the verdicts of
	// its default completion from the earlier visit instead of running to the end; Rerun those
	// among them run to the end after all (their own prefix failed a property the earlier visit's
	// run did not).
	Halted int `json:"halted"`
	Rerun  int `json:"rerun"`
	// Depth is the largest number of non-default choices of a schedule run.
	Depth int `json:"depth"`
	// Stopped says which limit ended the exploration ("" when the bounds were exhausted).
	Stopped string        `json:"stopped,omitempty"`
	Elapsed time.Duration `json:"elapsed_ns"`
}

// PerSecond is the states hashed per wall second.
func (s Stats) PerSecond() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.States) / s.Elapsed.Seconds()
}

// Finding is a property's shortest counterexample: the first failing schedule in breadth-first
// order, so no schedule with fewer non-default choices fails it.
type Finding struct {
	Property string
	// Choices is the number of non-default choices of the schedule.
	Choices  int
	Schedule trace.Schedule
	// Result is the schedule re-run and judged as simrun replay judges its trace file.
	Result *runner.Result
	// After is how many schedules and how much wall time the exploration took to find it.
	AfterSchedules int
	After          time.Duration
}

// Report is an exploration's outcome.
type Report struct {
	Scenario string
	Mode     host.Mode
	Seed     uint64
	Bounds   string
	Stats    Stats
	// Findings lists the properties that fail, by ID.
	Findings []Finding
	// Result is the exploration as one run object (verdicts per property, expectations applied):
	// what --json and --junit write.
	Result *runner.Result
}

// Exhausted reports whether every schedule within the bounds was explored.
func (r *Report) Exhausted() bool { return r.Stats.Stopped == "" }

// schedule is a set of choice ordinals (the n-th decision of a run) at which the non-default
// choice is taken, in increasing order; faults counts the fault firings among them.
type schedule struct {
	at     []int
	faults int
}

func (s schedule) last() int {
	if len(s.at) == 0 {
		return -1
	}
	return s.at[len(s.at)-1]
}

// used is the budget a schedule has spent: its non-default choices and its fault firings.
func (s schedule) used() used { return used{depth: len(s.at), faults: s.faults} }

// point is one decision of a run, after the schedule's last non-default choice.
type point struct {
	ord      int
	fault    bool
	eligible bool
}

// used is a spent budget; the budget left is (MaxDepth - depth, MaxFaults - faults).
type used struct{ depth, faults int }

// visited maps a state to the budgets it was reached with, each of them with no other at most as
// large on both counts (at most MaxDepthLimit+1 per state).
type visited map[Digest][]used

// covered reports whether the state was reached before with at least as much budget left on both
// counts, depth and faults: everything reachable from it now was reachable from that visit, whose
// subtree is explored, so this one need not be.
func (v visited) covered(d Digest, u used) bool {
	for _, e := range v[d] {
		if e.depth <= u.depth && e.faults <= u.faults {
			return true
		}
	}
	return false
}

// add records a visit that covered refused, dropping the visits it covers; it reports whether
// the state is new.
func (v visited) add(d Digest, u used) bool {
	es, ok := v[d]
	kept := es[:0]
	for _, e := range es {
		if !(u.depth <= e.depth && u.faults <= e.faults) {
			kept = append(kept, e)
		}
	}
	v[d] = append(kept, u)
	return !ok
}

type explorer struct {
	cfg     Config
	allowed map[string]bool
	extra   []faults.Spec
	seen    visited
	// completion maps each state first reached after a schedule's last non-default choice to the
	// verdicts of the run that reached it: the verdicts of its default completion (the digest
	// covers all the future depends on), reused by a schedule halted at the same state.
	completion map[Digest][]check.Verdict
	stats      Stats
}

// Explore runs the exploration.
func Explore(cfg Config) (*Report, error) {
	x, err := newExplorer(cfg)
	if err != nil {
		return nil, err
	}
	return x.run()
}

func newExplorer(cfg Config) (*explorer, error) {
	if cfg.MaxDepth < 0 || cfg.MaxDepth > MaxDepthLimit {
		return nil, fmt.Errorf("%w: --max-depth %d: from 0 to %d", ErrBound, cfg.MaxDepth, MaxDepthLimit)
	}
	if cfg.MaxFaults < 0 || cfg.MaxFaults > cfg.MaxDepth {
		return nil, fmt.Errorf("%w: --max-faults %d: from 0 to --max-depth (%d)", ErrBound, cfg.MaxFaults, cfg.MaxDepth)
	}
	if cfg.MaxStates < 0 || cfg.MaxStates > MaxStatesLimit {
		return nil, fmt.Errorf("%w: --max-states %d: from 1 to %d (0: the limit)", ErrBound, cfg.MaxStates, MaxStatesLimit)
	}
	if cfg.MaxStates == 0 {
		cfg.MaxStates = MaxStatesLimit
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	x := &explorer{cfg: cfg, allowed: map[string]bool{}, seen: visited{}, completion: map[Digest][]check.Verdict{}}
	names := cfg.Faults
	if names == nil {
		names = DefaultFaults(cfg.Scenario)
	}
	for _, n := range names {
		_, ok := faults.Lookup(n)
		if !ok {
			return nil, fmt.Errorf("%w %q in --faults (known: simrun list faults)", ErrFault, n)
		}
		x.allowed[n] = true
	}
	if x.allowed["delete-instance"] {
		spec, err := faults.Parse("delete-instance:point=any")
		if err != nil {
			return nil, fmt.Errorf("explore: %w", err)
		}
		x.extra = append(x.extra, spec)
	}
	return x, nil
}

// DefaultFaults is --faults' default: the point faults the scenario scripts or profiles, plus
// delete-instance (armed at every fault point).
func DefaultFaults(sc *scenarios.Scenario) []string {
	out := []string{"delete-instance"}
	for _, f := range sc.Faults.Scripted {
		if fl, ok := faults.Lookup(f.Fault); ok && fl.Kind == faults.KindPoint && !slices.Contains(out, f.Fault) {
			out = append(out, f.Fault)
		}
	}
	for _, f := range sc.Faults.Profile {
		if f.Spec.Fault().Kind == faults.KindPoint && !slices.Contains(out, f.Spec.Name) {
			out = append(out, f.Spec.Name)
		}
	}
	return out
}

// faultOf is the catalogue name of a firing key's label ("delete-instance.1@..." is delete-instance).
func faultOf(key string) string {
	label, _, _ := strings.Cut(key, "@")
	if i := strings.LastIndexByte(label, '.'); i > 0 {
		label = label[:i]
	}
	return label
}

// execution is one schedule's run and the decisions after its last non-default choice.
type execution struct {
	res    *world.Result
	points []point
	// fresh are the states this run reached first; halted, when set, the state seen before at
	// which it stopped (halt: the run was stopped there).
	fresh  []Digest
	halted *Digest
	halt   bool
}

// execute runs a schedule from the start: the listed decisions take the non-default choice (fire
// the fault, fire a later candidate first, give a message a bound delay), every other decision the
// default. After the last listed one, the first key of each scheduling choice point (a point
// between events, where the world is at rest) has the world's state hashed: at the first state
// seen before with at least as much budget left the run records no further decisions, and, when
// halt is set and the state's completion was judged (it was not first seen by this same run), it
// halts there. A run that does not record (a rerun, the report's runs) hashes nothing.
func (x *explorer) execute(s schedule, record, halt bool) (*execution, error) {
	ex := &execution{}
	ord, next := 0, 0
	stopped := false
	decide := func(w *world.World, key string) bool {
		i := ord
		ord++
		take := next < len(s.at) && s.at[next] == i
		if take {
			next++
		}
		if i <= s.last() {
			return take
		}
		if stopped || !record {
			return false
		}
		p := point{ord: i, fault: !strings.HasPrefix(key, "choice#")}
		p.eligible = !p.fault || x.allowed[faultOf(key)]
		if atRest(key) {
			d := digestWorld(w)
			x.stats.States++
			if x.seen.covered(d, s.used()) {
				x.stats.Revisits++
				stopped = true
				if _, ok := x.completion[d]; ok && halt {
					ex.halted, ex.halt = &d, true
					w.Kernel().Halt()
				}
				return false
			}
			if x.seen.add(d, s.used()) {
				x.stats.Distinct++
			}
			ex.fresh = append(ex.fresh, d)
		}
		ex.points = append(ex.points, p)
		return false
	}
	res, err := world.Run(x.cfg.Scenario, x.cfg.Mode, x.cfg.Seed, world.Options{Strategy: StrategyName, Faults: x.extra, Decide: decide})
	if err != nil {
		return nil, err
	}
	ex.res = res
	return ex, nil
}

// atRest reports whether a decision's key is the first key of a scheduling choice point ("choice#n",
// not a later candidate's "choice#n:j" nor a delay's "choice#n:lo"): the world is between events
// there, and that is where execute hashes its state. Fault opportunities and delays come up in the
// middle of an event.
func atRest(key string) bool {
	return strings.HasPrefix(key, "choice#") && !strings.Contains(key, ":")
}

// verdicts judges one schedule's run. A run halted at a state seen before takes that state's
// completion verdicts; its own prefix is judged as well, and if it fails a property the earlier
// run did not, the schedule is run again to the end and judged on its whole trace (a failure is
// always one of a complete trace that simrun replay reproduces).
func (x *explorer) verdicts(s schedule, ex *execution) ([]check.Verdict, error) {
	if !ex.halt {
		return x.judge(ex.res), nil
	}
	x.stats.Halted++
	prior := x.completion[*ex.halted]
	failed := map[string]bool{}
	for _, v := range prior {
		failed[v.ID] = v.Status == check.Fail
	}
	for _, v := range x.judge(ex.res) {
		if v.Status == check.Fail && !failed[v.ID] {
			x.stats.Rerun++
			full, err := x.rerun(s)
			if err != nil {
				return nil, err
			}
			return x.judge(full.res), nil
		}
	}
	return prior, nil
}

// rerun runs a schedule to its end without recording its decisions again.
func (x *explorer) rerun(s schedule) (*execution, error) { return x.execute(s, false, false) }

// judge runs the trace checkers on one run.
func (x *explorer) judge(res *world.Result) []check.Verdict {
	in := check.Input{Trace: res.Trace, Complete: res.Outcome.Reason.Complete(), Secrets: res.Secrets,
		ConvergenceBound: x.cfg.Scenario.ConvergenceBound}
	var vs []check.Verdict
	for _, p := range check.TraceCheckers() {
		vs = append(vs, p.Check(in))
	}
	return vs
}

func (x *explorer) run() (*Report, error) {
	start := x.cfg.Now()
	frontier := []schedule{{}}
	agg := map[string]*check.Verdict{}
	var order []string
	found := map[string]*Finding{}
	var findings []*Finding
	for len(frontier) > 0 && x.stats.Stopped == "" {
		s := frontier[0]
		frontier = frontier[1:]
		ex, err := x.execute(s, true, !x.cfg.FullRuns)
		if err != nil {
			return nil, err
		}
		x.stats.Schedules++
		x.stats.Depth = max(x.stats.Depth, len(s.at))
		vs, err := x.verdicts(s, ex)
		if err != nil {
			return nil, err
		}
		for _, d := range ex.fresh {
			x.completion[d] = vs
		}
		for _, v := range vs {
			a, ok := agg[v.ID]
			if !ok {
				c := v
				c.Status, c.Checked, c.Evidence, c.Metrics = check.Pass, 0, nil, nil
				agg[v.ID], a = &c, &c
				order = append(order, v.ID)
			}
			a.Checked += v.Checked
			switch {
			case v.Status == check.Fail && found[v.ID] == nil:
				f := &Finding{Property: v.ID, Choices: len(s.at), Schedule: ex.res.Schedule,
					AfterSchedules: x.stats.Schedules, After: x.cfg.Now().Sub(start)}
				found[v.ID] = f
				findings = append(findings, f)
				a.Status, a.Evidence = check.Fail, v.Evidence
			case v.Status == check.Inconclusive && a.Status == check.Pass:
				a.Status, a.Evidence = check.Inconclusive, v.Evidence
			}
		}
		for _, c := range x.children(s, ex.points) {
			if len(frontier) >= MaxFrontier {
				x.stats.Stopped = fmt.Sprintf("frontier (%d schedules waiting)", MaxFrontier)
				break
			}
			frontier = append(frontier, c)
		}
		x.stats.Elapsed = x.cfg.Now().Sub(start)
		switch {
		case x.stats.Stopped != "":
		case x.stats.Distinct >= x.cfg.MaxStates && len(frontier) > 0:
			x.stats.Stopped = fmt.Sprintf("--max-states %d", x.cfg.MaxStates)
		case x.cfg.MaxTime > 0 && x.stats.Elapsed >= x.cfg.MaxTime && len(frontier) > 0:
			x.stats.Stopped = "--max-time " + x.cfg.MaxTime.String()
		}
		if x.cfg.OnSchedule != nil {
			x.cfg.OnSchedule(x.stats)
		}
	}
	return x.report(order, agg, findings)
}

// children are the schedules one more non-default choice away, at the decisions the run recorded:
// those after the schedule's last one, up to the first state seen before with at least as much
// budget left (its subtree is explored from that visit).
func (x *explorer) children(s schedule, pts []point) []schedule {
	var out []schedule
	for _, p := range pts {
		if !p.eligible || len(s.at) >= x.cfg.MaxDepth || p.fault && s.faults >= x.cfg.MaxFaults {
			continue
		}
		c := schedule{at: append(slices.Clip(s.at), p.ord), faults: s.faults}
		if p.fault {
			c.faults++
		}
		out = append(out, c)
	}
	return out
}
