package bench

import (
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/runner"
	"github.com/syncsim/syncsim/runner/sweep"
	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/sim"
	"github.com/syncsim/syncsim/sim/world"
	"github.com/syncsim/syncsim/trace"
)

func load(tb testing.TB, rel string) *scenarios.Scenario {
	_, file, _, _ := runtime.Caller(0)
	sc, err := scenarios.Load(filepath.Join(filepath.Dir(file), "..", "..", "..", rel))
	if err != nil {
		tb.Fatal(err)
	}
	return sc
}

func record(tb testing.TB, rel string, mode host.Mode, seed uint64) Work {
	w, err := Record(load(tb, rel), mode, seed)
	if err != nil {
		tb.Fatal(err)
	}
	return w
}

// The measurement is sound: every figure is positive and the work read off the trace is not empty.
// (Speed itself is measured by the benchmarks and `simrun bench`, never asserted here.)
func TestMeasureReportsEveryFigure(t *testing.T) {
	r, err := Measure(load(t, "scenarios/smoke.yaml"), host.ModePlatform, 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if r.Seeds < sliceSeeds || r.EventsPerSec <= 0 || r.SimToReal <= 0 || r.KernelRatio <= 0 || r.RatioToBaseline <= 0 ||
		r.RunCommandRunsPerSec <= 0 || r.FloorMicros <= 0 || r.Work.SHA256 == 0 || r.Work.HMAC == 0 || r.AllocsPerEvent <= 0 ||
		r.P12Share <= 0 || r.P12Share > 1 || r.Work.Unsized != 0 || r.NsPerEvent <= 0 || r.RecordsPerRun <= 0 ||
		r.CheckNsPerEvent <= 0 || r.CheckShare <= 0 || r.CheckShare >= 1 || r.MsPerSimHour <= 0 {
		t.Fatalf("%+v", r)
	}
}

// The recorded shape is the run's: as many pops that fire as the run has events, and replayed on a
// kernel it makes exactly the same queue operations; the value heap fires the same events.
func TestReplaysDoTheRunsQueueOperations(t *testing.T) {
	for _, c := range []struct {
		rel  string
		mode host.Mode
	}{{"scenarios/smoke.yaml", host.ModePlatform}, {"scenarios/fleet.yaml", host.ModeFrontend}} {
		sc := load(t, c.rel)
		w := record(t, c.rel, c.mode, 3)
		res, err := world.Run(sc, c.mode, 3, world.Options{})
		if err != nil {
			t.Fatal(err)
		}
		pushes, pops, stops := w.Shape.Count()
		if stops == 0 || pops > pushes {
			t.Fatalf("%s: %d pushes, %d pops, %d stops", c.rel, pushes, pops, stops)
		}
		var again *sim.Shape
		stop := sim.RecordShapes(func(s *sim.Shape) { again = s })
		_, fired := w.replay.kernel()
		stop()
		if i := firstDifference(w.Shape.Ops, again.Ops); i >= 0 {
			t.Fatalf("%s: the kernel replay's operation %d differs (%d and %d operations)", c.rel, i, len(w.Shape.Ops), len(again.Ops))
		}
		if heap := newFloor().events(w.Shape); fired != res.Outcome.Events || heap != fired {
			t.Fatalf("%s: the run fired %d events, the kernel replay %d, the value heap %d", c.rel, res.Outcome.Events, fired, heap)
		}
	}
}

func firstDifference(a, b []sim.ShapeOp) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}

