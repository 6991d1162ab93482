package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/syncsim/syncsim/live/azurite"
)

// liveSubset is a bounded part of scenarios/ (about 40 s of live runs at the default scale) that
// holds what has made live verdicts differ from the simulator's: a primary that goes and a new
// instance that must take the lease within its scaled 15 s (foreground-sync-skips-hash, whose
// signal-all and platform-ack runs heal only by the new primary's background sync); platform-ack's
// hash write on serving a fetch, against the answer reaching the store (the same, P4); a stream of
// notifications under failing fetches judged by P22's bounds against the live mesh's real timers
// (retry-stream, in platform mode: its lock-free signal-all runs overlap two syncs on one instance
// or not by a fraction of a real millisecond of storage latency, which the simulator's one-hop
// storage never does: FIDELITY.md, "Live runs"); the lock under bursts of calls in every mode
// (concurrency); a quiet mesh (notification-trickle). Each group runs with its flags.
var liveSubset = [][]string{
	{"scenarios/incidents/foreground-sync-skips-hash.yaml", "scenarios/concurrency.yaml", "scenarios/notification-trickle.yaml"},
	{"--mode", "platform", "scenarios/retry-stream.yaml"},
}

// `simrun run --live` gives the simulator's verdicts on the same scenarios, modes and seed: every
// property of every run has the same status (P12, judged only in the simulator, aside). A live run
// that examined nothing would be inconclusive, which differs from the simulator's pass.
func TestLiveVerdictsAreTheSimulators(t *testing.T) {
	inst, err := azurite.Start(context.Background(), azurite.Options{Provider: azurite.ProviderNPM})
	if err != nil {
		if os.Getenv("CI") != "true" && errors.Is(err, azurite.ErrBinaryMissing) {
			t.Skipf("Azurite is not installed: %v", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.Stop() })
	var sim, live []jsonRun
	var out string
	code := 0
	dir := t.TempDir()
	for i, group := range liveSubset {
		var args []string
		for _, a := range group {
			if strings.HasPrefix(a, "scenarios/") {
				a = filepath.Join(root, a)
			}
			args = append(args, a)
		}
		// A subset leaves some properties unexercised: the coverage gate is for a whole directory.
		simJSON, liveJSON := filepath.Join(dir, fmt.Sprintf("sim%d.json", i)), filepath.Join(dir, fmt.Sprintf("live%d.json", i))
		if c, o, errOut := simrun(t, append([]string{"run", "--coverage", "report", "--json", simJSON}, args...)...); c != 0 {
			t.Fatalf("simulator: exit %d\n%s\n%s", c, o, errOut)
		}
		c, o, errOut := simrun(t, append([]string{"run", "--coverage", "report", "--live", "--storage", inst.ConnectionString, "--json", liveJSON}, args...)...)
		s, l := readRuns(t, simJSON), readRuns(t, liveJSON)
		if len(l) != len(s) || len(s) == 0 {
			t.Fatalf("live made %d runs, the simulator %d (exit %d)\n%s\n%s", len(l), len(s), c, o, errOut)
		}
		sim, live, out, code = append(sim, s...), append(live, l...), out+o, max(code, c)
	}
	want := map[string]map[string]string{}
	for _, r := range sim {
		want[runKey(r)] = statuses(r)
	}
	differing := 0
	for _, r := range live {
		w, ok := want[runKey(r)]
		if !ok {
			t.Errorf("%s: a live run the simulator did not make", runKey(r))
			continue
		}
		got := statuses(r)
		var diffs []string
		for id, s := range w {
			if id != "P12" && got[id] != s {
				diffs = append(diffs, fmt.Sprintf("%s %s, live %s", id, s, got[id]))
			}
		}
		if len(diffs) > 0 {
			differing++
			t.Errorf("%s: live verdicts differ from the simulator's: %s", runKey(r), strings.Join(diffs, "; "))
		}
	}
	if differing > 0 {
		t.Logf("%d of %d runs differ; live output:\n%s", differing, len(live), out)
	}
	if code != 0 {
		t.Errorf("simrun run --live exits %d where the simulator exits 0", code)
	}
}

func runKey(r jsonRun) string { return fmt.Sprintf("%s mode=%s seed=%d", r.Scenario, r.Mode, r.Seed) }

func statuses(r jsonRun) map[string]string {
	out := map[string]string{}
	for _, v := range r.Verdicts {
		out[v.ID] = v.Status
	}
	return out
}
