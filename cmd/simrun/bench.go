package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/syncsim/syncsim/cmd/simrun/bench"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/scenarios"
)

// standardScenarios are the scenarios bench measures, with the mode it measures each in; the scale
// scenarios (cmd/simrun/bench/testdata) are smoke with ten times its instances and ten times its timeline.
var standardScenarios = []struct {
	path string
	mode host.Mode
}{
	{"scenarios/smoke.yaml", host.ModePlatform},
	{"scenarios/incidents/worker-deleted-before-fetch.yaml", host.ModePlatform},
	{"scenarios/concurrency.yaml", host.ModePlatform},
	{"scenarios/fleet.yaml", host.ModePlatform},
	{"cmd/simrun/bench/testdata/scale-10x-instances.yaml", host.ModePlatform},
	{"cmd/simrun/bench/testdata/scale-10x-timeline.yaml", host.ModePlatform},
}

// benchReport is what `bench --json` writes.
type benchReport struct {
	Processor  string         `json:"processor"`
	GOMAXPROCS int            `json:"gomaxprocs"`
	GoVersion  string         `json:"go_version"`
	Scenarios  []bench.Result `json:"scenarios"`
	// Speedups are the sweeps' speed-ups on --speedup workers (none without the flag).
	Speedups []bench.Speedup `json:"speedups,omitempty"`
}

// speedupScenarios are the sweeps --speedup measures, with the seeds of each slice.
var speedupScenarios = []struct {
	path  string
	seeds int
}{
	{"scenarios/smoke.yaml", 40},
	{"scenarios/fleet.yaml", 10},
}

func benchCommand(stderr io.Writer) *cobra.Command {
	var jsonPath string
	var each time.Duration
	var speedup int
	cmd := &cobra.Command{
		Use:   "bench [--json F] [--time D] [--speedup N]",
		Short: "Measure runs/s per core against the floor (the runs' queue shapes on a value heap plus their crypto) and the kernel against that heap",
		Long: `For each standard scenario, on one goroutine for about --time, measures in interleaved slices
of four seeds: sweep runs (runs/s: simrun sweep's runs, P12 judged on its sample), simrun run's runs
(run-cmd: every run made twice for P12), the floor (the same seeds' recorded queue operations on a
heap of plain values, plus their SHA-256 and HMAC-SHA256 over inputs of the runs' sizes), and the
same queue operations replayed on the simulator's kernel and on the value heap, and the trace
checkers alone over the same seeds' traces. ns/ev, allocs/ev and bytes/ev are a sweep run's cost per
event, chk/ev the checkers' time per event and check their share of a sweep run's time, ms/sim-h a
sweep run's time per simulated hour; floor_us is the floor's time per run, work the sweep runs/s over
the floor's, kernel the kernel's event rate over the value heap's. The scale scenarios are smoke with
ten times its instances and ten times its timeline (cmd/simrun/bench/testdata). Everything is
measured under the garbage collector settings a sweep makes (GOGC=800 unless GOGC is set).

--speedup N then measures the sweep's speed-up on N workers over one, for about --time each on
smoke.yaml (slices of 40 seeds) and fleet.yaml (10 seeds): each slice swept on one worker and on N,
the same seeds, the order alternating, so that the machine's load falls on both alike. Run it
without GOMAXPROCS=1. Run it from the repository's root; BENCHMARKS.md says how each figure is computed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			rep := benchReport{Processor: processor(), GOMAXPROCS: runtime.GOMAXPROCS(0), GoVersion: runtime.Version()}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "%s, GOMAXPROCS=%d, %s\n", rep.Processor, rep.GOMAXPROCS, rep.GoVersion)
			fmt.Fprintf(w, "%-64s %8s %8s %5s %11s %10s %7s %9s %9s %7s %6s %9s %9s %7s %7s\n", "scenario (mode)", "runs/s", "run-cmd", "p12", "events/s",
				"sim/real", "ns/ev", "allocs/ev", "bytes/ev", "chk/ev", "check", "ms/sim-h", "floor_us", "work", "kernel")
			for _, s := range standardScenarios {
				sc, err := scenarios.Load(s.path)
				if err != nil {
					return usage(stderr, "bench", err)
				}
				r, err := bench.Measure(sc, s.mode, each)
				if err != nil {
					return usage(stderr, "bench", err)
				}
				rep.Scenarios = append(rep.Scenarios, r)
				fmt.Fprintf(w, "%-64s %8.0f %8.0f %5.2f %11.0f %10.0f %7.0f %9.1f %9.0f %7.0f %6.2f %9.1f %9.1f %7.3f %7.2f\n", s.path+" ("+r.Mode+")",
					r.RunsPerSecPerCore, r.RunCommandRunsPerSec, r.P12Share, r.EventsPerSec, r.SimToReal, r.NsPerEvent, r.AllocsPerEvent,
					r.BytesPerEvent, r.CheckNsPerEvent, r.CheckShare, r.MsPerSimHour, r.FloorMicros, r.RatioToBaseline, r.KernelRatio)
			}
			if speedup > 1 {
				fmt.Fprintf(w, "\n%-40s %8s %7s %10s %10s %8s\n", "sweep", "workers", "slices", "1 worker", "N workers", "speed-up")
			}
			for _, s := range speedupScenarios {
				if speedup <= 1 {
					break
				}
				sc, err := scenarios.Load(s.path)
				if err != nil {
					return usage(stderr, "bench", err)
				}
				r, err := bench.MeasureSpeedup(sc, speedup, s.seeds, each)
				if err != nil {
					return usage(stderr, "bench", err)
				}
				rep.Speedups = append(rep.Speedups, r)
				fmt.Fprintf(w, "%-40s %8d %7d %9.2fs %9.2fs %7.2fx\n", fmt.Sprintf("%s (%d seeds a slice)", s.path, s.seeds), r.Workers, r.Slices,
					r.One.Seconds(), r.Many.Seconds(), r.Ratio)
			}
			if jsonPath != "" {
				if err := writeJSON(jsonPath, rep); err != nil {
					return usage(stderr, "bench", err)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&jsonPath, "json", "", "write the figures as JSON to this file")
	cmd.Flags().DurationVar(&each, "time", 3*time.Second, "how long to measure each scenario")
	cmd.Flags().IntVar(&speedup, "speedup", 0, "also measure the sweep's speed-up on this many workers over one (2 or more)")
	return cmd
}

// processor is /proc/cpuinfo's first "model name", or "unknown processor".
func processor() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown processor"
	}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown processor"
}