// The floor hashes payloads of the run's sizes: every payload a frontend-mode run publishes
// (sync.publish gives its hash and its bytes) is sized so by the rebuilt payloads, the platform run
// of the same seed hashes payloads of those sizes, and no payload hash is left unsized.
func TestFloorHashesThePayloadsSizes(t *testing.T) {
	for _, rel := range []string{"scenarios/smoke.yaml", "scenarios/fleet.yaml", "scenarios/concurrency.yaml",
		"scenarios/incidents/worker-deleted-before-fetch.yaml"} {
		sc := load(t, rel)
		for seed := uint64(1); seed <= 2; seed++ {
			res, err := world.Run(sc, host.ModeFrontend, seed, world.Options{})
			if err != nil {
				t.Fatal(err)
			}
			sizes := rebuildPayloads(sc, res)
			published := map[int]bool{}
			for _, r := range res.Trace.Records {
				if r.Kind == trace.KindSyncPublish && r.Get("target") == trace.PartyFrontEnd {
					if got, ok := sizes[r.Get("hash")]; !ok || got.body != r.Int("bytes") {
						t.Fatalf("%s seed %d: payload %s published with %d bytes, rebuilt %v (%t)", rel, seed, r.Get("hash"), r.Int("bytes"), got, ok)
					}
					published[r.Int("bytes")] = true
				}
			}
			for _, mode := range []host.Mode{host.ModeFrontend, host.ModePlatform} {
				w := record(t, rel, mode, seed)
				if w.Unsized != 0 {
					t.Fatalf("%s %s seed %d: %d payload hashes unsized", rel, mode, seed, w.Unsized)
				}
				for size := range published {
					if !slices.Contains(w.SHA256, size) {
						t.Fatalf("%s %s seed %d: no SHA-256 over %d bytes, the size of a payload; sizes %v", rel, mode, seed, size, w.SHA256)
					}
				}
			}
		}
	}
}

// Smoke in platform mode, seed 1, makes five fetches: the mesh signs a TOK-4 token for each, the host
// validates each, and the trace's hs256 fact is computed for each: 15 HMACs, of one signing input
// size. Its SHA-256 inputs are the payloads: three content revisions (body and canonical form), five
// built, five served, five stored and six snapshots, plus the digests of the messages and tokens.
func TestWorkCountsTheRunsCrypto(t *testing.T) {
	w := record(t, "scenarios/smoke.yaml", host.ModePlatform, 1)
	if len(w.HMAC) != 15 {
		t.Fatalf("%d HMACs %v, want 15", len(w.HMAC), w.HMAC)
	}
	for _, n := range w.HMAC {
		if n != w.HMAC[0] || n < 200 {
			t.Fatalf("HMAC input sizes %v", w.HMAC)
		}
	}
	big := 0
	for _, n := range w.SHA256 {
		if n > 1000 {
			big++
		}
	}
	// 3*2 content + 5 built + 5 served and digested twice (instance, router) + 5 served-built + 5*2
	// stored + 6 snapshots = 6 + 5 + 15 + 10 + 6.
	if big != 42 {
		t.Fatalf("%d SHA-256 over payloads, want 42: %v", big, w.SHA256)
	}
}

// The bench's run is the sweep's: it makes P12's second run only for the sweep's sample, and the
// run command's path makes it for every run.
func TestRunIsTheSweepsRun(t *testing.T) {
	sc := load(t, "scenarios/smoke.yaml")
	opts := sweep.RunOptions(sweep.Config{Seeds: sweep.Range{From: 1, To: 1 << 62}})
	for seed := uint64(1); seed <= 20; seed++ {
		res, err := runner.RunOne(sc, host.ModePlatform, seed, opts)
		if err != nil {
			t.Fatal(err)
		}
		if want := seed == 1 || sweep.Sampled(seed); (res.P12 == "") != want {
			t.Fatalf("seed %d: P12 judged %t, want %t", seed, res.P12 == "", want)
		}
	}
}

