package sweep

import (
	"strings"
	"testing"

	"github.com/syncsim/syncsim/runner"
)

// Against a baseline, the outcome's reasons are the gating comparisons: a regression exits 1, more
// inconclusive runs 2, and failures within the baseline are no reason; the outcome's exit code is
// the report's.
func TestOutcomeAgainstBaseline(t *testing.T) {
	base := BaselineScenario{Name: "s", Cells: []BaselineCell{
		{Mode: "platform", Property: "P1", Level: "MUST", Runs: 2000, Failures: 100},
		{Mode: "platform", Property: "P6", Level: "MUST", Runs: 2000},
	}}
	cases := []struct {
		name string
		cell Cell
		exit int
		kind runner.ReasonKind
	}{
		{"within", judgeCell("P1", "MUST", 190, 10, 0, 3, 9), 0, ""},
		{"regression", judgeCell("P1", "MUST", 160, 40, 0, 2, 4, 6, 7, 8), 1, runner.ReasonRegression},
		{"more inconclusive", judgeCell("P6", "MUST", 199, 0, 1), 2, runner.ReasonRegression},
	}
	for _, c := range cases {
		r := &Report{Matrix: []Cell{c.cell}, Baselines: []AppliedBaseline{{Scenario: "s.yaml", File: "s.baseline.json", Cells: base}}}
		r.Judge()
		o := OutcomeOf(r)
		if o.Exit != r.Exit || o.Exit != c.exit {
			t.Errorf("%s: outcome exit %d, report %d, want %d", c.name, o.Exit, r.Exit, c.exit)
		}
		if c.kind == "" {
			if len(o.Reasons) != 0 {
				t.Errorf("%s: a failure within the baseline is a reason: %+v", c.name, o.Reasons)
			}
			continue
		}
		if len(o.Reasons) != 1 || o.Reasons[0].Kind != c.kind || !strings.Contains(o.Reasons[0].Text, "in the baseline") {
			t.Errorf("%s: reasons %+v", c.name, o.Reasons)
		}
	}
}
