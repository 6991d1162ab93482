package mutants

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/runner"
	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/trace"
)

// Every class of BlindSpots has at least three bugs in the catalogue, each targeting the class's
// property, and its scenarios exist among the hunt's targets.
func TestBlindSpotsAreInTheCatalogue(t *testing.T) {
	byName := map[string]Mutant{}
	for _, m := range Catalogue() {
		byName[m.Name] = m
	}
	targeted := map[string]bool{}
	for _, tg := range DefaultTargets(root()) {
		targeted[filepath.Base(tg.Scenario)] = true
	}
	for _, b := range BlindSpots() {
		if len(b.Mutants) < 3 {
			t.Errorf("%s: %d bugs, want at least 3", b.Class, len(b.Mutants))
		}
		for _, name := range b.Mutants {
			m, ok := byName[name]
			if !ok {
				t.Errorf("%s: %s is not in Catalogue()", b.Class, name)
				continue
			}
			if !slices.Contains(m.Targets, b.Property) {
				t.Errorf("%s: %s targets %v, not the class's %s", b.Class, name, m.Targets, b.Property)
			}
		}
		if !targeted[filepath.Base(b.Scenarios[0])] {
			t.Errorf("%s: its first scenario %s is not a hunt target", b.Class, b.Scenarios[0])
		}
	}
}

// Each bug of a class is caught by the class's property alone (Options.Judges), on the class's own
// scenarios among the standard targets, within three seeds: the detection table by class.
func TestBlindSpotsCaught(t *testing.T) {
	for _, b := range BlindSpots() {
		var targets []Target
		for _, tg := range DefaultTargets(root()) {
			if slices.Contains(b.Scenarios, relScenario(tg.Scenario)) {
				targets = append(targets, tg)
			}
		}
		rep, err := Hunt(Options{Seeds: 3, Targets: targets, Only: b.Mutants, Judges: []string{b.Property}})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Mutants) != len(b.Mutants) {
			t.Fatalf("%s: %d bugs hunted, want %d", b.Class, len(rep.Mutants), len(b.Mutants))
		}
		for _, r := range rep.Mutants {
			t.Logf("%-22s %-32s detected=%-5v by %-3s %s after %2d runs (%s seed %d)", b.Class, r.Name, r.Detected, r.Property, r.Method, r.SeedsToDetect, r.Target, r.Seed)
			if !r.Detected || r.Property != b.Property || r.Class != b.Class {
				t.Errorf("%s: %s detected=%v by %q (class %q), want detected by %s", b.Class, r.Name, r.Detected, r.Property, r.Class, b.Property)
			}
		}
	}
}

// The class's property does not fire on the correct reference: every target passes it on the seeds
// the hunt uses, so a detection is the bug's doing.
func TestBlindSpotPropertiesHoldWithoutBugs(t *testing.T) {
	for _, tg := range DefaultTargets(root()) {
		for _, b := range BlindSpots() {
			if !slices.Contains(b.Scenarios, relScenario(tg.Scenario)) {
				continue
			}
			for seed := uint64(1); seed <= 3; seed++ {
				if id := failsWithoutBug(t, tg, seed, b.Property); id != "" {
					t.Errorf("%s %s seed %d: %s fails without a planted bug", filepath.Base(tg.Scenario), tg.Mode, seed, id)
				}
			}
		}
	}
}

func relScenario(path string) string {
	rel, err := filepath.Rel(root(), path)
	if err != nil {
		return path
	}
	return filepath.ToSlash(rel)
}

// failsWithoutBug runs a target without any planted bug and returns id when that property fails.
func failsWithoutBug(t *testing.T, tg Target, seed uint64, id string) string {
	t.Helper()
	sc, err := scenarios.Load(tg.Scenario)
	if err != nil {
		t.Fatal(err)
	}
	res, err := runner.RunOne(sc, tg.Mode, seed, runner.Options{Raw: true, Faults: tg.Faults})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range res.Verdicts {
		if v.ID == id && v.Status == check.Fail {
			return id
		}
	}
	return ""
}

// scenarios/routing.yaml lands admin and key API calls on every instance it starts, the two that
// start late included, and on instances that are not primary, in every seed of a sweep's first ones:
// so a host whose admin API works only on the primary or the first instance has no place to hide.
func TestRoutingReachesEveryInstance(t *testing.T) {
	sc, err := scenarios.Load(filepath.Join(root(), "scenarios", "routing.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []host.Mode{host.ModeFrontend, host.ModePlatform} {
		for seed := uint64(1); seed <= 5; seed++ {
			res, err := runner.RunOne(sc, mode, seed, runner.Options{Raw: true})
			if err != nil {
				t.Fatal(err)
			}
			created, reached := map[string]bool{}, map[string]bool{}
			for _, r := range res.Trace.Records {
				switch r.Kind {
				case trace.KindInstanceCreate:
					created[r.Party] = true
				case trace.KindRouterRoute:
					if k := r.Get("kind"); k == trace.MsgMSG4 || k == trace.MsgKeys {
						reached[trace.InstanceParty(r.Get("instance"))] = true
					}
				}
			}
			if len(created) != 5 {
				t.Fatalf("%s seed %d: %d instances, want 5", mode, seed, len(created))
			}
			for p := range created {
				if !reached[p] {
					t.Errorf("%s seed %d: no admin or key API call reached %s", mode, seed, p)
				}
			}
			for _, v := range res.Verdicts {
				if v.ID == "P21" && (v.Status != check.Pass || v.Metrics["non_primary"] == 0 || v.Metrics["late_instance"] == 0) {
					t.Errorf("%s seed %d: P21 %s, metrics %v: want a pass judged on non-primaries and late instances", mode, seed, v.Status, v.Metrics)
				}
			}
		}
	}
}

// ByClass counts a report's results per class, and by the class's own property.
func TestByClass(t *testing.T) {
	rep := &Report{Mutants: []Result{
		{Name: "platform-claim-app-service", Class: "authorization", Detected: true, Property: "P8"},
		{Name: "forbidden-as-unauthorized", Class: "authorization", Detected: true, Property: "P19"},
		{Name: "sync-needs-platform-claim", Class: "authorization"},
		{Name: "no-lock", Detected: true, Property: "P3"},
	}}
	got := rep.ByClass()
	if len(got) != 1 || got[0] != (ClassTally{Class: "authorization", Property: "P19", Planted: 3, Detected: 2, ByProperty: 1}) {
		t.Fatalf("ByClass %+v", got)
	}
	if classOf("no-lock") != "" || classOf("retry-backoff-shrinks") != "timing under a stream" {
		t.Fatalf("classOf: %q, %q", classOf("no-lock"), classOf("retry-backoff-shrinks"))
	}
}
