package bench

import (
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/scenarios"
)

func load(tb testing.TB, rel string) *scenarios.Scenario {
	_, file, _, _ := runtime.Caller(0)
	sc, err := scenarios.Load(filepath.Join(filepath.Dir(file), "..", "..", rel))
	if err != nil {
		tb.Fatal(err)
	}
	return sc
}

// The measurement is sound: every figure is positive and the work read off the trace is not empty.
// (Speed itself is measured by the benchmarks and `simrun bench`, never asserted here.)
func TestMeasureReportsEveryFigure(t *testing.T) {
	r, err := Measure(load(t, "scenarios/smoke.yaml"), host.ModePlatform, 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if r.Runs == 0 || r.EventsPerSec <= 0 || r.SimToReal <= 0 || r.KernelRatio <= 0 || r.RatioToBaseline <= 0 ||
		r.Work.SHA256 == 0 || r.Work.HMAC == 0 || r.AllocsPerEvent <= 0 {
		t.Fatalf("%+v", r)
	}
}

func benchRun(b *testing.B, rel string, mode host.Mode) {
	sc := load(b, rel)
	b.ReportAllocs()
	events := 0
	for i := 0; i < b.N; i++ {
		res, err := run(sc, mode, uint64(i+1))
		if err != nil {
			b.Fatal(err)
		}
		events += res.Outcome.Events
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkRunSmokePlatform(b *testing.B) { benchRun(b, "scenarios/smoke.yaml", host.ModePlatform) }
func BenchmarkRunSmokeFrontend(b *testing.B) { benchRun(b, "scenarios/smoke.yaml", host.ModeFrontend) }
func BenchmarkRunFleetPlatform(b *testing.B) { benchRun(b, "scenarios/fleet.yaml", host.ModePlatform) }

func BenchmarkKernel(b *testing.B) {
	for i := 0; i < b.N; i++ {
		KernelRate(700, 0)
	}
}

func BenchmarkHeapBaseline(b *testing.B) {
	for i := 0; i < b.N; i++ {
		heapRun(700)
	}
}