func benchRun(b *testing.B, rel string, mode host.Mode, opts runner.Options) {
	sc := load(b, rel)
	b.ReportAllocs()
	events := 0
	for i := 0; i < b.N; i++ {
		res, err := runner.RunOne(sc, mode, uint64(i+1), opts)
		if err != nil {
			b.Fatal(err)
		}
		events += res.EventCount
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

var sweepOptions = sweep.RunOptions(sweep.Config{Seeds: sweep.Range{From: 1, To: 1 << 62}})

func BenchmarkRunSmokePlatform(b *testing.B) {
	benchRun(b, "scenarios/smoke.yaml", host.ModePlatform, sweepOptions)
}
func BenchmarkRunSmokeFrontend(b *testing.B) {
	benchRun(b, "scenarios/smoke.yaml", host.ModeFrontend, sweepOptions)
}
func BenchmarkRunFleetPlatform(b *testing.B) {
	benchRun(b, "scenarios/fleet.yaml", host.ModePlatform, sweepOptions)
}

// BenchmarkRunCommandSmokePlatform is `simrun run`'s path: every run made twice for P12.
func BenchmarkRunCommandSmokePlatform(b *testing.B) {
	benchRun(b, "scenarios/smoke.yaml", host.ModePlatform, runner.Options{})
}

// works records the first n seeds of smoke in platform mode.
func works(b *testing.B, n int) []Work {
	out := make([]Work, n)
	for i := range out {
		out[i] = record(b, "scenarios/smoke.yaml", host.ModePlatform, uint64(i+1))
	}
	b.ResetTimer()
	return out
}

func BenchmarkFloorSmokePlatform(b *testing.B) {
	ws, f := works(b, 16), newFloor()
	for i := 0; i < b.N; i++ {
		f.run(&ws[i%len(ws)])
	}
}

func BenchmarkKernelSmokePlatform(b *testing.B) {
	ws := works(b, 16)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		ws[i%len(ws)].replay.kernel()
	}
}

func BenchmarkValueHeapSmokePlatform(b *testing.B) {
	ws, f := works(b, 16), newFloor()
	for i := 0; i < b.N; i++ {
		f.events(ws[i%len(ws)].Shape)
	}
}

// scaleScenarios are the scenarios whose cost per event the scale benchmarks compare: smoke, the
// others the bench measures, and smoke grown ten times in instances and in timeline (testdata).
var scaleScenarios = []struct{ name, rel string }{
	{"smoke", "scenarios/smoke.yaml"},
	{"concurrency", "scenarios/concurrency.yaml"},
	{"fleet", "scenarios/fleet.yaml"},
	{"10x-instances", "cmd/simrun/bench/testdata/scale-10x-instances.yaml"},
	{"10x-timeline", "cmd/simrun/bench/testdata/scale-10x-timeline.yaml"},
}

// BenchmarkScale is a sweep run's cost per event (time, allocations, bytes) in platform mode, per
// scenario, under the sweep's collector settings: a run that costs more per event as its scenario
// grows grows faster than its events.
func BenchmarkScale(b *testing.B) {
	defer sweep.TuneGC(1)()
	for _, s := range scaleScenarios {
		b.Run(s.name, func(b *testing.B) {
			sc := load(b, s.rel)
			var ms0, ms1 runtime.MemStats
			events := 0
			runtime.ReadMemStats(&ms0)
			for i := 0; i < b.N; i++ {
				res, err := runner.RunOne(sc, host.ModePlatform, uint64(i+1), sweepOptions)
				if err != nil {
					b.Fatal(err)
				}
				events += res.EventCount
			}
			runtime.ReadMemStats(&ms1)
			ev := float64(events)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/ev, "ns/event")
			b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/ev, "allocs/event")
			b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/ev, "B/event")
			b.ReportMetric(ev/float64(b.N), "events/run")
		})
	}
}

// BenchmarkScaleCheckers is the trace checkers' time per event of the run they judge, over recorded
// runs of each scale scenario (seeds 1-4, platform mode), under the sweep's collector settings.
func BenchmarkScaleCheckers(b *testing.B) {
	defer sweep.TuneGC(1)()
	for _, s := range scaleScenarios {
		b.Run(s.name, func(b *testing.B) {
			ws := make([]Work, 4)
			for i := range ws {
				ws[i] = record(b, s.rel, host.ModePlatform, uint64(i+1))
			}
			b.ResetTimer()
			events := 0
			for i := 0; i < b.N; i++ {
				w := &ws[i%len(ws)]
				for _, p := range check.TraceCheckers() {
					p.Check(w.input)
				}
				events += w.events
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(events), "ns/event")
		})
	}
}

// The speed-up measurement sweeps whole slices on both sides and reports their ratio.
func TestMeasureSpeedupReportsBothSides(t *testing.T) {
	s, err := MeasureSpeedup(load(t, "scenarios/concurrency.yaml"), 2, 2, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if s.Slices != 1 || s.One <= 0 || s.Many <= 0 || s.Ratio != s.One.Seconds()/s.Many.Seconds() {
		t.Fatalf("%+v", s)
	}
}
