package world_test

import (
	"path/filepath"
	"runtime"
	"testing"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/sim/world"
)

func loadScenario(tb testing.TB, rel string) *scenarios.Scenario {
	_, file, _, _ := runtime.Caller(0)
	sc, err := scenarios.Load(filepath.Join(filepath.Dir(file), "..", "..", rel))
	if err != nil {
		tb.Fatal(err)
	}
	return sc
}

// BenchmarkSmokeRun is the simulation alone (world.Run, platform mode, seeds 1..64), without the
// checkers; the judged run, as a sweep makes it, is cmd/simrun/bench's BenchmarkScale/smoke:
//
//	go test -run '^$' -bench SmokeRun -benchmem ./sim/world/
func BenchmarkSmokeRun(b *testing.B) {
	sc := loadScenario(b, "scenarios/smoke.yaml")
	var before, after runtime.MemStats
	events := 0
	b.ReportAllocs()
	runtime.ReadMemStats(&before)
	for i := 0; b.Loop(); i++ {
		res, err := world.Run(sc, host.ModePlatform, uint64(i%64+1), world.Options{})
		if err != nil {
			b.Fatal(err)
		}
		events += res.Outcome.Events
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(events), "allocs/event")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(events), "B/event")
}
