package world

import (
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/plant"
	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/trace"
)

func repoPath(t testing.TB, rel string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", rel)
}

func load(t testing.TB, rel string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.Load(repoPath(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func run(t testing.TB, sc *scenarios.Scenario, mode host.Mode, seed uint64, opts Options) *Result {
	t.Helper()
	res, err := Run(sc, mode, seed, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func verdict(t testing.TB, res *Result, p check.Property) check.Verdict {
	t.Helper()
	return p.Check(check.Input{Trace: res.Trace, Complete: res.Outcome.Reason.Complete()})
}

// withRandomFaults switches the network's random faults on (drop, duplicate, reorder on every link).
func withRandomFaults(sc *scenarios.Scenario) *scenarios.Scenario {
	c := *sc
	c.Faults.Random = scenarios.RandomFaults{Drop: 0.01, Duplicate: 0.02, Reorder: 0.05}
	return &c
}

// Determinism (DESIGN.md principle 3): the same seed twice gives the same trace hash; with random
// faults on, different seeds give different event sequences (headers excluded).
func TestDeterminismOverSeeds(t *testing.T) {
	cases := []struct {
		scenario string
		seeds    int
	}{
		{"scenarios/smoke.yaml", 1000},
		{"scenarios/incidents/worker-deleted-before-fetch.yaml", 50},
	}
	if testing.Short() {
		cases[0].seeds = 100
	}
	for _, c := range cases {
		sc := withRandomFaults(load(t, c.scenario))
		for _, mode := range sc.Modes {
			t.Run(filepath.Base(c.scenario)+"/"+mode.String(), func(t *testing.T) {
				seen := map[string]uint64{}
				for seed := uint64(1); seed <= uint64(c.seeds); seed++ {
					a := run(t, sc, mode, seed, Options{})
					b := run(t, sc, mode, seed, Options{})
					if a.Trace.Hash() != b.Trace.Hash() {
						t.Fatalf("seed %d: two runs gave trace hashes %s and %s", seed, a.Trace.Hash(), b.Trace.Hash())
					}
					rh := a.Trace.RecordsHash()
					if prev, dup := seen[rh]; dup {
						t.Fatalf("seeds %d and %d gave the same event sequence", prev, seed)
					}
					seen[rh] = seed
				}
			})
		}
	}
}

// The faults a run fires are labelled injected in the trace.
func TestInjectedFaultsAreLabelled(t *testing.T) {
	res := run(t, withRandomFaults(load(t, "scenarios/incidents/worker-deleted-before-fetch.yaml")), host.ModePlatform, 3, Options{})
	fired := 0
	for _, r := range res.Trace.Records {
		if r.Kind == "fault.fire" || r.Kind == "net.drop" || r.Kind == "net.duplicate" {
			fired++
			if r.Get("injected") != "true" {
				t.Fatalf("unlabelled fault %s", r)
			}
		}
		if r.Kind == "instance.delete" && strings.HasPrefix(r.Get("reason"), "fault") && r.Get("injected") != "true" {
			t.Fatalf("unlabelled deletion %s", r)
		}
	}
	if fired == 0 {
		t.Fatal("no fault fired")
	}
}

// Every property passes on smoke in every mode; those smoke exercises examine something (the others,
// P5-P7 and P9, need faults or other scenarios: see runner's property tests).
func TestSmokePassesEveryProperty(t *testing.T) {
	sc := load(t, "scenarios/smoke.yaml")
	examined := map[string]bool{"P1": true, "P2": true, "P3": true, "P4": true, "P8": true, "P10": true, "P11": true, "P13": true}
	for _, mode := range host.Modes() {
		res := run(t, sc, mode, 1, Options{})
		for _, p := range check.TraceCheckers() {
			v := p.Check(check.Input{Trace: res.Trace, Complete: true, Secrets: res.Secrets})
			vacuousOK := !examined[p.ID] || p.ID == "P4" && mode == host.ModeSignalAll
			if v.Status != check.Pass || v.Checked == 0 && !vacuousOK {
				t.Errorf("%s %s: %s checked=%d %v", mode, p.ID, v.Status, v.Checked, v.Evidence)
			}
		}
	}
}

// PR #11690's edge case: platform mode breaks P1 and P4; frontend mode keeps them.
func TestWorkerDeletedBeforeFetch(t *testing.T) {
	sc := load(t, "scenarios/incidents/worker-deleted-before-fetch.yaml")
	for seed := uint64(1); seed <= 5; seed++ {
		plat := run(t, sc, host.ModePlatform, seed, Options{})
		for _, p := range []check.Property{check.PropP1, check.PropP4} {
			if v := verdict(t, plat, p); v.Status != check.Fail || len(v.Evidence) == 0 {
				t.Errorf("platform seed %d %s: %s, want fail with evidence", seed, p.ID, v.Status)
			}
		}
		if v := verdict(t, plat, check.PropP4); !strings.Contains(v.Evidence[0].Text, "mesh.abandon") {
			t.Errorf("P4 evidence should name the abandoned fetch: %v", v.Evidence)
		}
		fe := run(t, sc, host.ModeFrontend, seed, Options{})
		for _, p := range []check.Property{check.PropP1, check.PropP4} {
			if v := verdict(t, fe, p); v.Status != check.Pass || v.Checked == 0 {
				t.Errorf("frontend seed %d %s: %s checked=%d", seed, p.ID, v.Status, v.Checked)
			}
		}
	}
}

// P3 holds with SYNC-2's lock and fails with the planted NoLock bug.
func TestOverlappingSyncsNeedTheLock(t *testing.T) {
	sc := load(t, "sim/world/testdata/overlap.yaml")
	for _, mode := range sc.Modes {
		ok := verdict(t, run(t, sc, mode, 1, Options{}), check.PropP3)
		if ok.Status != check.Pass || ok.Checked < 4 {
			t.Errorf("%s with the lock: %s checked=%d %v", mode, ok.Status, ok.Checked, ok.Evidence)
		}
		bad := verdict(t, run(t, sc, mode, 1, Options{Plant: plant.Of(plant.NoLock)}), check.PropP3)
		if bad.Status != check.Fail || !strings.Contains(bad.Evidence[0].Text, "had not ended") {
			t.Errorf("%s without the lock: %s %v", mode, bad.Status, bad.Evidence)
		}
	}
}

// P12 passes when runs are deterministic and fails, naming the first differing record, when the
// planted GlobalRequestIDs bug leaks state from one run into the next.
func TestP12CatchesLeakedState(t *testing.T) {
	sc := load(t, "scenarios/smoke.yaml")
	a, b := run(t, sc, host.ModeFrontend, 1, Options{}), run(t, sc, host.ModeFrontend, 1, Options{})
	if v := check.Determinism(a.Trace, b.Trace); v.Status != check.Pass || v.Checked == 0 {
		t.Fatalf("clean: %+v", v)
	}
	bugs := Options{Plant: plant.Of(plant.GlobalRequestIDs)}
	a, b = run(t, sc, host.ModeFrontend, 1, bugs), run(t, sc, host.ModeFrontend, 1, bugs)
	v := check.Determinism(a.Trace, b.Trace)
	if v.Status != check.Fail || !strings.Contains(strings.Join(v.EvidenceText(), "\n"), "RequestId=") {
		t.Fatalf("leaky: %+v", v)
	}
}

// A run cut short by its budget is inconclusive for liveness, and ends.
func TestBudgetMakesRunInconclusive(t *testing.T) {
	res := run(t, load(t, "sim/world/testdata/budget.yaml"), host.ModeFrontend, 1, Options{})
	if res.Outcome.Reason.Complete() || res.Outcome.Events != 200 {
		t.Fatalf("outcome %+v", res.Outcome)
	}
	if v := verdict(t, res, check.PropP1); v.Status != check.Inconclusive {
		t.Fatalf("P1 %s", v.Status)
	}
}

// PAY-4: no secret value, key or token appears in any trace record.
func TestTracesCarryNoSecrets(t *testing.T) {
	for _, path := range []string{"scenarios/smoke.yaml", "scenarios/incidents/worker-deleted-before-fetch.yaml", "sim/world/testdata/overlap.yaml"} {
		sc := load(t, path)
		for _, mode := range sc.Modes {
			res := run(t, withRandomFaults(sc), mode, 7, Options{})
			if len(res.Secrets) < 2 {
				t.Fatalf("secrets list %v", res.Secrets)
			}
			for _, r := range res.Trace.Records {
				line := r.String()
				for _, s := range res.Secrets {
					if strings.Contains(line, s) {
						t.Fatalf("%s %s: secret in %s", path, mode, line)
					}
				}
				if strings.Contains(line, "eyJ") {
					t.Fatalf("%s %s: token in %s", path, mode, line)
				}
			}
		}
	}
}

// Instances get new names on restart, and deletion loses in-flight work while sent messages stay.
func TestInstanceDeletionAndNewNames(t *testing.T) {
	res := run(t, load(t, "scenarios/incidents/worker-deleted-before-fetch.yaml"), host.ModePlatform, 1, Options{})
	var created, deleted []string
	for _, r := range res.Trace.Records {
		switch r.Kind {
		case "instance.create":
			created = append(created, r.Party)
		case "instance.delete":
			deleted = append(deleted, r.Party)
		}
	}
	if len(created) != 2 || created[0] == created[1] || len(deleted) != 1 || deleted[0] != created[0] {
		t.Fatalf("created %v deleted %v", created, deleted)
	}
	after := false
	for _, r := range res.Trace.Records {
		if r.Kind == "instance.delete" {
			after = true
		}
		if after && r.Party == deleted[0] && r.Kind != "instance.delete" && r.Kind != "net.lost" {
			t.Fatalf("deleted instance acted: %s", r)
		}
	}
}

// Every strategy is deterministic per seed and explores: different seeds give different schedules.
func TestStrategiesAreSeededAndExplore(t *testing.T) {
	sc := load(t, "scenarios/smoke.yaml")
	for _, name := range []string{"uniform", "random", "pct", "swarm"} {
		hashes := map[string]bool{}
		for seed := uint64(1); seed <= 10; seed++ {
			a := run(t, sc, host.ModePlatform, seed, Options{Strategy: name})
			b := run(t, sc, host.ModePlatform, seed, Options{Strategy: name})
			if a.Trace.Hash() != b.Trace.Hash() {
				t.Fatalf("%s seed %d: not deterministic", name, seed)
			}
			if a.Trace.Records[0].Get("strategy") != name {
				t.Fatalf("%s: run.start says %q", name, a.Trace.Records[0].Get("strategy"))
			}
			hashes[a.Trace.RecordsHash()] = true
		}
		if len(hashes) != 10 {
			t.Fatalf("%s: 10 seeds gave %d schedules", name, len(hashes))
		}
	}
	if _, err := Run(sc, host.ModePlatform, 1, Options{Strategy: "sideways"}); err == nil {
		t.Fatal("an unknown strategy was accepted")
	}
}

// Swarm testing: the seed decides which of the profile's faults are armed and how often they fire.
func TestSwarmPicksFaultsPerSeed(t *testing.T) {
	sc := load(t, "scenarios/fleet.yaml")
	armed := func(seed uint64, strategy string) string {
		res := run(t, sc, host.ModePlatform, seed, Options{Strategy: strategy})
		var out []string
		for _, r := range res.Trace.Records {
			if r.Kind == "fault.armed" {
				out = append(out, r.Get("fault"))
			}
		}
		return strings.Join(out, " ")
	}
	full := armed(1, "random")
	if strings.Count(full, ":") != len(sc.Faults.Profile) {
		t.Fatalf("random arms the whole profile: %s", full)
	}
	sets := map[string]bool{}
	for seed := uint64(1); seed <= 8; seed++ {
		a := armed(seed, "swarm")
		if a == full || a != armed(seed, "swarm") {
			t.Fatalf("seed %d: swarm armed %q", seed, a)
		}
		sets[a] = true
	}
	if len(sets) < 6 {
		t.Fatalf("8 seeds gave only %d fault sets", len(sets))
	}
}

// A run's schedule, read off its trace, replays it exactly: the same trace, nothing unfollowed.
func TestScheduleReplaysExactly(t *testing.T) {
	sc := load(t, "scenarios/fleet.yaml")
	for _, strategy := range []string{"", "pct"} {
		for seed := uint64(1); seed <= 8; seed++ {
			first := run(t, sc, host.ModePlatform, seed, Options{Strategy: strategy})
			sched := first.Schedule
			if len(sched.Firings) == 0 || len(sched.Timeline) != len(sc.Timeline) {
				t.Fatalf("seed %d: schedule %+v", seed, sched)
			}
			again := run(t, sc, host.ModePlatform, seed, Options{Strategy: strategy, Script: &sched})
			if again.Trace.Hash() != first.Trace.Hash() || len(again.Unfollowed) != 0 {
				t.Fatalf("%s seed %d: replay differs at record %d; unfollowed %v", strategy, seed,
					trace.FirstDifference(first.Trace.Records, again.Trace.Records), again.Unfollowed)
			}
		}
	}
}

// Leaving parts of a schedule out gives a run without them; asking for what never comes up is said.
func TestScheduleSubsetsAndUnfollowed(t *testing.T) {
	sc := load(t, "scenarios/fleet.yaml")
	full := run(t, sc, host.ModePlatform, 2, Options{})
	quiet := run(t, sc, host.ModePlatform, 2, Options{Script: &trace.Schedule{Timeline: []int{0}, Firings: []string{}, Choices: []string{}}})
	if s := quiet.Schedule; len(s.Timeline) != 1 || len(s.Firings) != 0 {
		t.Fatalf("subset schedule %+v", s)
	}
	for _, r := range quiet.Trace.Records {
		if r.Kind == "fault.fire" {
			t.Fatalf("a fault fired that the script left out: %s", r)
		}
	}
	bogus := run(t, sc, host.ModePlatform, 2, Options{Script: &trace.Schedule{Firings: []string{"drop@link/none#9"}}})
	if len(bogus.Unfollowed) != 1 || full.Trace.Hash() == bogus.Trace.Hash() {
		t.Fatalf("unfollowed %v", bogus.Unfollowed)
	}
}
