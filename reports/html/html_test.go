package html

import (
	"os"
	"path/filepath"
	"regexp"
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

// runsOf are results as `simrun run` hands them to WriteRun.
func runsOf(results ...*runner.Result) []Run {
	out := make([]Run, len(results))
	for i, r := range results {
		out[i] = Run{Scenario: r.Scenario, Mode: r.Mode, Seed: r.Seed, Verdicts: r.Verdicts, Replay: r.Replay,
			Firings: r.Schedule.Firings}
		if r.Trace != nil {
			out[i].Trace = runner.TraceFile(r)
		}
	}
	return out
}

const incident = "scenarios/incidents/worker-deleted-before-fetch.yaml"

func read(t *testing.T, dir string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// selfContained: nothing is loaded from elsewhere, and no script runs.
func selfContained(t *testing.T, page string) {
	t.Helper()
	lower := strings.ToLower(page)
	for _, bad := range []string{"<script", "<link", "@import", "url(http", "url(//", "<img", "<iframe", "<object", " src="} {
		if strings.Contains(lower, bad) {
			t.Errorf("the page holds %q: it must be self-contained", bad)
		}
	}
	for _, m := range regexp.MustCompile(`https?://[^"'\s<)]*`).FindAllString(page, -1) {
		if m != "http://www.w3.org/2000/svg" {
			t.Errorf("the page refers to %s", m)
		}
	}
}

var (
	tagRE  = regexp.MustCompile(`<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z:-][a-zA-Z0-9:-]*="[^"<]*")*)\s*(/?)>`)
	void   = map[string]bool{"meta": true, "br": true, "hr": true, "img": true, "input": true, "link": true, "wbr": true}
	openRE = regexp.MustCompile(`<[a-zA-Z/!]`)
)

// wellFormed is a small tokenizer check: every tag parses (attributes quoted, no raw "<" in
// values), every element is closed in order, and no "<" starts anything but a tag.
func wellFormed(t *testing.T, page string) {
	t.Helper()
	body := page
	if i := strings.Index(body, "<style>"); i >= 0 {
		j := strings.Index(body, "</style>")
		body = body[:i] + body[j+len("</style>"):]
	}
	body = strings.Replace(body, "<!DOCTYPE html>", "", 1)
	var stack []string
	pos := 0
	for _, m := range tagRE.FindAllStringSubmatchIndex(body, -1) {
		if between := body[pos:m[0]]; openRE.MatchString(between) {
			t.Fatalf("unparsable markup before offset %d: %.80q", m[0], between)
		}
		pos = m[1]
		closing, name, self := body[m[2]:m[3]] == "/", strings.ToLower(body[m[4]:m[5]]), body[m[8]:m[9]] == "/"
		switch {
		case closing:
			if len(stack) == 0 || stack[len(stack)-1] != name {
				t.Fatalf("</%s> at offset %d closes %v", name, m[0], stack)
			}
			stack = stack[:len(stack)-1]
		case self || void[name]:
		default:
			stack = append(stack, name)
		}
	}
	if openRE.MatchString(body[pos:]) {
		t.Fatalf("unparsable markup at the end: %.80q", body[pos:])
	}
	if len(stack) != 0 {
		t.Fatalf("unclosed elements: %v", stack)
	}
}

func noSecrets(t *testing.T, page string, secrets ...string) {
	t.Helper()
	for _, s := range append(secrets, testrun.Secret, testrun.FakeJWT) {
		if strings.Contains(page, s) {
			t.Errorf("secret %.12q... is in the report", s)
		}
	}
	if !strings.Contains(page, redact.Mask) {
		t.Errorf("no %s in the report: the planted secrets were not shown as masked", redact.Mask)
	}
}

// section returns the HTML from the element with the id to the next <h2> (or the end).
func section(t *testing.T, page, id string) string {
	t.Helper()
	i := strings.Index(page, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no element with id %q", id)
	}
	rest := page[i:]
	if j := strings.Index(rest[1:], "<h2"); j >= 0 {
		rest = rest[:j+1]
	}
	return rest
}

var (
	matrixRE = regexp.MustCompile(`(?s)<h3>([^<]*)</h3>\s*<table class="matrix">(.*?)</table>`)
	headRE   = regexp.MustCompile(`<th>([a-z-]+)</th>`)
	rowRE    = regexp.MustCompile(`(?s)<tr><th>(P\d+) [^<]*<span[^>]*>[A-Z]+</span></th>(.*?)</tr>`)
	cellRE   = regexp.MustCompile(`(?s)<td class="(c-[a-z]+)"[^>]*>(.*?)</td>`)
)

type matrixCell struct{ class, text string }

// parseMatrices reads the matrices back: scenario -> property -> mode -> cell.
func parseMatrices(t *testing.T, page string) map[string]map[string]map[string]matrixCell {
	t.Helper()
	out := map[string]map[string]map[string]matrixCell{}
	for _, m := range matrixRE.FindAllStringSubmatch(page, -1) {
		header, _, _ := strings.Cut(m[2], "</tr>")
		var modes []string
		for _, h := range headRE.FindAllStringSubmatch(header, -1) {
			if h[1] != "property" {
				modes = append(modes, h[1])
			}
		}
		props := map[string]map[string]matrixCell{}
		for _, r := range rowRE.FindAllStringSubmatch(m[2], -1) {
			cells := cellRE.FindAllStringSubmatch(r[2], -1)
			if len(cells) != len(modes) {
				t.Fatalf("%s %s: %d cells for %d modes", m[1], r[1], len(cells), len(modes))
			}
			props[r[1]] = map[string]matrixCell{}
			for i, c := range cells {
				props[r[1]][modes[i]] = matrixCell{c[1], c[2]}
			}
		}
		out[m[1]] = props
	}
	return out
}

func TestSweepReport(t *testing.T) {
	rep, scs := testrun.Sweep(t, 1, 3)
	traces, err := sweep.FailingTraces(rep, scs)
	if err != nil {
		t.Fatal(err)
	}
	if len(traces) != 1 || traces[0].Mode != "platform" || traces[0].Seed != 1 {
		t.Fatalf("want the incident's platform seed 1 as the one failing trace, got %d traces", len(traces))
	}
	// P11's last line of defence: a secret and a token that slipped into evidence.
	traces[0].Verdicts[0].Evidence = append(traces[0].Verdicts[0].Evidence, check.Note("leaked "+testrun.FakeJWT+" and "+testrun.Secret))
	rep.Results[0].Verdicts[0].Evidence = append(rep.Results[0].Verdicts[0].Evidence, check.Note("leaked "+testrun.FakeJWT))
	secrets := scenarios.Secrets(scs...)
	dir := t.TempDir()
	err = WriteSweep(dir, rep, traces, sweep.OutcomeOf(rep), Options{Secrets: secrets, Command: "simrun sweep --seeds 1-3 --key " + testrun.Secret})
	if err != nil {
		t.Fatal(err)
	}
	page := read(t, dir)
	selfContained(t, page)
	wellFormed(t, page)
	noSecrets(t, page, secrets...)
	if !strings.Contains(page, `id="exit-verdict">PASS (exit 0)`) {
		t.Errorf("the summary does not give exit 0 (every verdict as expected)")
	}

	ms := parseMatrices(t, page)
	if len(ms) != 2 {
		t.Fatalf("want a matrix per scenario (2), got %d", len(ms))
	}
	inc := ms[incident]
	if len(inc) != len(check.Catalogue()) {
		t.Fatalf("incident matrix has %d properties, want %d", len(inc), len(check.Catalogue()))
	}
	for _, p := range []string{"P1", "P4", "P13"} {
		c := inc[p]["platform"]
		if c.class != "c-xfail" || !strings.Contains(c.text, "3 xfail") || !strings.Contains(c.text, `smallest failing seed <a href="#fail-1">1</a>`) ||
			!strings.Contains(c.text, "simrun run --mode platform --seed 1 "+incident) {
			t.Errorf("incident %s platform cell: %+v", p, c)
		}
	}
	for p, modes := range inc {
		if len(modes) != 5 {
			t.Errorf("incident %s has %d modes, want 5", p, len(modes))
		}
		for mode, c := range modes {
			if mode != "platform" || (p != "P1" && p != "P4" && p != "P13") {
				want := "3 pass"
				if p == "P12" && mode != "platform" {
					// A sweep judges P12 on a sample: the first seed, a sixteenth of the others, and
					// every run that fails anything; these modes' runs fail nothing.
					want = "1 pass"
				}
				if c.class != "c-pass" || c.text != want {
					t.Errorf("incident %s %s: %+v, want %s", p, mode, c, want)
				}
			}
		}
	}
	for p, modes := range ms["scenarios/smoke.yaml"] {
		// smoke names the three modes of record.
		if len(modes) != 3 || modes["frontend"].class != "c-pass" || modes["platform"].class != "c-pass" || modes["additive"].class != "c-pass" {
			t.Errorf("smoke %s: %+v", p, modes)
		}
	}

	fail := section(t, page, "fail-1")
	if !strings.Contains(fail, `<svg xmlns="http://www.w3.org/2000/svg" id="d1" class="seq"`) {
		t.Fatalf("no sequence diagram in the failing platform cell's section")
	}
	for _, p := range []string{"P1", "P4"} {
		if !regexp.MustCompile(`<g class="row brk" id="d1-break-[^"]*\b`+p+`\b`).MatchString(fail) || !strings.Contains(fail, p+" breaks here") {
			t.Errorf("the diagram does not highlight where %s breaks", p)
		}
	}
	for _, want := range []string{"FAULT delete-instance injected", `class="fault"`, `class="del"`, "more steps repeating the ones above",
		">MSG-2</text>", ">MSG-3</text>", "platform store", "pod-a2fe"} {
		if !strings.Contains(fail, want) {
			t.Errorf("the diagram lacks %q", want)
		}
	}

	cov := section(t, page, "coverage")
	// delete-instance fires after the hash write once per run of the incident: 5 modes x 3 seeds.
	if !regexp.MustCompile(`delete-instance</td>(<td class="h0">0</td>){5}<td class="h2">15</td>`).MatchString(cov) {
		t.Errorf("coverage lacks delete-instance x after-hash-write = 15:\n%s", cov)
	}
	lat := section(t, page, "latency")
	if !strings.Contains(lat, `id="latency-chart"`) || strings.Count(lat, `<rect class="bar`) < 2 || !strings.Contains(lat, "3 never converged") {
		t.Errorf("the latency chart is missing or does not show the 3 runs that never converged:\n%s", lat)
	}
}

func TestRunReport(t *testing.T) {
	results := []*runner.Result{
		testrun.Run(t, incident, host.ModePlatform, 1, true),
		testrun.Run(t, "scenarios/smoke.yaml", host.ModeFrontend, 1, false),
	}
	runs := runsOf(results...)
	dir := t.TempDir()
	if err := WriteRun(dir, runs, runner.Judge(results, false), Options{MaxRows: 25}); err != nil {
		t.Fatal(err)
	}
	page := read(t, dir)
	selfContained(t, page)
	wellFormed(t, page)
	if !strings.Contains(page, `id="exit-verdict">FAIL (exit 1)`) {
		t.Errorf("a raw run of the incident fails MUST properties: want exit 1")
	}
	// The summary starts with what failed, linked to its diagram; the failures come before the matrices.
	summary := section(t, page, "summary")
	for _, want := range []string{`data-kind="fail"><b class="s-fail">fail</b> <a href="#fail-1">P1 eventual-convergence (MUST) fails in mode platform`,
		`data-kind="reported"><b class="s-warn">reported</b> `} {
		if !strings.Contains(summary, want) {
			t.Errorf("the summary lacks %s", want)
		}
	}
	if strings.Index(page, `id="failures"`) > strings.Index(page, `id="matrix"`) {
		t.Errorf("the failures come after the matrices")
	}
	inc := parseMatrices(t, page)[incident]
	if inc["P1"]["platform"].class != "c-fail" || inc["P4"]["platform"].class != "c-fail" || inc["P13"]["platform"].class != "c-warn" {
		t.Errorf("P1/P4 must gate (c-fail) and P13 (SHOULD) not: %+v %+v %+v", inc["P1"], inc["P4"], inc["P13"])
	}
	fail := section(t, page, "fail-1")
	rows := strings.Count(fail, `<g class="row`)
	if rows > 25 {
		t.Errorf("%d rows drawn, MaxRows is 25", rows)
	}
	if !strings.Contains(fail, "steps not drawn") || !strings.Contains(fail, "P4 breaks here") || !strings.Contains(fail, "P1 breaks here") {
		t.Errorf("a cut diagram must keep the breaking rows and say what it left out")
	}
	if strings.Count(page, `class="failure"`) != 1 {
		t.Errorf("only the failing run gets a diagram")
	}
	if !strings.Contains(section(t, page, "coverage"), "delete-instance") {
		t.Errorf("no coverage row for the injected deletion")
	}
}

func TestConformanceReport(t *testing.T) {
	vs := []check.Verdict{
		{ID: "MESH-1", Name: "accept-notification", Level: check.Must, Status: check.Pass, Checked: 3},
		{ID: "MESH-4", Name: "retry-fetch", Level: check.Must, Status: check.Fail, Checked: 1,
			Evidence: check.Notes("fetch answered <script>alert(1)</script> & gave up", "token "+testrun.FakeJWT, "key "+testrun.Secret)},
		{ID: "MESH-6", Name: "debounce", Level: check.Should, Status: check.Fail, Checked: 2, Evidence: check.Notes("3 fetches in 1 s")},
		{ID: "FE-2", Name: "reject-invalid", Level: check.Must, Status: check.Inconclusive, Evidence: check.Notes("no answer")},
		{ID: "HOST-1", Name: "admin-sync", Level: check.May, Status: check.Pass},
	}
	dir := t.TempDir()
	meta := ConformanceMeta{Suite: "mesh", Targets: []string{"mesh http://127.0.0.1:7071?code=" + testrun.Secret}}
	var rules []ConformanceRule
	for _, v := range vs {
		rules = append(rules, ConformanceRule{Verdict: v, Statement: "MUST do what " + v.ID + " says"})
	}
	var o runner.Outcome
	o.Add(runner.Reason{Kind: runner.ReasonFail, Exit: runner.ExitFailed, Property: "MESH-4", Text: "MESH-4 (MUST) not met: MUST do what MESH-4 says"},
		runner.Reason{Kind: runner.ReasonInconclusive, Exit: runner.ExitInconclusive, Property: "FE-2", Text: "FE-2 (MUST) could not be judged"})
	if err := WriteConformance(dir, rules, meta, o, Options{Secrets: []string{testrun.Secret}}); err != nil {
		t.Fatal(err)
	}
	page := read(t, dir)
	wellFormed(t, page)
	noSecrets(t, page)
	if strings.Contains(page, "<script>") || !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; gave up") {
		t.Errorf("evidence is not escaped")
	}
	if !strings.Contains(page, `id="exit-verdict">FAIL (exit 1)`) {
		t.Errorf("a MUST rule fails: want exit 1")
	}
	table := section(t, page, "rules")
	for _, want := range []string{
		`<tr id="rule-MESH-1"><td><b>MESH-1</b></td><td>accept-notification</td><td>MUST</td><td class="statement">MUST do what MESH-1 says</td><td class="s-pass">pass</td><td>3</td>`,
		`<tr id="rule-MESH-4"><td><b>MESH-4</b></td><td>retry-fetch</td><td>MUST</td><td class="statement">MUST do what MESH-4 says</td><td class="s-fail">fail</td>`,
		`<tr id="rule-MESH-6"><td><b>MESH-6</b></td><td>debounce</td><td>SHOULD</td><td class="statement">MUST do what MESH-6 says</td><td class="s-warn">fail</td>`,
		`<tr id="rule-FE-2"><td><b>FE-2</b></td><td>reject-invalid</td><td>MUST</td><td class="statement">MUST do what FE-2 says</td><td class="s-inc">inconclusive</td>`,
	} {
		if !strings.Contains(table, want) {
			t.Errorf("rules table lacks %s", want)
		}
	}
	if !strings.Contains(section(t, page, "summary"), "MESH-4 (MUST) not met") {
		t.Errorf("the summary does not start with the rule not met")
	}
	// The contract's words only: nothing of the simulator's vocabulary in what a reader sees (the
	// style sheet's class names are shared by every report).
	shown := page[strings.Index(page, "</style>"):]
	for _, word := range []string{"scenario", "seed", "xfail", "xpass", "settle", "budget", "vacuous", "simulat"} {
		if strings.Contains(strings.ToLower(shown), word) {
			t.Errorf("the conformance report uses the simulator's word %q", word)
		}
	}
}
