package explore

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/explore/replay"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/runner"
	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/scenarios/faults"
	"github.com/syncsim/syncsim/sim"
	"github.com/syncsim/syncsim/sim/world"
	"github.com/syncsim/syncsim/trace"
)

func load(t *testing.T, path string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func status(rep *Report, id string) check.Status {
	for _, v := range rep.Result.Verdicts {
		if v.ID == id {
			return v.Status
		}
	}
	return ""
}

func finding(rep *Report, id string) *Finding {
	for i := range rep.Findings {
		if rep.Findings[i].Property == id {
			return &rep.Findings[i]
		}
	}
	return nil
}

// PR #11690's edge case: platform mode fails P1 and P4 with a one-firing schedule (the deletion after
// the hash write); frontend mode holds both within the same bounds.
func TestWorkerDeletedBeforeFetch(t *testing.T) {
	sc := load(t, "../scenarios/incidents/worker-deleted-before-fetch.yaml")
	tests := []struct {
		mode  host.Mode
		fails []string
	}{
		{host.ModePlatform, []string{"P1", "P4"}},
		{host.ModeFrontend, nil},
	}
	for _, tc := range tests {
		t.Run(tc.mode.String(), func(t *testing.T) {
			rep, err := Explore(Config{Scenario: sc, Mode: tc.mode, Seed: 1, MaxDepth: 1, MaxFaults: 1})
			if err != nil {
				t.Fatal(err)
			}
			if !rep.Exhausted() {
				t.Fatalf("stopped by %s", rep.Stats.Stopped)
			}
			for _, id := range []string{"P1", "P4"} {
				f := finding(rep, id)
				want := len(tc.fails) > 0
				if (f != nil) != want {
					t.Fatalf("%s counterexample found = %v, want %v", id, f != nil, want)
				}
				if f == nil {
					if status(rep, id) != check.Pass {
						t.Errorf("%s: %s, want pass", id, status(rep, id))
					}
					continue
				}
				if f.Choices != 1 || len(f.Schedule.Firings) != 1 || f.Schedule.Firings[0] != "delete-instance@after-hash-write/i0#1" {
					t.Errorf("%s: shortest schedule %+v (%d choices), want the one deletion after the hash write", id, f.Schedule, f.Choices)
				}
				if status(rep, id) != check.XFail {
					t.Errorf("%s: %s, want xfail (the scenario expects it)", id, status(rep, id))
				}
			}
			if code := runner.ExitCode([]*runner.Result{rep.Result}, false); code != runner.ExitOK {
				t.Errorf("exit %d, want 0", code)
			}
		})
	}
}

// concurrency.yaml: signal-all fails P3 (no lock) even on the default schedule; the locked modes hold
// P3 over every reordering within the bounds.
func TestConcurrencySyncExclusion(t *testing.T) {
	sc := load(t, "../scenarios/concurrency.yaml")
	tests := []struct {
		mode host.Mode
		want check.Status
	}{
		{host.ModeSignalAll, check.XFail},
		{host.ModeFrontend, check.Pass},
		{host.ModePlatform, check.Pass},
	}
	for _, tc := range tests {
		t.Run(tc.mode.String(), func(t *testing.T) {
			rep, err := Explore(Config{Scenario: sc, Mode: tc.mode, Seed: 1, MaxDepth: 2, MaxFaults: 0})
			if err != nil {
				t.Fatal(err)
			}
			if got := status(rep, "P3"); got != tc.want {
				t.Fatalf("P3 %s, want %s", got, tc.want)
			}
			if f := finding(rep, "P3"); tc.want == check.XFail && (f == nil || f.Choices != 0) {
				t.Fatalf("P3's shortest counterexample: %+v, want the default schedule", f)
			}
			if rep.Stats.Schedules < 2 {
				t.Errorf("%d schedules: no reordering explored", rep.Stats.Schedules)
			}
		})
	}
}

// A counterexample written as a trace file replays to the same verdict and the same trace.
func TestCounterexampleReplays(t *testing.T) {
	sc := load(t, "../scenarios/incidents/worker-deleted-before-fetch.yaml")
	rep, err := Explore(Config{Scenario: sc, Mode: host.ModePlatform, Seed: 1, MaxDepth: 1, MaxFaults: 1, Faults: []string{"delete-instance"}})
	if err != nil {
		t.Fatal(err)
	}
	f := finding(rep, "P1")
	if f == nil {
		t.Fatal("no P1 counterexample")
	}
	out, err := replay.Replay(runner.TraceFile(f.Result))
	if err != nil {
		t.Fatal(err)
	}
	if !out.SameHash {
		t.Errorf("replay differs at record %d", out.FirstDifference)
	}
	for _, v := range out.Result.Verdicts {
		if v.ID == "P1" && v.Status != check.Fail {
			t.Errorf("replayed P1: %s, want fail", v.Status)
		}
	}
}

// The digest prunes revisited states: some choice points reach a state seen before, and their
// subtrees are not explored again.
func TestRevisitedStatesNotReexplored(t *testing.T) {
	sc := load(t, "../scenarios/concurrency.yaml")
	rep, err := Explore(Config{Scenario: sc, Mode: host.ModeFrontend, Seed: 1, MaxDepth: 2, MaxFaults: 0})
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Stats
	if s.Revisits == 0 || s.Distinct >= s.States {
		t.Fatalf("stats %+v: want revisits pruned and fewer distinct states than states hashed", s)
	}
}

// Symmetry: two states that differ only by which instance has which state (names inside the
// states included) hash alike; a different state does not.
func TestSymmetryOverInstanceNames(t *testing.T) {
	type inst struct {
		Name  string
		Phase string
		Lease string
	}
	a := map[string]inst{"pod-1": {"pod-1", "syncing", "lease-pod-1"}, "pod-2": {"pod-2", "idle", ""}}
	b := map[string]inst{"pod-1": {"pod-1", "idle", ""}, "pod-2": {"pod-2", "syncing", "lease-pod-2"}}
	c := map[string]inst{"pod-1": {"pod-1", "idle", ""}, "pod-2": {"pod-2", "idle", ""}}
	names := []string{"pod-1", "pod-2"}
	if CanonicalDigest(a, names) != CanonicalDigest(b, names) {
		t.Error("renamed states hash differently")
	}
	if CanonicalDigest(a, names) == CanonicalDigest(c, names) {
		t.Error("different states hash alike")
	}
}

func TestBadBounds(t *testing.T) {
	sc := load(t, "../scenarios/concurrency.yaml")
	tests := []struct {
		name string
		cfg  Config
		want error
	}{
		{"depth", Config{MaxDepth: MaxDepthLimit + 1}, ErrBound},
		{"faults over depth", Config{MaxDepth: 1, MaxFaults: 2}, ErrBound},
		{"states", Config{MaxDepth: 1, MaxStates: -1}, ErrBound},
		{"fault", Config{MaxDepth: 1, Faults: []string{"no-such-fault"}}, ErrFault},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Scenario, tc.cfg.Mode = sc, host.ModeFrontend
			if _, err := Explore(tc.cfg); !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
		})
	}
}

