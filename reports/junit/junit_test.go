package junit

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/check"
	"github.com/syncsim/syncsim/internal/runner"
	"github.com/syncsim/syncsim/reports/internal/testrun"
	"github.com/syncsim/syncsim/reports/redact"
)

// parse reads a written file back and checks the fields of the common JUnit schema: the root is
// <testsuites>, every suite and case is named, a case has at most one of failure and skipped, a
// failure has a message and a type, and the counts add up at every level.
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
	tests, failures, skipped := 0, 0, 0
	for _, s := range d.Suites {
		if s.Name == "" {
			t.Errorf("a testsuite without a name")
		}
		f, sk := 0, 0
		for _, c := range s.Cases {
			if c.Name == "" || c.Classname == "" || c.Time == "" {
				t.Errorf("testcase %+v lacks name, classname or time", c)
			}
			if c.Failure != nil && c.Skipped != nil {
				t.Errorf("testcase %s both fails and is skipped", c.Name)
			}
			if c.Failure != nil {
				f++
				if c.Failure.Message == "" || c.Failure.Type == "" {
					t.Errorf("failure of %s lacks message or type", c.Name)
				}
			}
			if c.Skipped != nil {
				sk++
			}
		}
		if s.Tests != len(s.Cases) || s.Failures != f || s.Skipped != sk || s.Errors != 0 {
			t.Errorf("suite %s counts tests=%d failures=%d skipped=%d, cases say %d, %d, %d", s.Name, s.Tests, s.Failures, s.Skipped, len(s.Cases), f, sk)
		}
		tests, failures, skipped = tests+s.Tests, failures+s.Failures, skipped+s.Skipped
	}
	if d.Tests != tests || d.Failures != failures || d.Skipped != skipped {
		t.Errorf("testsuites counts %d/%d/%d, suites add up to %d/%d/%d", d.Tests, d.Failures, d.Skipped, tests, failures, skipped)
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
		if err := WriteSweep(path, rep, Options{Secrets: redact.ScenarioSecrets(scs...)}); err != nil {
			t.Fatal(err)
		}
		d, text := parse(t, path)
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
	for _, r := range []*runner.Result{
		testrun.Run(t, testrun.Scenarios[1], host.ModePlatform, 1, true),
		testrun.Run(t, testrun.Scenarios[0], host.ModeFrontend, 1, false),
	} {
		runs = append(runs, Run{Scenario: r.Scenario, Mode: r.Mode, Seed: r.Seed, WallMs: r.WallMs, TraceHash: r.TraceHash,
			Replay: r.Replay, Verdicts: r.Verdicts})
	}
	runs[0].Verdicts[0].Evidence = append(runs[0].Verdicts[0].Evidence, check.Note("token "+testrun.FakeJWT+" key "+testrun.Secret))
	path := filepath.Join(t.TempDir(), "run.xml")
	if err := WriteRuns(path, runs, Options{Secrets: []string{testrun.Secret}}); err != nil {
		t.Fatal(err)
	}
	d, text := parse(t, path)
	if len(d.Suites) != 2 || d.Suites[0].Tests != len(check.Catalogue()) {
		t.Fatalf("want 2 suites of %d cases, got %d suites", len(check.Catalogue()), len(d.Suites))
	}
	// Raw platform run: P1 and P4 (MUST) fail; P13 (SHOULD) fails without gating.
	if d.Suites[0].Failures != 2 || d.Suites[1].Failures != 0 {
		t.Errorf("failures %d and %d, want 2 and 0", d.Suites[0].Failures, d.Suites[1].Failures)
	}
	for _, leak := range []string{testrun.Secret, testrun.FakeJWT} {
		if strings.Contains(text, leak) {
			t.Errorf("%q leaks into the JUnit output", leak)
		}
	}
	if !strings.Contains(text, redact.Mask) {
		t.Errorf("the planted secret is not shown as %s", redact.Mask)
	}
}

func TestConformanceCasePerRule(t *testing.T) {
	vs := []check.Verdict{
		{ID: "MESH-1", Name: "accept-notification", Level: check.Must, Status: check.Pass, Checked: 3},
		{ID: "MESH-4", Name: "retry-fetch", Level: check.Must, Status: check.Fail, Checked: 1, Evidence: check.Notes("no retry after 503")},
		{ID: "MESH-6", Name: "debounce", Level: check.Should, Status: check.Fail, Checked: 1},
		{ID: "FE-2", Name: "reject-invalid", Level: check.Must, Status: check.Inconclusive, Evidence: check.Notes("endpoint did not answer")},
	}
	path := filepath.Join(t.TempDir(), "c.xml")
	if err := WriteConformance(path, vs, "mesh", Options{}); err != nil {
		t.Fatal(err)
	}
	d, _ := parse(t, path)
	if d.Tests != 4 || d.Failures != 1 || d.Skipped != 1 {
		t.Errorf("tests/failures/skipped = %d/%d/%d, want 4/1/1", d.Tests, d.Failures, d.Skipped)
	}
	strict := filepath.Join(t.TempDir(), "s.xml")
	if err := WriteConformance(strict, vs, "mesh", Options{Strict: true}); err != nil {
		t.Fatal(err)
	}
	if d, _ := parse(t, strict); d.Failures != 2 {
		t.Errorf("with strict the SHOULD failure gates: %d failures, want 2", d.Failures)
	}
}
