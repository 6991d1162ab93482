package html

import (
	"testing"

	"github.com/syncsim/syncsim/internal/check"
	"github.com/syncsim/syncsim/internal/runner"
)

// The report's exit code is the CLI's: the same constants, and the same fold as runner.ExitCode for
// every pair of verdicts of every status and level, strict or not.
func TestExitCodeIsTheRunners(t *testing.T) {
	if exitOK != runner.ExitOK || exitFailed != runner.ExitFailed || exitInconclusive != runner.ExitInconclusive {
		t.Fatal("the report's exit codes are not internal/runner's")
	}
	var vs []check.Verdict
	for _, s := range []check.Status{check.Pass, check.Fail, check.XFail, check.XPass, check.Inconclusive} {
		for _, l := range []check.Level{check.Must, check.Should, check.May} {
			vs = append(vs, check.Verdict{ID: "P1", Status: s, Level: l})
		}
	}
	seen := map[int]bool{}
	for _, strict := range []bool{false, true} {
		for _, a := range vs {
			for _, b := range vs {
				pair := []check.Verdict{a, b}
				want := runner.ExitCode([]*runner.Result{{Verdicts: pair}}, strict)
				if got := exitCode([][]check.Verdict{pair[:1], pair[1:]}, strict); got != want {
					t.Errorf("%s/%s, %s/%s strict=%v: exit %d, runner's %d", a.Status, a.Level, b.Status, b.Level, strict, got, want)
				}
				seen[want] = true
			}
		}
	}
	if len(seen) != 3 {
		t.Fatalf("the cases reach exit codes %v, want 0, 1 and 2", seen)
	}
}
