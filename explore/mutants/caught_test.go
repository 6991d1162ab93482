package mutants

import "testing"

// Planted bugs caught on the standard targets by the property they target, and only with the bug:
// read-error-as-changed (SYNC-5: a hash read error counts as unchanged) by P5, which judges a
// background span whose read of the hash blob failed (storage's answer or the instance's timeout, as
// the trace records them); payload-keys-in-map-order (PAY-2) by P18, a restarted host's background
// sync republishing content that did not change. Neither may still be listed as a known gap.
func TestPlantedBugCaughtByItsTarget(t *testing.T) {
	for _, c := range []struct {
		name     string
		seeds    int
		property string
	}{
		{"read-error-as-changed", 5, "P5"},
		{"payload-keys-in-map-order", 3, "P18"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rep, err := Hunt(Options{Seeds: c.seeds, Targets: DefaultTargets(root()), Only: []string{c.name}})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Mutants) != 1 {
				t.Fatalf("%d mutants hunted, want 1", len(rep.Mutants))
			}
			m := rep.Mutants[0]
			t.Logf("%s detected=%v by %s after %d runs", m.Name, m.Detected, m.Property, m.SeedsToDetect)
			if !m.Detected || m.Property != c.property {
				t.Fatalf("%s: detected=%v by %q, want detected by %s", m.Name, m.Detected, m.Property, c.property)
			}
			if knownGaps[m.Name] {
				t.Fatalf("%s is detected but still listed in knownGaps", m.Name)
			}
		})
	}
}
