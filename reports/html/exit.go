package html

import "github.com/syncsim/syncsim/internal/check"

// The exit codes a report shows (DESIGN.md "The CLI"; a test holds them to internal/runner's).
const (
	exitOK           = 0
	exitFailed       = 1
	exitInconclusive = 2
)

// exitCode folds verdicts into the CLI's exit code, as `simrun run` and `simrun conformance` do: 1
// when a gating property failed unexpectedly or an expected failure did not happen (a fail beats an
// inconclusive), 2 when only inconclusive verdicts stand in the way, else 0. SHOULD failures gate
// only with strict; MAY never.
func exitCode(lists [][]check.Verdict, strict bool) int {
	code := exitOK
	for _, vs := range lists {
		for _, v := range vs {
			gates := v.Level == check.Must || v.Level == check.Should && strict
			switch {
			case v.Status == check.XPass, v.Status == check.Fail && gates:
				return exitFailed
			case v.Status == check.Inconclusive && gates:
				code = exitInconclusive
			}
		}
	}
	return code
}
