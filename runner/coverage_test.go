package runner

import (
	"bytes"
	"strings"
	"testing"

	"github.com/syncsim/syncsim/check"
)

func TestCoverageLinesAndGate(t *testing.T) {
	judged := func(id string, n int) check.Verdict { return check.Verdict{ID: id, Status: check.Pass, Checked: n} }
	var all []check.Verdict
	for _, p := range check.Catalogue() {
		all = append(all, judged(p.ID, 1))
	}
	withP9 := func(n int) *Result {
		vs := append([]check.Verdict(nil), all...)
		for i := range vs {
			if vs[i].ID == "P9" {
				vs[i].Checked = n
			}
		}
		return &Result{Verdicts: vs}
	}
	cases := []struct {
		name    string
		results []*Result
		gate    bool
		never   []string
		want    []string
	}{
		{"P9 judged once", []*Result{withP9(0), withP9(2)}, true, nil, []string{"coverage P9   judged 1/2 runs, vacuous 1  error-surfaced"}},
		{"P9 vacuous everywhere, gated", []*Result{withP9(0), withP9(0)}, true, []string{"P9"},
			[]string{"coverage P9   judged 0/2 runs, vacuous 2", "coverage gate: P9 error-surfaced examined nothing in any of the 2 runs"}},
		{"P9 vacuous everywhere, one scenario file", []*Result{withP9(0)}, false, []string{"P9"}, []string{"judged 0/1 runs, vacuous 1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			never := PrintCoverage(&b, CoverageOf(c.results), c.gate)
			if strings.Join(never, ",") != strings.Join(c.never, ",") {
				t.Fatalf("never judged %v, want %v", never, c.never)
			}
			for _, w := range c.want {
				if !strings.Contains(b.String(), w) {
					t.Fatalf("output lacks %q:\n%s", w, b.String())
				}
			}
			if !c.gate && strings.Contains(b.String(), "coverage gate") {
				t.Fatalf("gate message without the gate:\n%s", b.String())
			}
		})
	}
	if !CoverageGate(2, false) || CoverageGate(1, false) || CoverageGate(3, true) {
		t.Fatal("the gate applies to several scenario files in the simulator only")
	}
}

// Execute exits 1 when a property is vacuous in every run of several scenario files.
func TestExecuteCoverageGateExitCode(t *testing.T) {
	var b bytes.Buffer
	code, err := Execute(Job{Paths: []string{"../scenarios/smoke.yaml", "../scenarios/retry-budget.yaml"}, Mode: "frontend", Seed: 1, Runs: 1}, &b)
	if err != nil {
		t.Fatal(err)
	}
	// Neither scenario duplicates a delivery or fails a foreground sync: P7 and P9 are vacuous.
	if code != ExitFailed || !strings.Contains(b.String(), "coverage gate: P7 duplicate-harmless examined nothing") {
		t.Fatalf("exit %d, want %d with P7 named:\n%s", code, ExitFailed, b.String())
	}
}

// --coverage report turns the gate off for several files; --coverage gate turns it on for one.
func TestCoverageSetting(t *testing.T) {
	two := []string{"../scenarios/smoke.yaml", "../scenarios/retry-budget.yaml"}
	for _, c := range []struct {
		setting string
		paths   []string
		want    int
	}{
		{"report", two, ExitOK},
		{"auto", two, ExitFailed},
		{"gate", two[:1], ExitFailed},
		{"auto", two[:1], ExitOK},
	} {
		var b bytes.Buffer
		code, err := Execute(Job{Paths: c.paths, Mode: "frontend", Seed: 1, Runs: 1, Coverage: c.setting}, &b)
		if err != nil || code != c.want {
			t.Errorf("--coverage %s on %d file(s): exit %d (%v), want %d\n%s", c.setting, len(c.paths), code, err, c.want, b.String())
		}
	}
	if code, err := Execute(Job{Paths: two[:1], Runs: 1, Coverage: "sometimes"}, &bytes.Buffer{}); code != ExitUsage || err == nil {
		t.Errorf("--coverage sometimes: exit %d (%v), want a usage error", code, err)
	}
}
