// Package bench measures the simulator's speed against a floor measured in the same process,
// interleaved with the runs so that a change of load moves both alike.
//
// A run is what `simrun sweep` makes of one (scenario, mode, seed): runner.RunOne with the sweep's
// options (sweep.RunOptions: P12 judged on the sweep's sample), every trace property judged, under
// the collector settings a sweep makes (sweep.TuneGC; everything measured runs under them); the
// `simrun run` path (every run made twice for P12) is measured too. The floor of a seed is the bare
// work of that seed's run: its event queue's own operations (pushes, pops and stopped timers, in the
// run's order, logged by sim.RecordShapes) on a heap of plain values, plus the SHA-256 and
// HMAC-SHA256 computations the run makes, over inputs of the run's sizes (read off its trace: Work).
// The kernel baseline replays the same shape on sim.Kernel. The trace checkers are timed alone over
// the same seeds' traces, for their share of a run.
//
//	r, err := bench.Measure(sc, host.ModePlatform, time.Second)
//	fmt.Println(r.RunsPerSecPerCore, r.KernelRatio, r.RatioToBaseline)
package bench

import (
	"runtime"
	"time"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/runner"
	"github.com/syncsim/syncsim/runner/sweep"
	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/sim"
	"github.com/syncsim/syncsim/sim/world"
)

// Result is one scenario's measurement.
type Result struct {
	Scenario string `json:"scenario"`
	Mode     string `json:"mode"`
	// Seeds is how many seeds (1, 2, ...) were measured; each measurement covers every one of them.
	Seeds int `json:"seeds"`
	// RunsPerSecPerCore is sweep runs per second on one goroutine.
	RunsPerSecPerCore float64 `json:"runs_per_sec_per_core"`
	// RunCommandRunsPerSec is runs per second as `simrun run` makes them (every run twice for P12).
	RunCommandRunsPerSec float64 `json:"run_command_runs_per_sec"`
	// P12Share is the share of the sweep runs made twice (the sample).
	P12Share     float64 `json:"p12_share"`
	EventsPerRun float64 `json:"events_per_run"`
	// EventsPerSec and SimToReal are of the sweep runs; allocations are per event of a sweep run.
	EventsPerSec   float64 `json:"events_per_sec"`
	SimToReal      float64 `json:"sim_to_real"`
	AllocsPerEvent float64 `json:"allocs_per_event"`
	BytesPerEvent  float64 `json:"bytes_per_event"`
	// NsPerEvent is a sweep run's time per event; RecordsPerRun its trace's length.
	NsPerEvent    float64 `json:"ns_per_event"`
	RecordsPerRun float64 `json:"records_per_run"`
	// CheckNsPerEvent is the trace checkers' time (check.TraceCheckers over the run's trace) per
	// event, and CheckShare that time over the sweep run's: the checkers' share of a run.
	CheckNsPerEvent float64 `json:"check_ns_per_event"`
	CheckShare      float64 `json:"check_share"`
	// MsPerSimHour is a sweep run's wall time per hour of simulated time.
	MsPerSimHour float64 `json:"ms_per_sim_hour"`
	// FloorRunsPerSec is the floor's rate: the runs' queue shapes on a value heap plus their crypto.
	FloorRunsPerSec float64 `json:"floor_runs_per_sec"`
	// FloorMicros is the floor's time per run.
	FloorMicros float64 `json:"floor_us"`
	// KernelRatio is sim.Kernel's event rate over the value heap's, both doing the runs' shapes.
	KernelRatio float64 `json:"kernel_ratio"`
	// RatioToBaseline is the sweep runs/s over the floor's runs/s.
	RatioToBaseline float64 `json:"ratio_to_baseline"`
	// Work is the mean work of a run over the seeds measured.
	Work WorkSummary `json:"work"`
}

// WorkSummary is a run's mean work: queue operations, and SHA-256 and HMAC inputs (count, bytes).
type WorkSummary struct {
	Pushes      float64 `json:"pushes"`
	Pops        float64 `json:"pops"`
	Stops       float64 `json:"stops"`
	SHA256      float64 `json:"sha256"`
	SHA256Bytes float64 `json:"sha256_bytes"`
	HMAC        float64 `json:"hmac"`
	HMACBytes   float64 `json:"hmac_bytes"`
	// Unsized counts payload hashes sized as the latest content (Work.Unsized), over all seeds.
	Unsized int `json:"unsized"`
}

// sliceSeeds is how many seeds each slice of the interleaved measurement covers.
const sliceSeeds = 4

