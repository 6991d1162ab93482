package sweep

import (
	"fmt"

	"github.com/syncsim/syncsim/runner"
)

// OutcomeOf is the sweep's outcome, the one every writer shows (the text, --matrix, JUnit, HTML):
// the exit code and a reason per cell that decides it. A cell of a scenario without a baseline is
// a reason when it gates (a fail at a gating level, an xpass), when it has inconclusive runs at a
// gating level, or, reported without gating, when it fails at a level that does not gate. A cell of
// a scenario judged against a baseline is a reason only when its comparison gates (a regression, a
// new failure, more inconclusive runs); failures within the baseline are what correct code does.
// Its Exit equals Exit, which the sweep computes from the runs as they finish.
func OutcomeOf(r *Report) runner.Outcome {
	o := runner.Outcome{Verdict: runner.VerdictWord(runner.ExitOK), Strict: r.Strict}
	judged := map[string]bool{}
	for _, b := range r.Baselines {
		judged[b.Scenario] = true
	}
	for i := range r.Matrix {
		c := &r.Matrix[i]
		if judged[c.Scenario] {
			continue
		}
		if rs, ok := cellReason(c, r.Strict); ok {
			o.Add(rs)
		}
	}
	for _, cmp := range r.Comparisons {
		if cmp.Gating {
			o.Add(comparisonReason(cmp))
		}
	}
	return o
}

// cellReason is a cell as a reason of the outcome, if it is one.
func cellReason(c *Cell, strict bool) (runner.Reason, bool) {
	gates := c.Level == "MUST" || c.Level == "SHOULD" && strict
	rs := runner.Reason{Scenario: c.Scenario, Mode: c.Mode, Property: c.Property, Name: c.Name, Level: c.Level,
		Seed: c.SmallestFailingSeed, Replay: c.Replay}
	var what string
	switch {
	case c.XPass > 0:
		rs.Kind, rs.Exit, rs.Runs, what = runner.ReasonXPass, runner.ExitFailed, c.XPass, "passes although expected to fail"
	case c.Fail > 0 && gates:
		rs.Kind, rs.Exit, rs.Runs, what = runner.ReasonFail, runner.ExitFailed, c.Fail, "fails"
	case c.Inconclusive > 0 && gates:
		rs.Kind, rs.Exit, rs.Runs, what = runner.ReasonInconclusive, runner.ExitInconclusive, c.Inconclusive, "is inconclusive"
	case c.Fail > 0:
		rs.Kind, rs.Exit, rs.Runs, what = runner.ReasonReported, runner.ExitOK, c.Fail, "fails, reported without gating"
	default:
		return rs, false
	}
	total := c.Pass + c.Fail + c.XFail + c.XPass + c.Inconclusive
	rs.Text = fmt.Sprintf("%s %s (%s) %s in mode %s of %s in %d of %d run(s)", c.Property, c.Name, c.Level, what, c.Mode, c.Scenario, rs.Runs, total)
	if c.SmallestFailingSeed != nil {
		rs.Text += fmt.Sprintf("; smallest failing seed %d: %s", *c.SmallestFailingSeed, c.Replay)
	}
	return rs, true
}

// comparisonReason is a gating comparison with the cell's baseline as a reason of the outcome.
func comparisonReason(cmp Comparison) runner.Reason {
	rs := runner.Reason{Kind: runner.ReasonRegression, Exit: runner.ExitFailed, Scenario: cmp.Scenario, Mode: cmp.Mode,
		Property: cmp.Property, Level: cmp.Level, Runs: cmp.Failures, Replay: cmp.Replay}
	if cmp.Status == "inconclusive" {
		rs.Exit = runner.ExitInconclusive
	}
	if len(cmp.FailingSeeds) > 0 {
		seed := cmp.FailingSeeds[0]
		rs.Seed = &seed
	}
	rs.Text = fmt.Sprintf("%s (%s) in mode %s of %s: %s, %d of %d run(s) against %d of %d in the baseline (p = %.3g, threshold %.3g)",
		cmp.Property, cmp.Level, cmp.Mode, cmp.Scenario, cmp.Status, cmp.Failures, cmp.Runs, cmp.BaseFailures, cmp.BaseRuns, cmp.P, cmp.Threshold)
	if cmp.Replay != "" {
		rs.Text += "; replay: " + cmp.Replay
	}
	return rs
}
