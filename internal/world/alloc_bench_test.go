package world_test

import (
	"path/filepath"
	"runtime"
	"testing"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/runner"
	"github.com/syncsim/syncsim/internal/sweep"
	"github.com/syncsim/syncsim/internal/world"
	"github.com/syncsim/syncsim/scenarios"
)

func loadScenario(tb testing.TB, rel string) *scenarios.Scenario {
	_, file, _, _ := runtime.Caller(0)
	sc, err := scenarios.Load(filepath.Join(filepath.Dir(file), "..", "..", rel))
	if err != nil {
		tb.Fatal(err)
	}
	return sc
}

// BenchmarkJudgedSmokeRun is one judged smoke run in platform mode, as the sweep makes it
// (runner.RunOne with sweep.RunOptions: every trace checker, P12 on the sweep's sample), seeds 1..N:
//
//	go test -run '^$' -bench JudgedSmokeRun -benchmem ./internal/world/
//
// allocs/event and B/event divide -benchmem's figures by the run's events.
func BenchmarkJudgedSmokeRun(b *testing.B) {
	sc := loadScenario(b, "scenarios/smoke.yaml")
	opts := sweep.RunOptions(sweep.Config{Seeds: sweep.Range{From: 1, To: 1 << 62}})
	var before, after runtime.MemStats
	events := 0
	b.ReportAllocs()
	runtime.ReadMemStats(&before)
	for i := 0; b.Loop(); i++ {
		res, err := runner.RunOne(sc, host.ModePlatform, uint64(i%64+1), opts)
		if err != nil {
			b.Fatal(err)
		}
		events += res.EventCount
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(events), "allocs/event")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(events), "B/event")
	b.ReportMetric(float64(events)/float64(b.N), "events/run")
}

// BenchmarkSmokeRun is the simulation alone (world.Run, platform mode), without the checkers.
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
