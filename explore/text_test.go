package explore

import (
	"strings"
	"testing"

	"github.com/syncsim/syncsim/host"
)

// WriteText says the bounds, the statistics and why the exploration stopped, the verdicts, and
// each failing property's shortest schedule.
func TestWriteText(t *testing.T) {
	sc := load(t, "../scenarios/concurrency.yaml")
	for _, tc := range []struct {
		cfg  Config
		want []string
	}{
		{Config{Scenario: sc, Mode: host.ModeSignalAll, Seed: 1, MaxDepth: 1, MaxFaults: 0},
			[]string{"mode signal-all  seed 1  (max-depth 1", "explored ", "; bounds exhausted\n", "P3 fails: shortest schedule, 0 non-default choice(s), found after 1 schedules"}},
		{Config{Scenario: sc, Mode: host.ModeFrontend, Seed: 1, MaxDepth: 2, MaxStates: 2},
			[]string{"stopped by --max-states 2: verdicts hold up to these counts\n"}},
	} {
		rep, err := Explore(tc.cfg)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		rep.WriteText(&b)
		for _, w := range tc.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("%s: lacks %q:\n%s", tc.cfg.Mode, w, b.String())
			}
		}
	}
}
