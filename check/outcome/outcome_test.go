package outcome

import (
	"errors"
	"testing"
)

// Add folds exit codes by precedence (an error beats a failure, a failure an inconclusive verdict,
// and a reported failure gates nothing), keeps the reasons gating first, and sets the word.
func TestAddFoldsByPrecedence(t *testing.T) {
	var o Outcome
	if o.Add(); o.Exit != ExitOK || o.Verdict != "PASS" {
		t.Fatalf("empty outcome: %+v", o)
	}
	steps := []struct {
		r    Reason
		exit int
		word string
	}{
		{Reason{Kind: Reported, Exit: ExitOK, Text: "P13 fails"}, ExitOK, "PASS"},
		{Reason{Kind: Inconclusive, Exit: ExitInconclusive, Text: "P1 inconclusive"}, ExitInconclusive, "INCONCLUSIVE"},
		{Reason{Kind: Coverage, Exit: ExitFailed, Text: "P7 examined nothing"}, ExitFailed, "FAIL"},
		{Reason{Kind: Inconclusive, Exit: ExitInconclusive, Text: "P2 inconclusive"}, ExitFailed, "FAIL"},
	}
	for _, s := range steps {
		o.Add(s.r)
		if o.Exit != s.exit || o.Verdict != s.word {
			t.Fatalf("after %s: exit %d %s, want %d %s", s.r.Kind, o.Exit, o.Verdict, s.exit, s.word)
		}
	}
	want := []Kind{Coverage, Inconclusive, Inconclusive, Reported}
	for i, r := range o.Reasons {
		if r.Kind != want[i] {
			t.Fatalf("reasons in order %v, want %v", o.Reasons, want)
		}
	}
	if len(o.Gating()) != 3 {
		t.Errorf("gating reasons %v", o.Gating())
	}
	e := Failure(errors.New("bad.yaml:1:1: settle: not a duration"))
	o.Add(e.Reasons...)
	if o.Exit != ExitUsage || o.Verdict != "ERROR" || o.Reasons[0].Line() != "error: bad.yaml:1:1: settle: not a duration" {
		t.Errorf("an error decides the exit code and comes first: %+v", o)
	}
}