// Measure measures a scenario in one mode on one goroutine for about d, in slices of sliceSeeds
// seeds: each slice records its seeds' work (untimed), then times, in an order that rotates from
// slice to slice, the sweep runs, the `simrun run` runs, the trace checkers over the recorded runs'
// traces, the floor, the kernel replay and the value heap replay of the same seeds.
func Measure(sc *scenarios.Scenario, mode host.Mode, d time.Duration) (Result, error) {
	r := Result{Scenario: sc.Path, Mode: mode.String()}
	sweepOpts := sweep.RunOptions(sweep.Config{Seeds: sweep.Range{From: 1, To: 1 << 62}})
	defer sweep.TuneGC(1)() // the collector as a sweep sets it
	f := newFloor()
	var t timings
	var ms0, ms1 runtime.MemStats
	var mallocs, allocBytes uint64
	var events, fired, judged, records int
	var simulated time.Duration
	start := time.Now()
	for seed, slice := uint64(1), 0; time.Since(start) < d || slice == 0; slice++ {
		works := make([]Work, 0, sliceSeeds)
		for i := 0; i < sliceSeeds; i, seed = i+1, seed+1 {
			w, err := Record(sc, mode, seed)
			if err != nil {
				return r, err
			}
			works = append(works, w)
		}
		first := works[0].seed
		parts := []func() error{
			func() error {
				runtime.ReadMemStats(&ms0)
				err := t.time(&t.sweep, func() error {
					for i := range works {
						res, err := runner.RunOne(sc, mode, first+uint64(i), sweepOpts)
						if err != nil {
							return err
						}
						events += res.EventCount
						simulated += time.Duration(res.SimTimeMs) * time.Millisecond
						if res.P12 == "" {
							judged++
						}
					}
					return nil
				})
				runtime.ReadMemStats(&ms1)
				mallocs += ms1.Mallocs - ms0.Mallocs
				allocBytes += ms1.TotalAlloc - ms0.TotalAlloc
				return err
			},
			func() error {
				return t.time(&t.run, func() error {
					for i := range works {
						if _, err := runner.RunOne(sc, mode, first+uint64(i), runner.Options{}); err != nil {
							return err
						}
					}
					return nil
				})
			},
			func() error {
				return t.time(&t.check, func() error {
					for i := range works {
						for _, p := range check.TraceCheckers() {
							p.Check(works[i].input)
						}
					}
					return nil
				})
			},
			func() error {
				return t.time(&t.floor, func() error {
					for i := range works {
						f.run(&works[i])
					}
					return nil
				})
			},
			func() error {
				return t.time(&t.kernel, func() error {
					for i := range works {
						_, n := works[i].replay.kernel()
						fired += n
					}
					return nil
				})
			},
			func() error {
				return t.time(&t.heap, func() error {
					for i := range works {
						f.events(works[i].Shape)
					}
					return nil
				})
			},
		}
		for i := range parts {
			if err := parts[(i+slice)%len(parts)](); err != nil {
				return r, err
			}
		}
		for i := range works {
			r.Work.add(&works[i])
			records += len(works[i].input.Trace.Records)
		}
		r.Seeds += len(works)
	}
	n := float64(r.Seeds)
	r.Work.scale(n)
	r.RunsPerSecPerCore = n / t.sweep.Seconds()
	r.RunCommandRunsPerSec = n / t.run.Seconds()
	r.P12Share = float64(judged) / n
	r.EventsPerRun = float64(events) / n
	r.EventsPerSec = float64(events) / t.sweep.Seconds()
	r.SimToReal = simulated.Seconds() / t.sweep.Seconds()
	r.AllocsPerEvent = float64(mallocs) / float64(events)
	r.BytesPerEvent = float64(allocBytes) / float64(events)
	r.NsPerEvent = float64(t.sweep.Nanoseconds()) / float64(events)
	r.RecordsPerRun = float64(records) / n
	r.CheckNsPerEvent = float64(t.check.Nanoseconds()) / float64(events)
	r.CheckShare = t.check.Seconds() / t.sweep.Seconds()
	if simulated > 0 {
		r.MsPerSimHour = float64(t.sweep.Milliseconds()) / simulated.Hours()
	}
	r.FloorRunsPerSec = n / t.floor.Seconds()
	r.FloorMicros = float64(t.floor.Microseconds()) / n
	// Both replays fire the same events: the ratio of their rates is the ratio of their times.
	r.KernelRatio = t.heap.Seconds() / t.kernel.Seconds()
	r.RatioToBaseline = r.RunsPerSecPerCore / r.FloorRunsPerSec
	return r, nil
}

// timings are the measurement's accumulated times.
type timings struct{ sweep, run, check, floor, kernel, heap time.Duration }

func (t *timings) time(into *time.Duration, fn func() error) error {
	start := time.Now()
	err := fn()
	*into += time.Since(start)
	return err
}

func (s *WorkSummary) add(w *Work) {
	pushes, pops, stops := w.Shape.Count()
	s.Pushes += float64(pushes)
	s.Pops += float64(pops)
	s.Stops += float64(stops)
	sha, mac := w.Bytes()
	s.SHA256 += float64(len(w.SHA256))
	s.SHA256Bytes += float64(sha)
	s.HMAC += float64(len(w.HMAC))
	s.HMACBytes += float64(mac)
	s.Unsized += w.Unsized
}

func (s *WorkSummary) scale(n float64) {
	for _, x := range []*float64{&s.Pushes, &s.Pops, &s.Stops, &s.SHA256, &s.SHA256Bytes, &s.HMAC, &s.HMACBytes} {
		*x /= n
	}
}

// Record makes one run of the seed with its queue's shape logged and reads its work off it: what the
// floor and the kernel replay of that seed do. (The run is the first half of runner.RunOne's.)
func Record(sc *scenarios.Scenario, mode host.Mode, seed uint64) (Work, error) {
	var shape *sim.Shape
	stop := sim.RecordShapes(func(s *sim.Shape) { shape = s })
	res, err := world.Run(sc, mode, seed, world.Options{})
	stop()
	if err != nil {
		return Work{}, err
	}
	w := workOf(sc, res, shape)
	w.seed = seed
	w.input = check.Input{Trace: res.Trace, Complete: res.Outcome.Reason.Complete(), Secrets: res.Secrets,
		ConvergenceBound: sc.ConvergenceBound}
	w.events = res.Outcome.Events
	w.replay = newReplay(shape)
	return w, nil
}
