package runner

import (
	"fmt"
	"strconv"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/check/outcome"
)

// Outcome is an invocation's exit code and every reason for it (package outcome).
type Outcome = outcome.Outcome

// Reason is one cause of an Outcome.
type Reason = outcome.Reason

// ReasonKind names a cause of an invocation's exit code.
type ReasonKind = outcome.Kind

// The kinds of reason (package outcome).
const (
	ReasonFail         = outcome.Fail
	ReasonXPass        = outcome.XPass
	ReasonCoverage     = outcome.Coverage
	ReasonRegression   = outcome.Regression
	ReasonInconclusive = outcome.Inconclusive
	ReasonError        = outcome.Error
	ReasonReported     = outcome.Reported
)

// VerdictWord is an exit code as the word every artifact shows (outcome.Word).
func VerdictWord(exit int) string { return outcome.Word(exit) }

// Failure is the outcome of an invocation stopped by a usage, input or environment error.
func Failure(err error) Outcome { return outcome.Failure(err) }

// Judge computes the outcome of runs from their verdicts: a gating failure or an xpass exits 1, a
// gating inconclusive verdict 2, else 0; a failure that does not gate is reported. Verdicts of one
// (scenario, mode, property, status) make one reason. Gates that look past the verdicts (coverage,
// baselines) add their reasons with Add.
func Judge(results []*Result, strict bool) Outcome {
	o := Outcome{Verdict: VerdictWord(ExitOK), Strict: strict}
	byKey := map[string]int{}
	var rs []Reason
	for _, r := range results {
		for _, v := range r.Verdicts {
			kind, exit, ok := verdictReason(v, strict)
			if !ok {
				continue
			}
			key := r.Scenario + "\x00" + r.Mode + "\x00" + v.ID + "\x00" + string(kind)
			i, seen := byKey[key]
			if !seen {
				i = len(rs)
				byKey[key] = i
				rs = append(rs, Reason{Kind: kind, Exit: exit, Scenario: r.Scenario, Mode: r.Mode, Property: v.ID,
					Name: v.Name, Level: string(v.Level), Replay: r.Replay, Text: firstEvidence(v)})
			}
			rs[i].Runs++
			if rs[i].Seed == nil || r.Seed < *rs[i].Seed {
				seed := r.Seed
				rs[i].Seed, rs[i].Replay = &seed, r.Replay
			}
		}
	}
	for i := range rs {
		rs[i].Text = verdictText(rs[i])
	}
	o.Add(rs...)
	return o
}

// verdictReason says whether a verdict is a reason, of which kind and for which exit code.
func verdictReason(v check.Verdict, strict bool) (ReasonKind, int, bool) {
	switch {
	case v.Status == check.XPass:
		return ReasonXPass, ExitFailed, true
	case v.Status == check.Fail && gates(v.Level, strict):
		return ReasonFail, ExitFailed, true
	case v.Status == check.Fail:
		return ReasonReported, ExitOK, true
	case v.Status == check.Inconclusive && gates(v.Level, strict):
		return ReasonInconclusive, ExitInconclusive, true
	}
	return "", 0, false
}

// firstEvidence is a verdict's first line of evidence, kept in Text until verdictText renders it.
func firstEvidence(v check.Verdict) string {
	if len(v.Evidence) == 0 {
		return ""
	}
	return v.Evidence[0].Text
}

// verdictText renders a verdict reason: "P1 eventual-convergence (MUST) fails in mode platform of
// s.yaml, 2 run(s) from seed 1: <first evidence>".
func verdictText(r Reason) string {
	what := map[ReasonKind]string{ReasonFail: "fails", ReasonXPass: "passes although expected to fail",
		ReasonInconclusive: "is inconclusive", ReasonReported: "fails, reported without gating"}[r.Kind]
	s := fmt.Sprintf("%s %s (%s) %s in mode %s of %s, %d run(s) from seed %s", r.Property, r.Name, r.Level, what,
		r.Mode, r.Scenario, r.Runs, strconv.FormatUint(*r.Seed, 10))
	if r.Text != "" {
		s += ": " + r.Text
	}
	return s
}

// CoverageReasons are the coverage gate's reasons: one per property that examined nothing in any
// run (PrintCoverage's "never").
func CoverageReasons(cov []Coverage, never []string) []Reason {
	var out []Reason
	for _, c := range cov {
		for _, id := range never {
			if c.ID == id {
				out = append(out, Reason{Kind: ReasonCoverage, Exit: ExitFailed, Property: c.ID, Name: c.Name, Runs: c.Runs,
					Text: fmt.Sprintf("%s %s examined nothing in any of the %d runs (add a scenario that exercises it)", c.ID, c.Name, c.Runs)})
			}
		}
	}
	return out
}
