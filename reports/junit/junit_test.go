package junit

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/output/redact"
	"github.com/syncsim/syncsim/reports/internal/testrun"
	"github.com/syncsim/syncsim/runner"
	"github.com/syncsim/syncsim/runner/sweep"
	"github.com/syncsim/syncsim/scenarios"
)

// parse reads a written file back and checks the fields of the common JUnit schema: the root is
// <testsuites>, every suite and case is named and timed (a decimal number of seconds), a case has at
// most one of failure, error and skipped, a failure or error has a message and a type, and the
// counts add up at every level.
func parse(t *testing.T, path string) (*Suites, string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	if !strings.HasPrefix(text, "<?xml") {
		t.Errorf("no XML declaration")
	}
	var d Suites
	if err := xml.Unmarshal(data, &d); err != nil {
		t.Fatalf("%s does not parse: %v", path, err)
	}
	if d.XMLName.Local != "testsuites" {
		t.Fatalf("root is <%s>, want <testsuites>", d.XMLName.Local)
	}
	tests, failures, errs, skipped := 0, 0, 0, 0
	for _, s := range d.Suites {
		if s.Name == "" {
			t.Errorf("a testsuite without a name")
		}
		if _, err := strconv.ParseFloat(s.Time, 64); err != nil {
			t.Errorf("testsuite %s: time=%q is not a number of seconds", s.Name, s.Time)
		}
		f, e, sk := 0, 0, 0
		for _, c := range s.Cases {
			if c.Name == "" || c.Classname == "" || c.Time == "" {
				t.Errorf("testcase %+v lacks name, classname or time", c)
			}
			if _, err := strconv.ParseFloat(c.Time, 64); err != nil {
				t.Errorf("testcase %s: time=%q is not a number of seconds", c.Name, c.Time)
			}
			n := 0
			for _, set := range []bool{c.Failure != nil, c.Error != nil, c.Skipped != nil} {
				if set {
					n++
				}
			}
			if n > 1 {
				t.Errorf("testcase %s has more than one of failure, error and skipped", c.Name)
			}
			for _, fe := range []*Failure{c.Failure, c.Error} {
				if fe != nil && (fe.Message == "" || fe.Type == "") {
					t.Errorf("failure or error of %s lacks message or type", c.Name)
				}
			}
			if c.Failure != nil {
				f++
			}
			if c.Error != nil {
				e++
			}
			if c.Skipped != nil {
				sk++
			}
		}
		if s.Tests != len(s.Cases) || s.Failures != f || s.Errors != e || s.Skipped != sk {
			t.Errorf("suite %s counts tests=%d failures=%d errors=%d skipped=%d, cases say %d, %d, %d, %d", s.Name, s.Tests, s.Failures, s.Errors, s.Skipped, len(s.Cases), f, e, sk)
		}
		tests, failures, errs, skipped = tests+s.Tests, failures+s.Failures, errs+s.Errors, skipped+s.Skipped
	}
	if d.Tests != tests || d.Failures != failures || d.Errors != errs || d.Skipped != skipped {
		t.Errorf("testsuites counts %d/%d/%d/%d, suites add up to %d/%d/%d/%d", d.Tests, d.Failures, d.Errors, d.Skipped, tests, failures, errs, skipped)
	}
	return &d, text
}

func TestSweepFailuresEqualFailingCells(t *testing.T) {
	for _, raw := range []bool{false, true} {
		rep, scs := testrun.Sweep(t, 1, 3)
		if raw { // the same runs judged without expectations: the platform cells gate
			for i := range rep.Matrix {
				c := &rep.Matrix[i]
				c.Fail, c.XFail = c.Fail+c.XFail, 0
			}
		}
		path := filepath.Join(t.TempDir(), "junit.xml")
		o := sweep.OutcomeOf(rep)
		if err := WriteSweep(path, rep, o, Options{Secrets: scenarios.Secrets(scs...)}); err != nil {
			t.Fatal(err)
		}
		d, text := parse(t, path)
		if d.Exit() != o.Exit {
			t.Errorf("raw=%v: the document reads as exit %d, the outcome is %d", raw, d.Exit(), o.Exit)
		}
		gating, cells := 0, len(rep.Matrix)
		for i := range rep.Matrix {
			if rep.Matrix[i].Gating(rep.Strict) {
				gating++
			}
		}
		if d.Failures != gating || d.Tests != cells {
			t.Errorf("raw=%v: %d failures in %d tests, want %d failing cells of %d", raw, d.Failures, d.Tests, gating, cells)
		}
		if raw && gating == 0 {
			t.Errorf("raw sweep has no gating cell: the incident's platform cells must fail")
		}
		if !raw && gating != 0 {
			t.Errorf("with expectations the sweep must not gate, got %d failing cells", gating)
		}
		want := "simrun run --mode platform --seed 1"
		if !strings.Contains(text, want) {
			t.Errorf("no replay command %q in the JUnit output", want)
		}
		if strings.Contains(text, testrun.Secret) {
			t.Errorf("the planted secret is in the JUnit output")
		}
	}
}

