package mutants

import (
	"testing"

	"github.com/syncsim/syncsim/check"
)

// The bugs planted for P14-P17 and MESH-4's retry budget are each caught by a property they target,
// on the standard targets, within a few seeds.
func TestTargetedMutantsAreDetected(t *testing.T) {
	only := []string{"background-on-every-instance", "lease-renew-keeps-expiry", "debounce-without-max-wait", "short-retry-budget"}
	rep, err := Hunt(Options{Seeds: 3, Targets: DefaultTargets(root()), Only: only})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Mutants) != len(only) {
		t.Fatalf("%d mutants hunted, want %d", len(rep.Mutants), len(only))
	}
	byName := map[string]Mutant{}
	for _, m := range Catalogue() {
		byName[m.Name] = m
	}
	for _, r := range rep.Mutants {
		t.Logf("%-30s detected=%-5v by %-4s after %2d runs", r.Name, r.Detected, r.Property, r.SeedsToDetect)
		if !r.Detected {
			t.Errorf("%s went undetected", r.Name)
			continue
		}
		if tg := byName[r.Name].Targets; r.Property != tg[0] && (len(tg) < 2 || r.Property != tg[1]) {
			t.Errorf("%s detected by %s, not by a property it targets %v", r.Name, r.Property, tg)
		}
	}
}

// A targeted mutant is not detected by a property outside its targets.
func TestDetectorHonoursTargets(t *testing.T) {
	clean := []check.Verdict{{ID: "P1", Status: check.Pass}, {ID: "P14", Status: check.Pass}}
	mut := []check.Verdict{{ID: "P1", Status: check.Fail}, {ID: "P14", Status: check.Pass}}
	if got := detector(clean, mut, []string{"P14"}); got != "" {
		t.Fatalf("detected by %s outside the targets", got)
	}
	if got := detector(clean, mut, nil); got != "P1" {
		t.Fatalf("untargeted detection %q, want P1", got)
	}
}
