package live

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/live/azurite"
	"github.com/syncsim/syncsim/scenarios"
)

// startAzurite starts Azurite for one test; it skips only when the emulator cannot be found (never
// under CI=true) and stops it at the end.
func startAzurite(t *testing.T) *azurite.Instance {
	t.Helper()
	inst, err := azurite.Start(context.Background(), azurite.Options{Provider: "npm"})
	if err != nil {
		if os.Getenv("CI") != "true" && errors.Is(err, azurite.ErrBinaryMissing) {
			t.Skipf("Azurite is not installed: %v", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.Stop() })
	return inst
}

func loadScenario(t *testing.T, rel string) *scenarios.Scenario {
	_, file, _, _ := runtime.Caller(0)
	sc, err := scenarios.Load(filepath.Join(filepath.Dir(file), "..", rel))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func verdicts(t *testing.T, res *Result) map[string]check.Verdict {
	in := check.Input{Trace: res.Trace, Complete: res.Complete, Secrets: res.Secrets}
	out := map[string]check.Verdict{}
	for _, p := range check.TraceCheckers() {
		out[p.ID] = p.Check(in)
	}
	return out
}

// The live smoke scenario passes every property in both modes of record.
func TestLiveSmoke(t *testing.T) {
	inst := startAzurite(t)
	sc := loadScenario(t, "scenarios/smoke.yaml")
	for _, mode := range host.ModesOfRecord() {
		res, err := Run(context.Background(), sc, mode, 1, Options{ConnectionString: inst.ConnectionString})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d records in %v", mode, res.Events, res.Wall)
		if start := res.Trace.Records[0]; start.Kind != "run.start" || start.Get("seed") != "1" {
			t.Errorf("%s: the live run does not name its seed: %s", mode, start.String())
		}
		for id, v := range verdicts(t, res) {
			if v.Status != check.Pass {
				t.Errorf("%s %s: %s %v", mode, id, v.Status, v.Evidence)
			}
		}
		if v := verdicts(t, res)["P1"]; v.Checked == 0 {
			t.Errorf("%s: P1 examined nothing", mode)
		}
	}
}

// The live worker-deleted incident fails P1 and P4 in platform mode, as in the simulator, and keeps
// them in frontend mode. The new instance at 60 m finds the deleted one's lease expired after its
// scaled 15 s (the storage adapter breaks the service's 15 s real lease for it), as it would.
func TestLiveWorkerDeletedBeforeFetch(t *testing.T) {
	inst := startAzurite(t)
	sc := loadScenario(t, "scenarios/incidents/worker-deleted-before-fetch.yaml")
	want := map[host.Mode]check.Status{host.ModePlatform: check.Fail, host.ModeFrontend: check.Pass}
	for mode, status := range want {
		res, err := Run(context.Background(), sc, mode, 1, Options{ConnectionString: inst.ConnectionString, TimeScale: 0.006})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d records in %v", mode, res.Events, res.Wall)
		vs := verdicts(t, res)
		for _, id := range []string{"P1", "P4"} {
			if vs[id].Status != status {
				t.Errorf("%s %s: %s, want %s; %v", mode, id, vs[id].Status, status, vs[id].Evidence)
			}
		}
	}
}

// TestMain checks that no Azurite is left running after the package's tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if n := azurite.Live(); n != 0 {
		fmt.Fprintf(os.Stderr, "live: %d Azurite instance(s) left running\n", n)
		azurite.StopAll()
		code = 1
	}
	os.Exit(code)
}
