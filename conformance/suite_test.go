package conformance

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// The suite that runs a conformance rule, by its ID's family.
func TestSuiteOf(t *testing.T) {
	for id, want := range map[string]string{"MESH-4": "mesh", "FE-2": "frontend", "HOST-1": "host"} {
		if got := SuiteOf(id); got != want {
			t.Errorf("%s: %q, want %q", id, got, want)
		}
	}
	for _, rs := range [][]Rule{MeshRules(), FrontEndRules(), HostRules()} {
		for _, r := range rs {
			if s := SuiteOf(r.ID); s != SuiteOf(rs[0].ID) {
				t.Errorf("%s: suite %s, the rest of its suite %s", r.ID, s, SuiteOf(rs[0].ID))
			}
		}
	}
}

// RunSuite against our reference front end: every rule passes, each verdict and the summary are
// written, and the report says exit 0; with a planted defect, the rule it breaks fails with the
// command that runs it alone, and the report exits 1.
func TestRunSuiteFrontEnd(t *testing.T) {
	for _, tc := range []struct {
		defects []string
		exit    int
		want    []string
	}{
		{nil, 0, []string{"FE-1 ", "FE-5 ", "frontend: 5 rules: 5 pass, 0 fail, 0 inconclusive; exit 0 (PASS)"}},
		{[]string{"accept-bad-token"}, 1, []string{"FE-2    MUST   fail", "reproduce alone: simrun conformance frontend", "--rule FE-2", "exit 1"}},
	} {
		var out, log bytes.Buffer
		rep, err := RunSuite(context.Background(), Config{Suite: "frontend", Target: Target{Defects: tc.defects},
			Observe: time.Second, Out: &out, Log: &log})
		if err != nil {
			t.Fatalf("%v: %v", tc.defects, err)
		}
		if rep.Exit != tc.exit || len(rep.Verdicts) != len(FrontEndRules()) {
			t.Errorf("%v: exit %d with %d verdicts, want %d with %d", tc.defects, rep.Exit, len(rep.Verdicts), tc.exit, len(FrontEndRules()))
		}
		for _, w := range tc.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%v: output lacks %q:\n%s", tc.defects, w, out.String())
			}
		}
	}
}

// Usage errors come back as errors, before anything starts, with the package's prefix.
func TestRunSuiteUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Suite: "host"}, "conformance: --observe must be positive"},
		{Config{Suite: "bogus", Observe: time.Second}, `conformance: unknown suite "bogus"`},
		{Config{Suite: "host", Observe: time.Second, Rules: []string{"HOST-9"}}, `unknown rule "HOST-9"`},
		{Config{Suite: "frontend", Observe: time.Second, Target: Target{FrontEndURL: "http://127.0.0.1:1/"}}, "--key is required"},
	} {
		var out bytes.Buffer
		tc.cfg.Out, tc.cfg.Log = &out, &out
		rep, err := RunSuite(context.Background(), tc.cfg)
		if err == nil || rep != nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: report %v, error %v; want %q", tc.cfg, rep, err, tc.want)
		}
	}
}