// A --max-states limit stops the exploration: verdicts are inconclusive ("holds up to").
func TestMaxStatesInconclusive(t *testing.T) {
	sc := load(t, "../scenarios/concurrency.yaml")
	rep, err := Explore(Config{Scenario: sc, Mode: host.ModeFrontend, Seed: 1, MaxDepth: 2, MaxStates: 2})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Exhausted() || status(rep, "P3") != check.Inconclusive {
		t.Fatalf("stopped %q, P3 %s: want stopped and inconclusive", rep.Stats.Stopped, status(rep, "P3"))
	}
	if code := runner.ExitCode([]*runner.Result{rep.Result}, false); code != runner.ExitInconclusive {
		t.Errorf("exit %d, want %d", code, runner.ExitInconclusive)
	}
}

// The visited check compares the whole budget left, depth and faults: a state first reached with
// less budget left and later with more is explored again; one reached again with no more budget
// left on either count is a revisit.
func TestVisitedComparesFullBudget(t *testing.T) {
	a, b := Digest{1}, Digest{2}
	tests := []struct {
		name    string
		before  []used
		at      Digest
		now     used
		covered bool
	}{
		{"new state", []used{{1, 1}}, b, used{0, 0}, false},
		{"same budget", []used{{1, 1}}, a, used{1, 1}, true},
		{"less left on both", []used{{1, 0}}, a, used{2, 1}, true},
		{"more faults left, same depth", []used{{1, 1}}, a, used{1, 0}, false},
		{"more faults left, less depth left", []used{{1, 1}}, a, used{2, 0}, false},
		{"more depth left", []used{{2, 0}}, a, used{1, 0}, false},
		{"covered by the second of two visits", []used{{1, 1}, {2, 0}}, a, used{2, 0}, true},
		{"neither of two visits covers it", []used{{0, 1}, {2, 0}}, a, used{1, 0}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := visited{}
			for _, u := range tc.before {
				if !v.covered(a, u) {
					v.add(a, u)
				}
			}
			if got := v.covered(tc.at, tc.now); got != tc.covered {
				t.Fatalf("covered = %v, want %v (visits %v)", got, tc.covered, v[a])
			}
			if tc.covered {
				return
			}
			v.add(tc.at, tc.now)
			if !v.covered(tc.at, tc.now) {
				t.Errorf("after add, %v is not covered", tc.now)
			}
			if n := len(v[a]); n > len(tc.before)+1 {
				t.Errorf("%d visits kept, want at most %d", n, len(tc.before)+1)
			}
		})
	}
}

