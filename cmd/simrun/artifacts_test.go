package main

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/syncsim/syncsim/reports/junit"
	"github.com/syncsim/syncsim/runner"
)

// artifactCase is one invocation and what its artifacts must say: the exit code and the kinds of
// reason that must appear in every artifact.
type artifactCase struct {
	name  string
	sweep bool
	args  []string
	exit  int
	kinds []runner.ReasonKind
}

// Every artifact (the text, --json, --junit, --report and --matrix) says what the exit code says,
// over invocations that exit 0, 1 (a failing verdict, an xpass, the coverage gate), 2 and 3: each
// artifact is parsed and its verdict compared with the exit code, and each names the reasons.
func TestEveryArtifactSaysTheExitCode(t *testing.T) {
	dir := t.TempDir()
	smoke := filepath.Join(root, "scenarios", "smoke.yaml")
	incident := filepath.Join(root, "scenarios", "incidents", "worker-deleted-before-fetch.yaml")
	budget := filepath.Join(root, "sim", "world", "testdata", "budget.yaml")
	src, err := os.ReadFile(smoke)
	if err != nil {
		t.Fatal(err)
	}
	xpass := filepath.Join(dir, "xpass.yaml")
	if err := os.WriteFile(xpass, []byte(strings.Replace(string(src), "  frontend: []", "  frontend: [P1]", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("name: bad\nsettle: soon\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []artifactCase{
		{name: "pass", args: []string{"--mode", "frontend", smoke}, exit: 0},
		{name: "failing verdict", args: []string{"--raw", "--mode", "platform", incident}, exit: 1,
			kinds: []runner.ReasonKind{runner.ReasonFail, runner.ReasonReported}},
		{name: "xpass", args: []string{"--mode", "frontend", xpass}, exit: 1, kinds: []runner.ReasonKind{runner.ReasonXPass}},
		{name: "coverage gate", args: []string{"--mode", "frontend", smoke, incident}, exit: 1, kinds: []runner.ReasonKind{runner.ReasonCoverage}},
		{name: "inconclusive", args: []string{budget}, exit: 2, kinds: []runner.ReasonKind{runner.ReasonInconclusive}},
		{name: "bad input", args: []string{bad}, exit: 3},
		{name: "sweep pass", sweep: true, args: []string{"--seeds", "1-2", "--mode", "frontend", smoke}, exit: 0},
		{name: "sweep failing cell", sweep: true, args: []string{"--seeds", "1-2", "--raw", "--mode", "platform", incident}, exit: 1,
			kinds: []runner.ReasonKind{runner.ReasonFail, runner.ReasonReported}},
		{name: "sweep inconclusive", sweep: true, args: []string{"--seeds", "1-1", budget}, exit: 2, kinds: []runner.ReasonKind{runner.ReasonInconclusive}},
		{name: "sweep bad input", sweep: true, args: []string{"--seeds", "1-1", bad}, exit: 3},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(dir, strconv.Itoa(i))
			files := artifactFiles{json: out + ".json", junit: out + ".xml", report: out + "-html", matrix: out + "-matrix.json"}
			args := []string{"run", "--json", files.json, "--junit", files.junit, "--report", files.report}
			if c.sweep {
				args = []string{"sweep", "--workers", "1", "--json", files.json, "--junit", files.junit, "--report", files.report, "--matrix", files.matrix}
			}
			code, stdout, stderr := simrun(t, append(args, c.args...)...)
			if code != c.exit {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, c.exit, stdout, stderr)
			}
			if c.exit == runner.ExitUsage {
				files.noneWritten(t, c.sweep)
				if !strings.Contains(stderr, "bad.yaml") {
					t.Errorf("the error does not name the file: %s", stderr)
				}
				return
			}
			checkText(t, stdout, c)
			runs := checkJSON(t, files.json, c)
			doc := checkJUnit(t, files.junit, c)
			checkHTML(t, files.report, c)
			if c.sweep {
				checkMatrix(t, files.matrix, c)
			} else {
				// The counts match: JUnit's failures are the gating fails and xpasses the runs show, and
				// the gates' cases.
				want := 0
				for _, r := range runs {
					for _, v := range r.Verdicts {
						if v.Status == "xpass" || v.Status == "fail" && v.Level == "MUST" {
							want++
						}
					}
				}
				for _, rs := range runs[0].Invocation.Reasons {
					if rs.Kind == runner.ReasonCoverage {
						want++
					}
				}
				if doc.Failures != want {
					t.Errorf("JUnit has %d failures, the runs and gates %d", doc.Failures, want)
				}
			}
		})
	}
}

// artifactFiles are where an invocation writes its artifacts.
type artifactFiles struct{ json, junit, report, matrix string }

// noneWritten checks that an invocation stopped by bad input wrote no artifact that could say
// anything else than the error.
func (f artifactFiles) noneWritten(t *testing.T, sweep bool) {
	t.Helper()
	paths := []string{f.json, f.junit, filepath.Join(f.report, "index.html")}
	if sweep {
		paths = append(paths, f.matrix)
	}
	for _, p := range paths {
		if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s was written by an invocation that exits 3", p)
		}
	}
}