func TestRunsOneCasePerPropertyPerRun(t *testing.T) {
	var runs []Run
	results := []*runner.Result{
		testrun.Run(t, testrun.Scenarios[1], host.ModePlatform, 1, true),
		testrun.Run(t, testrun.Scenarios[0], host.ModeFrontend, 1, false),
	}
	for _, r := range results {
		runs = append(runs, Run{Scenario: r.Scenario, Mode: r.Mode, Seed: r.Seed, Wall: r.Wall, CheckTime: r.CheckTime,
			TraceHash: r.TraceHash, Replay: r.Replay, Verdicts: r.Verdicts})
	}
	runs[0].Verdicts[0].Evidence = append(runs[0].Verdicts[0].Evidence, check.Note("token "+testrun.FakeJWT+" key "+testrun.Secret))
	path := filepath.Join(t.TempDir(), "run.xml")
	o := runner.Judge(results, false)
	if err := WriteRuns(path, runs, o, Options{Secrets: []string{testrun.Secret}}); err != nil {
		t.Fatal(err)
	}
	d, text := parse(t, path)
	if len(d.Suites) != 2 || d.Suites[0].Tests != len(check.Catalogue()) {
		t.Fatalf("want 2 suites of %d cases, got %d suites", len(check.Catalogue()), len(d.Suites))
	}
	// Raw platform run: P1 and P4 (MUST) fail; P13 (SHOULD) fails without gating: skipped, "SHOULD ...".
	if d.Suites[0].Failures != 2 || d.Suites[1].Failures != 0 || d.Exit() != o.Exit || o.Exit != runner.ExitFailed {
		t.Errorf("failures %d and %d, exit %d (outcome %d), want 2 and 0, exit 1", d.Suites[0].Failures, d.Suites[1].Failures, d.Exit(), o.Exit)
	}
	var p13 *Case
	for i, c := range d.Suites[0].Cases {
		if strings.HasPrefix(c.Name, "P13 ") {
			p13 = &d.Suites[0].Cases[i]
		}
	}
	if p13 == nil || p13.Skipped == nil || !strings.HasPrefix(p13.Skipped.Message, "SHOULD ") {
		t.Errorf("P13's SHOULD failure is %+v, want <skipped message=\"SHOULD ...\">", p13)
	}
	// time= is what the runs measured, not a constant.
	for i, s := range d.Suites {
		if want := seconds(results[i].Wall); s.Time != want {
			t.Errorf("suite %s time=%s, the run measured %s", s.Name, s.Time, want)
		}
	}
	for _, leak := range []string{testrun.Secret, testrun.FakeJWT} {
		if strings.Contains(text, leak) {
			t.Errorf("%q leaks into the JUnit output", leak)
		}
	}
	if !strings.Contains(text, redact.Mask) {
		t.Errorf("the planted secret is not shown as %s", redact.Mask)
	}
	// Under --strict the SHOULD failure is a failure.
	strict := filepath.Join(t.TempDir(), "strict.xml")
	if err := WriteRuns(strict, runs, runner.Judge(results, true), Options{Strict: true}); err != nil {
		t.Fatal(err)
	}
	if d, _ := parse(t, strict); d.Suites[0].Failures != 3 {
		t.Errorf("with --strict: %d failures in the raw platform run, want 3 (P1, P4, P13)", d.Suites[0].Failures)
	}
}

// The coverage gate is a failing case of its own, so the document reads as exit 1 when only the
// gate fails.
func TestCoverageGateIsAFailingCase(t *testing.T) {
	r := testrun.Run(t, testrun.Scenarios[0], host.ModeFrontend, 1, false)
	o := runner.Judge([]*runner.Result{r}, false)
	if o.Exit != runner.ExitOK {
		t.Fatalf("smoke in frontend mode: exit %d", o.Exit)
	}
	cov := runner.CoverageOf([]*runner.Result{r})
	o.Add(runner.CoverageReasons(cov, []string{"P7"})...)
	path := filepath.Join(t.TempDir(), "gate.xml")
	if err := WriteRuns(path, []Run{{Scenario: r.Scenario, Mode: r.Mode, Seed: r.Seed, Verdicts: r.Verdicts}}, o, Options{}); err != nil {
		t.Fatal(err)
	}
	d, _ := parse(t, path)
	if d.Failures != 1 || d.Exit() != runner.ExitFailed || d.Suites[len(d.Suites)-1].Name != "coverage gate" {
		t.Errorf("coverage gate: %d failures, exit %d, last suite %q; want 1, 1, \"coverage gate\"", d.Failures, d.Exit(), d.Suites[len(d.Suites)-1].Name)
	}
}