// An explorer that reached a state with a fault firing spent and reaches it again without one
// explores the later visit: its decisions yield children, a fault firing among them.
func TestRevisitWithMoreBudgetExplored(t *testing.T) {
	sc, seed, before := revisitRun(t)
	x, err := newExplorer(Config{Scenario: sc, Mode: host.ModePlatform, Seed: seed, MaxDepth: 2, MaxFaults: 1})
	if err != nil {
		t.Fatal(err)
	}
	first, err := x.execute(schedule{}, true, true)
	if err != nil || len(first.fresh) == 0 {
		t.Fatalf("default run: %v, %d states", err, len(first.fresh))
	}
	// Pretend every state of the default run was first reached with the fault budget spent.
	x.seen = visited{}
	for _, d := range first.fresh {
		x.seen.add(d, used{depth: 1, faults: 1})
	}
	again, err := x.execute(schedule{}, true, true)
	if err != nil {
		t.Fatal(err)
	}
	if again.halt || !slices.Equal(again.fresh, first.fresh) {
		t.Fatalf("revisit with more budget: halted %v, %d states explored, want the same %d", again.halt, len(again.fresh), len(first.fresh))
	}
	faultsOffered := 0
	for _, c := range x.children(schedule{}, again.points) {
		faultsOffered += c.faults
	}
	if faultsOffered == 0 {
		t.Error("no fault firing offered at the later visit")
	}
	// With as much budget spent as the first visit, the same states are revisits: the run halts at
	// its first state at rest. The decisions before that state (fault opportunities and delays in
	// the middle of events) have no state to compare and are recorded; none after it is.
	x.seen = visited{}
	for _, d := range first.fresh {
		x.seen.add(d, used{})
	}
	x.completion[first.fresh[0]] = nil
	third, err := x.execute(schedule{}, true, true)
	if err != nil {
		t.Fatal(err)
	}
	if !third.halt || *third.halted != first.fresh[0] || third.res.Outcome.Reason != sim.ReasonHalted || len(third.points) != before {
		t.Errorf("revisit with no more budget: halted %v (%s), %d decisions recorded, want halted at the first state, after its %d decisions", third.halt, third.res.Outcome.Reason, len(third.points), before)
	}
}

// revisitRun is the run TestRevisitWithMoreBudgetExplored revisits (platform mode) and the number of
// decisions before its first state at rest: the first of the candidates below whose default run
// has fault opportunities or delays after that state as well, so that a revisit that went on
// recording would show. Where they fall depends on the timing of the whole model (in the incident,
// the primary lease's 12 s renewals leave no choice point until the second instance starts, after
// every fault opportunity).
func revisitRun(t *testing.T) (*scenarios.Scenario, uint64, int) {
	t.Helper()
	var tried []string
	for _, path := range []string{"../scenarios/incidents/worker-deleted-before-fetch.yaml", "../scenarios/concurrency.yaml", "../scenarios/smoke.yaml"} {
		sc := load(t, path)
		for seed := uint64(1); seed <= 3; seed++ {
			x, err := newExplorer(Config{Scenario: sc, Mode: host.ModePlatform, Seed: seed, MaxDepth: 2, MaxFaults: 1})
			if err != nil {
				t.Fatal(err)
			}
			keys := decisionKeys(t, sc, host.ModePlatform, seed, x.extra)
			before := slices.IndexFunc(keys, atRest)
			if before >= 0 && slices.ContainsFunc(keys[before:], func(k string) bool { return !atRest(k) }) {
				return sc, seed, before
			}
			tried = append(tried, fmt.Sprintf("%s seed %d: first state at rest after %d of %d decisions", sc.Name, seed, before, len(keys)))
		}
	}
	t.Fatalf("no run with a decision in the middle of an event after its first state at rest (%s)", strings.Join(tried, "; "))
	return nil, 0, 0
}

// decisionKeys are the keys a run of the default schedule asks its Decide, in order.
func decisionKeys(t *testing.T, sc *scenarios.Scenario, mode host.Mode, seed uint64, extra []faults.Spec) []string {
	t.Helper()
	var keys []string
	res, err := world.Run(sc, mode, seed, world.Options{Strategy: StrategyName, Faults: extra,
		Decide: func(_ *world.World, key string) bool { keys = append(keys, key); return false }})
	if err != nil || res.Outcome.Events == 0 {
		t.Fatalf("default run of %s in %s, seed %d: %v", sc.Name, mode, seed, err)
	}
	return keys
}

