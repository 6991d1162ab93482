package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/syncsim/syncsim/runner/sweep"
)

func sweepCommand(stderr io.Writer) *cobra.Command {
	job := sweep.Job{}
	var outs outputs
	cmd := &cobra.Command{
		Use:   "sweep --seeds A-B [--shard i/n] [flags] SCENARIO-OR-DIR...",
		Short: "Run a range of seeds in every mode and print the property x mode matrix",
		Long: `Runs every seed of --seeds (A-B inclusive, or a single seed N) in every mode of every scenario
(or in --mode), on --workers goroutines, and prints per scenario a table of properties x modes: the
counts of pass, fail, xfail, xpass and inconclusive per cell and its smallest failing seed, then the
command that replays each failing cell's smallest seed. The report is the same whatever --workers.
--max-time stops dispatching new seeds when the wall-clock budget runs out; the report says which
seeds were covered. --json writes the runs as an array of run objects, as simrun run does;
--matrix writes the matrix report (scenarios, seeds covered, cells, exit) as JSON.

--shard i/n runs only shard i of n: the range split into n contiguous blocks in seed order, the
first (count mod n) one seed larger, so n machines each sweep one block. The report names the shard,
the whole range and the seeds covered; simrun merge combines the shards' --matrix reports into the
report of one unsharded sweep. Each shard's --json holds that shard's runs; in shard order, their
concatenation is the unsharded runs array, but for each run's invocation (the outcome of the shard
that made it; every run of a --json file carries its invocation's exit code and reasons).

--write-baseline FILE records the sweep's counts per (scenario, mode, property) cell as a baseline.
A scenario judged against a baseline (its baseline: field, or --baseline FILE for every scenario
the file has cells for) gates on regressions instead of on every failure: a cell regresses when it
fails although it never failed in the baseline (or the baseline lacks it), or when it fails
significantly more often: a one-sided Fisher exact test of k of n runs against the baseline's k0 of
n0, at --alpha (default 0.001) divided by the number of cells compared (Bonferroni). Regressions
print the cell, the counts, the p-value, the first failing seeds and the replay command; cells that
fail significantly less often are reported as improvements and never gate.

Exit codes: as simrun run, over every run: 0 every verdict as expected; 1 a MUST property failed
unexpectedly or an expected failure did not happen; 2 only inconclusive verdicts stand in the way;
3 usage, input or environment error. Against a baseline: 0 every judged cell within its baseline
(or better), 1 a MUST cell regressed (SHOULD with --strict), 2 a cell has significantly more
inconclusive runs.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			job.Paths = args
			job.Done = outs.sweepDone(job.Strict, cmd.OutOrStdout())
			onRun, done := sweepProgress(stderr)
			job.OnRun = onRun
			code, err := sweep.Execute(job, cmd.OutOrStdout(), progressNotes(stderr))
			done()
			if err != nil {
				fmt.Fprintln(stderr, "simrun sweep:", err)
			}
			if code != 0 {
				return exitError{code}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&job.Seeds, "seeds", "", "seeds to run: A-B (inclusive) or a single seed N")
	f.StringVar(&job.Shard, "shard", "", "run only shard i of n of the seeds (i/n, 1 <= i <= n; contiguous blocks)")
	f.StringVar(&job.Mode, "mode", "", "mode to run or all; default: the modes each scenario names")
	f.StringVar(&job.Strategy, "strategy", "", "exploration strategy for every run (default: the kernel's)")
	f.StringArrayVar(&job.Faults, "fault", nil, "extra fault NAME[:param=value,...] for every run (repeatable)")
	f.DurationVar(&job.MaxTime, "max-time", 0, "wall-clock budget; stop dispatching new seeds when it runs out (0: none)")
	f.IntVar(&job.Workers, "workers", 0, "runs made at once (default: the number of CPUs)")
	f.BoolVar(&job.Raw, "raw", false, "ignore the scenarios' expectations")
	f.BoolVar(&job.Strict, "strict", false, "SHOULD failures gate too")
	f.StringVar(&job.JSON, "json", "", "write the runs as a JSON array to this file")
	f.StringVar(&job.Matrix, "matrix", "", "write the matrix report as JSON to this file")
	f.StringVar(&outs.report, "report", "", "write a self-contained HTML report to DIR/index.html")
	f.StringVar(&outs.junit, "junit", "", "write JUnit XML (a test case per property x mode cell) to this file")
	f.StringVar(&job.Baseline, "baseline", "", "judge every scenario this baseline file has cells for against it (overrides the scenarios' baseline: fields)")
	f.StringVar(&job.WriteBaseline, "write-baseline", "", "record the sweep's counts per cell as a baseline file")
	f.Float64Var(&job.Alpha, "alpha", sweep.DefaultAlpha, "family-wise significance level of the comparisons against a baseline")
	f.StringVar(&job.TraceDir, "trace-dir", "", "write the trace of each failing cell's smallest failing seed into this directory")
	if err := cmd.MarkFlagRequired("seeds"); err != nil {
		panic(err) // the flag is defined just above
	}
	return cmd
}
