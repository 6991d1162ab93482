package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/bench"
	"github.com/syncsim/syncsim/internal/mutants"
	"github.com/syncsim/syncsim/internal/runner"
	"github.com/syncsim/syncsim/scenarios"
)

// standardScenarios are the scenarios bench measures, with the mode it measures each in.
var standardScenarios = []struct {
	path string
	mode host.Mode
}{
	{"scenarios/smoke.yaml", host.ModePlatform},
	{"scenarios/incidents/worker-deleted-before-fetch.yaml", host.ModePlatform},
	{"scenarios/concurrency.yaml", host.ModePlatform},
	{"scenarios/fleet.yaml", host.ModePlatform},
}

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

func benchCommand(stderr io.Writer) *cobra.Command {
	var jsonPath string
	var each time.Duration
	cmd := &cobra.Command{
		Use:   "bench [--json F] [--time D]",
		Short: "Measure runs/s per core, events/s and sim-to-real time against the kernel and work baselines",
		Long: `For each standard scenario, runs it on one goroutine for --time and reports runs/s per core,
events/s, the simulated-to-real time ratio, allocations and bytes per event, kernel_ratio (our
kernel's event rate over a container/heap queue doing the same pushes and pops) and
ratio_to_baseline (our runs/s over the runs/s of that queue plus the run's SHA-256 and HMAC-SHA256
computations). Run it from the repository's root.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var results []bench.Result
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "%-55s %10s %12s %10s %9s %9s %8s %8s\n", "scenario (mode)", "runs/s", "events/s", "sim/real", "allocs/ev", "bytes/ev", "kernel", "work")
			for _, s := range standardScenarios {
				sc, err := scenarios.Load(s.path)
				if err != nil {
					return usage(stderr, "bench", err)
				}
				r, err := bench.Measure(sc, s.mode, each)
				if err != nil {
					return usage(stderr, "bench", err)
				}
				results = append(results, r)
				fmt.Fprintf(w, "%-55s %10.0f %12.0f %10.0f %9.1f %9.0f %8.2f %8.2f\n", r.Scenario+" ("+r.Mode+")",
					r.RunsPerSecPerCore, r.EventsPerSec, r.SimToReal, r.AllocsPerEvent, r.BytesPerEvent, r.KernelRatio, r.RatioToBaseline)
			}
			if jsonPath != "" {
				if err := writeJSON(jsonPath, map[string]any{"scenarios": results}); err != nil {
					return usage(stderr, "bench", err)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&jsonPath, "json", "", "write the figures as JSON to this file")
	cmd.Flags().DurationVar(&each, "time", 3*time.Second, "how long to run each scenario")
	return cmd
}

func mutantsCommand(stderr io.Writer) *cobra.Command {
	var jsonPath string
	var seeds int
	var shrink bool
	cmd := &cobra.Command{
		Use:   "mutants [--seeds N] [--json F] [--shrink]",
		Short: "Plant each bug of the catalogue and report which property catches it, after how many runs",
		Long: `Runs the standard scenarios with one planted bug at a time, seed by seed, until a property the
bug targets (simrun list mutants) catches it: by run, when it fails with the bug where it passes
without it in the same run, or by rate, when on a scenario with a committed baseline it fails
significantly more often with the bug than in the baseline (one-sided Fisher exact test at 0.001 over
the bug's targeted cells). A failure of a property the bug does not target never counts. A bug none
catches within --seeds is a gap in the catalogue. Exit 1 when a planted bug goes undetected. Run it
from the repository's root.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			rep, err := mutants.Hunt(mutants.Options{Seeds: seeds, Targets: mutants.DefaultTargets("."), Shrink: shrink})
			if err != nil {
				return usage(stderr, "mutants", err)
			}
			w := cmd.OutOrStdout()
			undetected := 0
			for _, m := range rep.Mutants {
				if m.Detected {
					fmt.Fprintf(w, "%-28s detected by %-4s (%s, %s seed %d) after %3d runs, %6d ms", m.Name, m.Property, m.Method, m.Target, m.Seed, m.SeedsToDetect, m.CPUMs)
					if m.ShrunkSize > 0 {
						fmt.Fprintf(w, ", shrunk to size %d", m.ShrunkSize)
					}
					fmt.Fprintf(w, "  [%s]\n", m.Ref)
					continue
				}
				undetected++
				fmt.Fprintf(w, "%-28s NOT DETECTED after %d runs: a gap in the catalogue  [%s]\n", m.Name, m.SeedsToDetect, m.Ref)
			}
			fmt.Fprintf(w, "\n%d planted bugs, %d detected\n", len(rep.Mutants), len(rep.Mutants)-undetected)
			if jsonPath != "" {
				if err := writeJSON(jsonPath, rep); err != nil {
					return usage(stderr, "mutants", err)
				}
			}
			if undetected > 0 {
				return exitError{runner.ExitFailed}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&jsonPath, "json", "", "write the report as JSON to this file")
	cmd.Flags().IntVar(&seeds, "seeds", 20, "seeds per scenario before a bug counts as undetected")
	cmd.Flags().BoolVar(&shrink, "shrink", false, "shrink each detecting trace and report its size")
	return cmd
}
