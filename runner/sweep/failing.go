package sweep

import (
	"fmt"
	"strconv"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/runner"
	"github.com/syncsim/syncsim/runner/tracefile"
	"github.com/syncsim/syncsim/scenarios"
)

// FailingTraces re-runs the smallest failing seed of every failing cell of a sweep (runs are
// deterministic, so it is the same run) and returns its trace files, one per (scenario, mode,
// seed), in matrix order: what the HTML report draws. scs are the swept scenarios. The CLI may
// shrink them (replay.Shrink) before passing them to the report.
func FailingTraces(rep *Report, scs []*scenarios.Scenario) ([]*tracefile.File, error) {
	byPath := map[string]*scenarios.Scenario{}
	for _, sc := range scs {
		byPath[sc.Path] = sc
	}
	var out []*tracefile.File
	done := map[string]bool{}
	for _, c := range rep.Matrix {
		if !c.Failing() {
			continue
		}
		seed := *c.SmallestFailingSeed
		key := c.Scenario + "\x00" + c.Mode + "\x00" + strconv.FormatUint(seed, 10)
		sc := byPath[c.Scenario]
		if done[key] || sc == nil {
			continue
		}
		done[key] = true
		mode, err := host.ParseMode(c.Mode)
		if err != nil {
			return nil, err
		}
		res, err := runner.RunOne(sc, mode, seed, runner.Options{Raw: rep.Raw, Strategy: rep.Strategy, Faults: rep.Faults})
		if err != nil {
			return nil, fmt.Errorf("sweep: %s mode=%s seed=%d: %w", c.Scenario, c.Mode, seed, err)
		}
		out = append(out, runner.TraceFile(res))
	}
	return out, nil
}