var textExit = regexp.MustCompile(`exit (\d) \(([A-Z ]+)\)\n`)

// checkText reads the text's closing verdict and its reason lines.
func checkText(t *testing.T, out string, c artifactCase) {
	t.Helper()
	m := textExit.FindAllStringSubmatch(out, -1)
	if len(m) == 0 {
		t.Fatalf("text: no closing exit line:\n%s", out)
	}
	last := m[len(m)-1]
	if last[1] != strconv.Itoa(c.exit) || last[2] != runner.VerdictWord(c.exit) {
		t.Errorf("text says exit %s (%s), the command exits %d", last[1], last[2], c.exit)
	}
	for _, k := range c.kinds {
		if !strings.Contains(out, "\n  "+string(k)+": ") {
			t.Errorf("text: no %s reason", k)
		}
	}
}

// jsonRunOutcome is the part of a --json run object these tests read.
type jsonRunOutcome struct {
	Verdicts []struct {
		Level, Status string
	} `json:"verdicts"`
	Invocation *runner.Outcome `json:"invocation"`
}

func checkJSON(t *testing.T, path string, c artifactCase) []jsonRunOutcome {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var runs []jsonRunOutcome
	if err := json.Unmarshal(data, &runs); err != nil || len(runs) == 0 {
		t.Fatalf("--json: %v (%d runs)", err, len(runs))
	}
	for _, r := range runs {
		if r.Invocation == nil || r.Invocation.Exit != c.exit || r.Invocation.Verdict != runner.VerdictWord(c.exit) {
			t.Fatalf("--json: a run says the invocation is %+v, the command exits %d", r.Invocation, c.exit)
		}
	}
	checkKinds(t, "--json", runs[0].Invocation.Reasons, c)
	return runs
}

func checkKinds(t *testing.T, what string, rs []runner.Reason, c artifactCase) {
	t.Helper()
	var kinds []runner.ReasonKind
	for _, r := range rs {
		kinds = append(kinds, r.Kind)
	}
	for _, k := range c.kinds {
		if !slices.Contains(kinds, k) {
			t.Errorf("%s: reasons %v lack %s", what, kinds, k)
		}
	}
	if c.exit == 0 && slices.ContainsFunc(rs, runner.Reason.Gates) {
		t.Errorf("%s: a gating reason in an invocation that exits 0: %+v", what, rs)
	}
}

func checkJUnit(t *testing.T, path string, c artifactCase) *junit.Suites {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var d junit.Suites
	if err := xml.Unmarshal(data, &d); err != nil {
		t.Fatalf("--junit: %v", err)
	}
	if d.Exit() != c.exit {
		t.Errorf("--junit reads as exit %d (failures=%d errors=%d), the command exits %d", d.Exit(), d.Failures, d.Errors, c.exit)
	}
	text := string(data)
	for _, k := range c.kinds {
		want := map[runner.ReasonKind]string{runner.ReasonFail: `type="fail"`, runner.ReasonXPass: `type="xpass"`,
			runner.ReasonCoverage: `<testsuite name="coverage gate"`, runner.ReasonInconclusive: `<error message=`,
			runner.ReasonReported: `<skipped message="SHOULD `}[k]
		if !strings.Contains(text, want) {
			t.Errorf("--junit: the %s reason is not shown (%s)", k, want)
		}
	}
	return &d
}

var htmlExit = regexp.MustCompile(`id="exit-verdict">([A-Z ]+) \(exit (\d)\)`)

func checkHTML(t *testing.T, dir string, c artifactCase) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	page := string(data)
	m := htmlExit.FindStringSubmatch(page)
	if m == nil || m[1] != runner.VerdictWord(c.exit) || m[2] != strconv.Itoa(c.exit) {
		t.Fatalf("--report says %v, the command exits %d", m, c.exit)
	}
	for _, k := range c.kinds {
		if !strings.Contains(page, `data-kind="`+string(k)+`"`) {
			t.Errorf("--report: the summary lacks the %s reason", k)
		}
	}
	// What failed comes first: the reasons before the failures, the failures before the matrices.
	if r, f, mx := strings.Index(page, `id="reasons"`), strings.Index(page, `id="failures"`), strings.Index(page, `id="matrix"`); c.exit != 0 &&
		(r < 0 || f >= 0 && f < r || mx >= 0 && (mx < r || f >= 0 && mx < f)) {
		t.Errorf("--report: reasons at %d, failures at %d, matrices at %d: what failed must come first", r, f, mx)
	}
}

func checkMatrix(t *testing.T, path string, c artifactCase) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Exit    int             `json:"exit"`
		Outcome *runner.Outcome `json:"outcome"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("--matrix: %v", err)
	}
	if m.Exit != c.exit || m.Outcome == nil || m.Outcome.Exit != c.exit || m.Outcome.Verdict != runner.VerdictWord(c.exit) {
		t.Fatalf("--matrix says exit %d, outcome %+v; the command exits %d", m.Exit, m.Outcome, c.exit)
	}
	checkKinds(t, "--matrix", m.Outcome.Reasons, c)
}
