package mutants

import "testing"

// read-error-as-changed (SYNC-5: a hash read error counts as unchanged) is caught by P5, its target,
// on the standard targets: P5 judges a background span whose read of the hash blob failed (storage's
// answer or the instance's timeout, as the trace records them) and the bug's publish after it. The
// same runs without the bug pass P5, or the detector would not count them.
func TestReadErrorAsChangedCaughtByP5(t *testing.T) {
	rep, err := Hunt(Options{Seeds: 5, Targets: DefaultTargets(root()), Only: []string{"read-error-as-changed"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Mutants) != 1 {
		t.Fatalf("%d mutants hunted, want 1", len(rep.Mutants))
	}
	m := rep.Mutants[0]
	t.Logf("%s detected=%v by %s after %d runs", m.Name, m.Detected, m.Property, m.SeedsToDetect)
	if !m.Detected || m.Property != "P5" {
		t.Fatalf("read-error-as-changed: detected=%v by %q, want detected by P5", m.Detected, m.Property)
	}
	if knownGaps[m.Name] {
		t.Fatal("read-error-as-changed is detected but still listed in knownGaps")
	}
}
