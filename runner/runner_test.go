package runner

import (
	"io"
	"math"
	"strings"
	"testing"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/output/redact"
	"github.com/syncsim/syncsim/scenarios"
)

func verdicts(statuses ...string) []check.Verdict {
	var out []check.Verdict
	for i, s := range statuses {
		out = append(out, check.Verdict{ID: []string{"P1", "P3", "P4", "P12"}[i], Level: check.Must, Status: check.Status(s)})
	}
	return out
}

// DESIGN.md's expect semantics: like pytest's strict xfail.
func TestApplyExpectations(t *testing.T) {
	vs := verdicts("fail", "pass", "pass", "inconclusive")
	unjudged := ApplyExpectations(vs, []string{"P1", "P4", "P12", "P9"})
	want := []check.Status{check.XFail, check.Pass, check.XPass, check.Inconclusive}
	for i, w := range want {
		if vs[i].Status != w {
			t.Errorf("%s: %s, want %s", vs[i].ID, vs[i].Status, w)
		}
	}
	if len(unjudged) != 1 || unjudged[0] != "P9" {
		t.Errorf("unjudged %v", unjudged)
	}
}

func TestExitCode(t *testing.T) {
	should := func(status check.Status) *Result {
		return &Result{Verdicts: []check.Verdict{{ID: "P5", Level: check.Should, Status: status}}}
	}
	cases := []struct {
		name    string
		results []*Result
		strict  bool
		want    int
	}{
		{"all pass", []*Result{{Verdicts: verdicts("pass", "pass", "xfail", "pass")}}, false, ExitOK},
		{"must fails", []*Result{{Verdicts: verdicts("pass", "fail", "pass", "pass")}}, false, ExitFailed},
		{"xpass fails", []*Result{{Verdicts: verdicts("xpass", "pass", "pass", "pass")}}, false, ExitFailed},
		{"inconclusive", []*Result{{Verdicts: verdicts("inconclusive", "pass", "pass", "pass")}}, false, ExitInconclusive},
		{"fail beats inconclusive", []*Result{{Verdicts: verdicts("inconclusive", "pass", "pass", "pass")}, {Verdicts: verdicts("fail", "pass", "pass", "pass")}}, false, ExitFailed},
		{"should fail reported only", []*Result{should(check.Fail)}, false, ExitOK},
		{"should fail gates with strict", []*Result{should(check.Fail)}, true, ExitFailed},
		{"may never gates", []*Result{{Verdicts: []check.Verdict{{ID: "X", Level: check.May, Status: check.Fail}}}}, true, ExitOK},
	}
	for _, c := range cases {
		if got := ExitCode(c.results, c.strict); got != c.want {
			t.Errorf("%s: exit %d, want %d", c.name, got, c.want)
		}
	}
}

func TestModesFor(t *testing.T) {
	sc := &scenarios.Scenario{Modes: []host.Mode{host.ModePlatform}}
	if m, _ := ModesFor(sc, ""); len(m) != 1 || m[0] != host.ModePlatform {
		t.Fatalf("default %v", m)
	}
	if m, _ := ModesFor(sc, "all"); len(m) != len(host.Modes()) {
		t.Fatalf("all %v", m)
	}
	if _, err := ModesFor(sc, "nope"); err == nil {
		t.Fatal("unknown mode accepted")
	}
}

func TestReplayCommand(t *testing.T) {
	if got := ReplayCommand("scenarios/smoke.yaml", host.ModeFrontend, 7, Options{Raw: true}); got != "simrun run --mode frontend --seed 7 --raw scenarios/smoke.yaml" {
		t.Fatal(got)
	}
	got := ReplayCommand("my dir/x.yaml", host.ModePlatform, 2, Options{Strategy: "pct", Faults: []string{"fe-status:status=503", "it's"}})
	if got != `simrun run --mode platform --seed 2 --strategy pct --fault fe-status:status=503 --fault 'it'\''s' 'my dir/x.yaml'` {
		t.Fatal(got)
	}
}

// TestExecuteDeclaresScenarioSecrets: a run masks its scenarios' keys by value in everything it
// prints (PAY-4), not only by name and structure.
func TestExecuteDeclaresScenarioSecrets(t *testing.T) {
	var b strings.Builder
	w := redact.NewWriter(&b, nil)
	if _, err := Execute(Job{Paths: []string{"../scenarios/smoke.yaml"}, Mode: "frontend", Seed: 1, Runs: 1, Log: io.Discard}, w); err != nil {
		t.Fatal(err)
	}
	if got := w.Redactor().String("a line holding s3cr3t-master-0000 alone"); strings.Contains(got, "s3cr3t-master-0000") {
		t.Fatalf("the scenario's master key was not declared to the output's redactor: %q", got)
	}
}

// TestLiveTimeScaleMustBeFinite: a NaN, infinite or negative --time-scale is a usage error before
// anything starts.
func TestLiveTimeScaleMustBeFinite(t *testing.T) {
	for _, s := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), -0.5} {
		code, err := Execute(Job{Paths: []string{"../scenarios/smoke.yaml"}, Runs: 1, Live: true, TimeScale: s, Log: io.Discard}, io.Discard)
		if code != ExitUsage || err == nil || !strings.Contains(err.Error(), "--time-scale") {
			t.Errorf("time scale %v: exit %d, err %v; want exit %d naming --time-scale", s, code, err, ExitUsage)
		}
	}
}

// A live run's replay command names its seed, mode and time scale.
func TestLiveReplayCommand(t *testing.T) {
	got := LiveReplayCommand("scenarios/smoke.yaml", host.ModePlatform, 7, 0.01)
	if want := "simrun run --live --time-scale 0.01 --mode platform --seed 7 scenarios/smoke.yaml"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
