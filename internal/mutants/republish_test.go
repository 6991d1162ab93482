package mutants

import "testing"

// The planted PAY-2 bug (payload keys in map order) is caught by P18 on the standard targets: the
// background sync of a restarted host republishes content that did not change.
func TestPayloadKeyOrderCaughtByP18(t *testing.T) {
	rep, err := Hunt(Options{Seeds: 3, Targets: DefaultTargets(root()), Only: []string{"payload-keys-in-map-order"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Mutants) != 1 {
		t.Fatalf("%d mutants hunted, want 1", len(rep.Mutants))
	}
	r := rep.Mutants[0]
	t.Logf("%s detected=%v by %s after %d runs", r.Name, r.Detected, r.Property, r.SeedsToDetect)
	if !r.Detected || r.Property != "P18" {
		t.Fatalf("%s: detected=%v by %q, want P18", r.Name, r.Detected, r.Property)
	}
}
