package validate

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/live"
	"github.com/syncsim/syncsim/live/azurite"
	"github.com/syncsim/syncsim/scenarios"
)

// TestLiveLogsValidate: the host log of a live run (real HTTP, the hash blob in Azurite) is a
// behaviour the model allows, in every mode of record, as the simulator's logs are. The test skips
// only when Azurite cannot be found, never under CI=true.
func TestLiveLogsValidate(t *testing.T) {
	inst, err := azurite.Start(context.Background(), azurite.Options{Provider: "npm"})
	if err != nil {
		if os.Getenv("CI") != "true" && errors.Is(err, azurite.ErrBinaryMissing) {
			t.Skipf("Azurite is not installed: %v", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.Stop() })
	sc, err := scenarios.Load("../../scenarios/smoke.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range host.ModesOfRecord() {
		res, err := live.Run(context.Background(), sc, m, 1, live.Options{ConnectionString: inst.ConnectionString})
		if err != nil {
			t.Fatal(err)
		}
		log := HostLog(res.Trace.Records)
		v, err := Validate(Options{Mode: m.String()}, Source{Name: "live.log", R: bytes.NewReader(log)})
		if err != nil {
			t.Fatal(err)
		}
		if !v.OK() {
			t.Errorf("live %s: %s: %v\n%s", m, v.Verdict, v.Failure, log)
		} else if v.Explained < 10 || v.SyncSteps < 5 {
			t.Errorf("live %s: %s", m, v.Summary())
		}
	}
}