// A conformance document speaks the contract's words: each rule with its statement; a MUST rule not
// met fails, a SHOULD one is skipped unless --strict, a MUST rule that could not be judged is an
// error; no simulator word appears.
func TestConformanceCasePerRule(t *testing.T) {
	rules := []Rule{
		{Verdict: check.Verdict{ID: "MESH-1", Name: "accept-notification", Level: check.Must, Status: check.Pass, Checked: 3}, Statement: "MUST answer 2xx to a valid MSG-2"},
		{Verdict: check.Verdict{ID: "MESH-4", Name: "retry-fetch", Level: check.Must, Status: check.Fail, Checked: 1, Evidence: check.Notes("FAIL no retry after 503")}, Statement: "MUST retry a failed fetch with backoff"},
		{Verdict: check.Verdict{ID: "MESH-6", Name: "debounce", Level: check.Should, Status: check.Fail, Checked: 1}, Statement: "SHOULD fetch at most twice per burst"},
		{Verdict: check.Verdict{ID: "FE-2", Name: "reject-invalid", Level: check.Must, Status: check.Inconclusive, Evidence: check.Notes("INCONCLUSIVE endpoint did not answer")}, Statement: "MUST answer 401 or 403 to an invalid token"},
	}
	path := filepath.Join(t.TempDir(), "c.xml")
	o := runner.Outcome{}
	o.Add(runner.Reason{Kind: runner.ReasonFail, Exit: runner.ExitFailed, Property: "MESH-4"})
	if err := WriteConformance(path, rules, "mesh", o, Options{}); err != nil {
		t.Fatal(err)
	}
	d, text := parse(t, path)
	if d.Tests != 4 || d.Failures != 1 || d.Skipped != 1 || d.Errors != 1 {
		t.Errorf("tests/failures/skipped/errors = %d/%d/%d/%d, want 4/1/1/1", d.Tests, d.Failures, d.Skipped, d.Errors)
	}
	for _, r := range rules {
		if !strings.Contains(text, r.Statement) {
			t.Errorf("the statement of %s is missing", r.Verdict.ID)
		}
	}
	for _, word := range []string{"scenario", "seed", "xfail", "xpass", "checked=", "settle", "simulat", "replay", "vacuous"} {
		if strings.Contains(strings.ToLower(text), word) {
			t.Errorf("the conformance document uses the simulator's word %q", word)
		}
	}
	strict := filepath.Join(t.TempDir(), "s.xml")
	if err := WriteConformance(strict, rules, "mesh", o, Options{Strict: true}); err != nil {
		t.Fatal(err)
	}
	if d, _ := parse(t, strict); d.Failures != 2 {
		t.Errorf("with strict the SHOULD failure gates: %d failures, want 2", d.Failures)
	}
}

// A sweep cell judged against a baseline is a failing case of its own when it regressed, and
// skipped when it fails within its baseline; the document reads as the sweep's exit code.
func TestSweepRegressionIsAFailingCase(t *testing.T) {
	base := sweep.BaselineScenario{Name: "s", Cells: []sweep.BaselineCell{
		{Mode: "platform", Property: "P1", Level: "MUST", Runs: 2000, Failures: 100},
		{Mode: "platform", Property: "P4", Level: "MUST", Runs: 2000, Failures: 100},
	}}
	seed := uint64(2)
	cell := func(p string, pass, fail int) sweep.Cell {
		return sweep.Cell{Scenario: "s.yaml", Property: p, Name: p, Mode: "platform", Level: "MUST", Pass: pass, Fail: fail,
			SmallestFailingSeed: &seed, Replay: "simrun run --mode platform --seed 2 s.yaml", FailingSeeds: []uint64{2}}
	}
	rep := &sweep.Report{Matrix: []sweep.Cell{cell("P1", 160, 40), cell("P4", 190, 10)},
		Baselines: []sweep.AppliedBaseline{{Scenario: "s.yaml", File: "s.baseline.json", Cells: base}}}
	rep.Judge()
	o := sweep.OutcomeOf(rep)
	path := filepath.Join(t.TempDir(), "b.xml")
	if err := WriteSweep(path, rep, o, Options{}); err != nil {
		t.Fatal(err)
	}
	d, _ := parse(t, path)
	if rep.Exit != 1 || d.Exit() != o.Exit || o.Exit != 1 || d.Failures != 1 || d.Skipped != 1 {
		t.Fatalf("exit %d (outcome %d, document %d), failures %d, skipped %d; want 1, 1, 1, 1, 1", rep.Exit, o.Exit, d.Exit(), d.Failures, d.Skipped)
	}
	c := d.Suites[0].Cases[0]
	if c.Failure == nil || c.Failure.Type != "regression" || !strings.Contains(c.Name, "against its baseline") {
		t.Errorf("P1's case %+v, want a regression failure", c)
	}
	if s := d.Suites[0].Cases[1].Skipped; s == nil || !strings.HasPrefix(s.Message, "within its baseline") {
		t.Errorf("P4's case is not skipped as within its baseline: %+v", d.Suites[0].Cases[1])
	}
}
