package explore

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/runner"
	"github.com/syncsim/syncsim/runner/tracefile"
	"github.com/syncsim/syncsim/trace"
)

// report turns the aggregated verdicts into the exploration's run object: a property with a
// counterexample fails (its evidence from that schedule); one that held on every schedule passes
// when the bounds were exhausted and is inconclusive ("holds up to ...") when a limit stopped the
// exploration; then the scenario's expectations apply, as simrun run applies them.
func (x *explorer) report(order []string, agg map[string]*check.Verdict, findings []*Finding) (*Report, error) {
	sc := x.cfg.Scenario
	rep := &Report{Scenario: sc.Path, Mode: x.cfg.Mode, Seed: x.cfg.Seed, Stats: x.stats,
		Bounds: fmt.Sprintf("max-depth %d, max-faults %d, faults %s", x.cfg.MaxDepth, x.cfg.MaxFaults, strings.Join(x.allowedNames(), ","))}
	var vs []check.Verdict
	for _, id := range order {
		v := *agg[id]
		if v.Status == check.Pass && !rep.Exhausted() {
			v.Status = check.Inconclusive
			v.Evidence = check.Notes(fmt.Sprintf("holds up to %d schedules (%d distinct states, depth %d): stopped by %s", x.stats.Schedules, x.stats.Distinct, x.stats.Depth, x.stats.Stopped))
		}
		vs = append(vs, v)
	}
	// P12 on the default schedule: the same run twice in this process.
	a, err := x.execute(schedule{}, false, false)
	if err != nil {
		return nil, err
	}
	b, err := x.execute(schedule{}, false, false)
	if err != nil {
		return nil, err
	}
	if agg["P12"] == nil {
		vs = append(vs, check.Determinism(a.res.Trace, b.res.Trace))
	}
	check.SortByID(vs)
	res := &runner.Result{Scenario: sc.Path, Mode: x.cfg.Mode.String(), Seed: x.cfg.Seed, TraceHash: a.res.Trace.Hash(),
		Verdicts: vs, EventCount: a.res.Outcome.Events, SimTimeMs: a.res.Outcome.At.Milliseconds(),
		Outcome: outcome(x.stats), Trace: a.res.Trace, Schedule: a.res.Schedule, Strategy: StrategyName,
		ScenarioSHA256: sc.SHA256, Secrets: a.res.Secrets,
		Replay: fmt.Sprintf("simrun explore --mode %s --max-depth %d --max-faults %d %s", x.cfg.Mode, x.cfg.MaxDepth, x.cfg.MaxFaults, sc.Path)}
	res.Unjudged = runner.ApplyExpectations(res.Verdicts, sc.Expected(x.cfg.Mode))
	rep.Result = res
	for _, f := range findings {
		r, err := x.replay(f.Schedule)
		if err != nil {
			return nil, err
		}
		f.Result = r
		rep.Findings = append(rep.Findings, *f)
	}
	slices.SortFunc(rep.Findings, func(a, b Finding) int { return strings.Compare(a.Property, b.Property) })
	return rep, nil
}

func outcome(s Stats) string {
	if s.Stopped == "" {
		return "explored"
	}
	return "stopped: " + s.Stopped
}

func (x *explorer) allowedNames() []string {
	var out []string
	for n := range x.allowed {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// replay re-runs a schedule the way simrun replay runs its trace file: the explore strategy, the
// same extra faults, the schedule as a Script; judged with every checker, P12 included.
func (x *explorer) replay(s trace.Schedule) (*runner.Result, error) {
	var extra []string
	for _, f := range x.extra {
		extra = append(extra, f.String())
	}
	r, err := runner.RunOne(x.cfg.Scenario, x.cfg.Mode, x.cfg.Seed, runner.Options{Raw: true, Strategy: StrategyName, Faults: extra, Script: &s})
	if err != nil {
		return nil, fmt.Errorf("explore: replaying a counterexample: %w", err)
	}
	return r, nil
}

// WriteTraces writes each finding's counterexample as a trace file (simrun replay, explain, shrink
// and --report read it): to path when there is one, else to path with "-<property>" before its
// extension. It returns the paths written.
func WriteTraces(path string, fs []Finding) ([]string, error) {
	var out []string
	for _, f := range fs {
		p := path
		if len(fs) > 1 {
			ext := filepath.Ext(path)
			p = strings.TrimSuffix(path, ext) + "-" + f.Property + ext
		}
		if err := tracefile.Write(p, runner.TraceFile(f.Result), f.Result.Secrets); err != nil {
			return out, fmt.Errorf("explore: --trace-out %s: %w", p, err)
		}
		out = append(out, p)
	}
	return out, nil
}