// Halting a schedule at a revisited state and reusing its completion's verdicts gives the same
// verdicts as running every schedule to its end.
func TestHaltedSchedulesSameVerdicts(t *testing.T) {
	sc := load(t, "../scenarios/incidents/worker-deleted-before-fetch.yaml")
	var reps []*Report
	for _, full := range []bool{false, true} {
		rep, err := Explore(Config{Scenario: sc, Mode: host.ModePlatform, Seed: 1, MaxDepth: 1, MaxFaults: 1, FullRuns: full})
		if err != nil {
			t.Fatal(err)
		}
		reps = append(reps, rep)
	}
	if reps[0].Stats.Halted == 0 || reps[1].Stats.Halted != 0 {
		t.Fatalf("halted %d and %d: want some, then none", reps[0].Stats.Halted, reps[1].Stats.Halted)
	}
	for i, v := range reps[0].Result.Verdicts {
		w := reps[1].Result.Verdicts[i]
		if v.ID != w.ID || v.Status != w.Status {
			t.Errorf("%s %s halted, %s %s full", v.ID, v.Status, w.ID, w.Status)
		}
	}
	if reps[0].Stats.Schedules != reps[1].Stats.Schedules || reps[0].Stats.Distinct != reps[1].Stats.Distinct {
		t.Errorf("schedules %d/%d, distinct %d/%d: halting changed the search", reps[0].Stats.Schedules, reps[1].Stats.Schedules, reps[0].Stats.Distinct, reps[1].Stats.Distinct)
	}
}

// A schedule that fires a later candidate first and gives a message a bound delay is written with
// the versioned choice keys and replays to the same trace. The run is the first of the candidates
// below whose default schedule offers both: which runs have three events due together, or two
// messages racing to one receiver, depends on the timing of the whole model (the primary lease's
// 12 s renewals, for one, keep the incident's lone instance out of such races).
func TestVersionedChoiceKeysReplay(t *testing.T) {
	var (
		x           *explorer
		keys        []string
		pick, delay string
		tried       []string
	)
	for _, path := range []string{"../scenarios/incidents/worker-deleted-before-fetch.yaml", "../scenarios/concurrency.yaml", "../scenarios/smoke.yaml"} {
		sc := load(t, path)
		for seed := uint64(1); seed <= 3 && delay == ""; seed++ {
			var err error
			x, err = newExplorer(Config{Scenario: sc, Mode: host.ModePlatform, Seed: seed, MaxDepth: 2})
			if err != nil {
				t.Fatal(err)
			}
			keys = decisionKeys(t, sc, host.ModePlatform, seed, x.extra)
			pick, delay = versionedKeys(keys)
			tried = append(tried, fmt.Sprintf("%s seed %d: %d decisions", sc.Name, seed, len(keys)))
		}
		if delay != "" {
			break
		}
	}
	if pick == "" || delay == "" {
		t.Fatalf("no run with both a choice#n:j and a choice#n:hi key (%s)", strings.Join(tried, "; "))
	}
	// The keys in the order the run asked them, which is increasing n; no fault fires (the
	// explorer decides every opportunity, and none was taken).
	script := trace.Schedule{Firings: []string{}, Choices: []string{delay, pick}}
	if slices.Index(keys, pick) < slices.Index(keys, delay) {
		script.Choices = []string{pick, delay}
	}
	r, err := x.replay(script)
	if err != nil {
		t.Fatal(err)
	}
	// The earlier of the two changes the run; the later key may no longer come up after it.
	if got := r.Schedule.Choices; len(got) == 0 || got[0] != script.Choices[0] {
		t.Fatalf("schedule followed %v, want %v first", got, script.Choices[0])
	}
	out, err := replay.Replay(runner.TraceFile(r))
	if err != nil {
		t.Fatal(err)
	}
	if !out.SameHash {
		t.Errorf("replay of %v differs at record %d", r.Schedule.Choices, out.FirstDifference)
	}
}

// versionedKeys are the first key firing a third or later candidate first ("choice#n:j") and the
// first key giving a message its upper delay bound ("choice#n:hi") among keys; "" for none, and
// both "" unless both are there.
func versionedKeys(keys []string) (pick, delay string) {
	for _, k := range keys {
		switch {
		case pick == "" && strings.Contains(k, ":") && !strings.HasSuffix(k, ":lo") && !strings.HasSuffix(k, ":hi"):
			pick = k
		case delay == "" && strings.HasSuffix(k, ":hi"):
			delay = k
		}
	}
	if pick == "" || delay == "" {
		return "", ""
	}
	return pick, delay
}
