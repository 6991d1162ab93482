package conformance

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/runner"
)

// A conformance report's outcome is its exit code with a reason per rule not met (or not judged), in
// the contract's words: the rule, its level and statement. The JSON, the summary and the JUnit
// document all carry it, and an interruption can only make it worse.
func TestReportOutcomeInTheContractsWords(t *testing.T) {
	rules := []Rule{
		{ID: "FE-1", Name: "accept-settriggers", Level: check.Must, Title: "MUST answer a valid MSG-1 with 2xx"},
		{ID: "FE-4", Name: "throttle", Level: check.May, Title: "MAY answer 429 under load (informational)"},
		{ID: "FE-2", Name: "reject-invalid-token", Level: check.Must, Title: "MUST answer 401 or 403 to an invalid token"},
	}
	vs := []check.Verdict{
		{ID: "FE-1", Name: "accept-settriggers", Level: check.Must, Status: check.Pass, Checked: 2},
		{ID: "FE-4", Name: "throttle", Level: check.May, Status: check.Fail, Checked: 1, Evidence: check.Notes("FAIL no 429 under load")},
		{ID: "FE-2", Name: "reject-invalid-token", Level: check.Must, Status: check.Inconclusive, Evidence: check.Notes("INCONCLUSIVE no answer")},
	}
	rep := NewReport("frontend", "http://127.0.0.1:1", &Env{}, rules, vs)
	if rep.Exit != runner.ExitInconclusive || rep.Outcome.Exit != rep.Exit || len(rep.Outcome.Reasons) != 2 {
		t.Fatalf("exit %d, outcome %+v; want 2 with FE-2 inconclusive and FE-4 reported", rep.Exit, rep.Outcome)
	}
	if r := rep.Outcome.Reasons[0]; r.Kind != runner.ReasonInconclusive || !strings.Contains(r.Text, "FE-2 (MUST) could not be judged: MUST answer 401 or 403 to an invalid token") {
		t.Errorf("first reason %+v", r)
	}
	rep.Interrupted(errors.New("interrupt"))
	if rep.Exit != runner.ExitInconclusive {
		t.Errorf("an interruption of an inconclusive suite: exit %d, want 2", rep.Exit)
	}
	var js, xml bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteJUnit(&xml); err != nil {
		t.Fatal(err)
	}
	for what, text := range map[string]string{"summary": rep.Summary(), "json": js.String(), "junit": xml.String()} {
		if !strings.Contains(text, "MUST answer 401 or 403 to an invalid token") {
			t.Errorf("%s lacks the statement of FE-2", what)
		}
		for _, word := range []string{"scenario", "seed", "xfail", "xpass", "settle", "simulat", "vacuous"} {
			if strings.Contains(strings.ToLower(text), word) {
				t.Errorf("%s uses the simulator's word %q", what, word)
			}
		}
	}
	if !strings.Contains(xml.String(), `errors="2"`) || strings.Contains(xml.String(), "<failure") {
		t.Errorf("JUnit: FE-2 and the interruption are errors, nothing fails:\n%s", xml.String())
	}
}
