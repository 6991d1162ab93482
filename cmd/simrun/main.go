// Command simrun is syncsim's CLI: flags and wiring only; every command is a library call.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/syncsim/syncsim/internal/runner"
)

func main() {
	os.Exit(execute(os.Args[1:], os.Stdout, os.Stderr))
}

// exitError carries a command's exit code through cobra.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

func execute(args []string, stdout, stderr io.Writer) int {
	root := &cobra.Command{
		Use:           "simrun",
		Short:         "Deterministic simulator and conformance harness for Azure Functions sync triggers",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(runCommand(stderr), sweepCommand(stderr), listCommand())
	root.AddCommand(mergeCommand(stderr))
	root.AddCommand(replayCommand(stderr), shrinkCommand(stderr), explainCommand(stderr))
	root.AddCommand(importCommand(stderr))
	root.AddCommand(validateCommand(stderr))
	root.AddCommand(benchCommand(stderr), mutantsCommand(stderr))
	root.AddCommand(serveCommand(stderr))
	root.AddCommand(conformanceCommand(stderr))
	root.AddCommand(loadCommand(stderr))
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	var ee exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.code
	default:
		fmt.Fprintln(stderr, "simrun:", err)
		return runner.ExitUsage
	}
}

func runCommand(stderr io.Writer) *cobra.Command {
	job := runner.Job{}
	var outs outputs
	cmd := &cobra.Command{
		Use:   "run [flags] SCENARIO-OR-DIR...",
		Short: "Run scenarios in the simulator and judge every property",
		Long: `Runs every scenario (files, or directories searched recursively for *.yaml) in every mode it
names, or in --mode, for --runs seeds starting at --seed, checks every property and compares the
verdicts with the scenario's expectations.

Exit codes: 0 every verdict as expected; 1 a MUST property failed unexpectedly or an expected
failure did not happen; 2 only inconclusive verdicts stand in the way; 3 usage, input or
environment error.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			job.Paths = args
			job.Log = stderr
			job.Done = outs.runDone(job.Strict, cmd.OutOrStdout())
			code, err := runner.Execute(job, cmd.OutOrStdout())
			if err != nil {
				fmt.Fprintln(stderr, "simrun run:", err)
			}
			if code != 0 {
				return exitError{code}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&job.Mode, "mode", "", "mode to run (frontend, platform, additive, signal-all, platform-ack) or all; default: the modes each scenario names")
	f.Uint64Var(&job.Seed, "seed", 1, "first seed")
	f.IntVar(&job.Runs, "runs", 1, "number of seeds to run, from --seed")
	f.BoolVar(&job.Raw, "raw", false, "ignore the scenarios' expectations")
	f.BoolVar(&job.Strict, "strict", false, "SHOULD failures gate too")
	f.StringVar(&job.JSON, "json", "", "write the runs as a JSON array to this file")
	f.StringVar(&job.Strategy, "strategy", "", "exploration strategy (default: the kernel's)")
	f.StringArrayVar(&job.Faults, "fault", nil, "extra fault NAME[:param=value,...] (repeatable)")
	f.BoolVar(&job.Live, "live", false, "run over real HTTP, with the hash blob in Azurite (started by syncsim) or --storage")
	f.Float64Var(&job.TimeScale, "time-scale", 0, "with --live: real seconds per scenario second (default 0.01: a scenario minute takes 0.6 s)")
	f.StringVar(&job.Storage, "storage", "", "with --live: the connection string of an existing storage account instead of Azurite")
	f.StringVar(&job.AzuriteProvider, "azurite", "", "with --live: how to start Azurite: npm or container (default: container if a Docker engine answers, else npm)")
	f.StringVar(&outs.report, "report", "", "write a self-contained HTML report to DIR/index.html")
	f.StringVar(&outs.junit, "junit", "", "write JUnit XML (a test case per property and run) to this file")
	f.StringVar(&job.TraceFormat, "trace-format", "syncsim", "format of --trace-out: syncsim (for replay, shrink, explain) or chrome (Chrome trace events, for Perfetto)")
	f.StringVar(&job.TraceOut, "trace-out", "", "write each run's trace file here (several runs: FILE-<scenario>-<mode>-<seed>.json)")
	return cmd
}
