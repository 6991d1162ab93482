package runner

import (
	"errors"
	"strings"
	"testing"

	"github.com/syncsim/syncsim/check"
)

// Judge folds verdicts as DESIGN.md says, for every pair of verdicts of every status and level,
// strict or not: 1 when a gating property failed or an expected failure did not happen (a fail beats
// an inconclusive), 2 when only gating inconclusive verdicts stand in the way, else 0; and it gives a
// gating reason exactly when the exit code is not 0.
func TestJudgeFoldsVerdicts(t *testing.T) {
	var vs []check.Verdict
	for _, s := range []check.Status{check.Pass, check.Fail, check.XFail, check.XPass, check.Inconclusive} {
		for _, l := range []check.Level{check.Must, check.Should, check.May} {
			vs = append(vs, check.Verdict{ID: "P1", Name: "eventual-convergence", Status: s, Level: l})
		}
	}
	want := func(pair []check.Verdict, strict bool) int {
		code := ExitOK
		for _, v := range pair {
			gate := v.Level == check.Must || v.Level == check.Should && strict
			switch {
			case v.Status == check.XPass, v.Status == check.Fail && gate:
				return ExitFailed
			case v.Status == check.Inconclusive && gate:
				code = ExitInconclusive
			}
		}
		return code
	}
	seen := map[int]bool{}
	for _, strict := range []bool{false, true} {
		for _, a := range vs {
			for _, b := range vs {
				results := []*Result{{Scenario: "a.yaml", Mode: "platform", Seed: 1, Verdicts: []check.Verdict{a}},
					{Scenario: "b.yaml", Mode: "platform", Seed: 2, Verdicts: []check.Verdict{b}}}
				o := Judge(results, strict)
				w := want([]check.Verdict{a, b}, strict)
				if o.Exit != w || o.Verdict != VerdictWord(w) || (len(o.Gating()) > 0) != (w != ExitOK) {
					t.Errorf("%s/%s, %s/%s strict=%v: outcome %+v, want exit %d", a.Status, a.Level, b.Status, b.Level, strict, o, w)
				}
				if ExitCode(results, strict) != o.Exit {
					t.Errorf("ExitCode and Judge disagree")
				}
				seen[w] = true
			}
		}
	}
	if len(seen) != 3 {
		t.Fatalf("the cases reach exit codes %v, want 0, 1 and 2", seen)
	}
}

// The coverage gate turns an exit 0 or 2 into 1, an error beats everything, and the reasons are
// listed gating first: errors, failures, inconclusive verdicts, then the failures only reported.
func TestOutcomeAddFoldsGates(t *testing.T) {
	results := []*Result{{Scenario: "a.yaml", Mode: "frontend", Seed: 3, Replay: "simrun run a.yaml", Verdicts: []check.Verdict{
		{ID: "P1", Name: "eventual-convergence", Level: check.Must, Status: check.Inconclusive, Evidence: check.Notes("budget ended")},
		{ID: "P13", Name: "convergence-latency", Level: check.Should, Status: check.Fail},
		{ID: "P7", Name: "duplicate-harmless", Level: check.Must, Status: check.Pass},
	}}}
	o := Judge(results, false)
	if o.Exit != ExitInconclusive {
		t.Fatalf("exit %d, want 2", o.Exit)
	}
	o.Add(CoverageReasons(CoverageOf(results), []string{"P7"})...)
	if o.Exit != ExitFailed || o.Verdict != "FAIL" {
		t.Fatalf("with the coverage gate: %+v, want exit 1", o)
	}
	var kinds []string
	for _, r := range o.Reasons {
		kinds = append(kinds, string(r.Kind))
	}
	if got := strings.Join(kinds, " "); got != "coverage-gate inconclusive reported" {
		t.Errorf("reasons in order %q", got)
	}
	if !strings.Contains(o.Reasons[1].Text, "P1 eventual-convergence (MUST) is inconclusive in mode frontend of a.yaml, 1 run(s) from seed 3: budget ended") {
		t.Errorf("the inconclusive reason reads %q", o.Reasons[1].Text)
	}
	o.Add(Failure(errors.New("--report: permission denied")).Reasons...)
	if o.Exit != ExitUsage || o.Reasons[0].Kind != ReasonError {
		t.Errorf("an error must decide the exit code and come first: %+v", o)
	}
	if lines := o.Lines(2); len(lines) != 3 || !strings.HasPrefix(lines[2], "... and 2 more") {
		t.Errorf("Lines(2) = %q", lines)
	}
}

// A --json file's runs carry a bounded copy of the outcome: the exit code and the first reasons.
func TestJSONOutcomeBounded(t *testing.T) {
	var o Outcome
	for i := 0; i < maxJSONReasons+5; i++ {
		o.Add(Reason{Kind: ReasonFail, Exit: ExitFailed, Text: "x"})
	}
	j := jsonOutcome(o)
	if j.Exit != o.Exit || len(j.Reasons) != maxJSONReasons+1 || !strings.Contains(j.Reasons[maxJSONReasons].Text, "5 more") {
		t.Errorf("bounded outcome %+v", j)
	}
	if len(o.Reasons) != maxJSONReasons+5 {
		t.Errorf("bounding the copy changed the outcome")
	}
}
