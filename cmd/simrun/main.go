// Command simrun is syncsim's CLI: flags and wiring only; every command is a library call.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/output"
	"github.com/syncsim/syncsim/output/redact"
	"github.com/syncsim/syncsim/runner"
)

func main() {
	os.Exit(execute(os.Args[1:], os.Stdout, os.Stderr))
}

// exitError carries a command's exit code through cobra.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// execute runs a command line. Everything it prints goes through the one redaction (P11, PAY-4),
// line by line, with one Redactor for both streams: a value learnt on one is masked on the other.
//
// After the redaction, P11 judges each line as it leaves (output.Stream): a line that still holds a
// credential is withheld, named on stderr, and the command exits 1 (at least).
func execute(args []string, stdout, stderr io.Writer) int {
	r := redact.New(nil)
	judgedOut, judgedErr := output.NewStream("stdout", stdout), output.NewStream("stderr", stderr)
	out, errOut := redact.NewWriter(judgedOut, r), redact.NewWriter(judgedErr, r)
	code := runRoot(newRoot(errOut), args, out, errOut)
	out.Flush()
	errOut.Flush()
	leaks := append(judgedOut.Leaks(), judgedErr.Leaks()...)
	for _, err := range leaks {
		fmt.Fprintln(stderr, "simrun:", err)
	}
	if len(leaks) > 0 && code == 0 {
		code = runner.ExitFailed
	}
	return code
}

// newRoot is the command tree.
func newRoot(stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "simrun",
		Short:         "Deterministic simulator and conformance harness for Azure Functions sync triggers",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(flagError)
	root.AddCommand(runCommand(stderr), sweepCommand(stderr), listCommand())
	root.AddCommand(mergeCommand(stderr))
	root.AddCommand(replayCommand(stderr), shrinkCommand(stderr), explainCommand(stderr))
	root.AddCommand(importCommand(stderr))
	root.AddCommand(validateCommand(stderr))
	root.AddCommand(benchCommand(stderr), mutantsCommand(stderr))
	root.AddCommand(serveCommand(stderr))
	root.AddCommand(conformanceCommand(stderr))
	root.AddCommand(loadCommand(stderr))
	root.AddCommand(exploreCommand(stderr))
	return root
}

// runRoot runs a command line and returns its exit code. A panic anywhere in the command, or raised
// again on this goroutine from one the command waited for (sweep.WorkerPanic), is an internal error:
// exit 4 with the value and a short stack, never Go's exit 2 for an unrecovered panic, which a CI
// gate would read as "only inconclusive verdicts". Go's fatal errors (out of memory, stack
// exhaustion, concurrent map writes) bypass recover; bounding every input is what prevents them.
func runRoot(root *cobra.Command, args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			code = internalError(stderr, r, debug.Stack())
		}
	}()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	var ee exitError
	var leak *check.LeakError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &leak):
		// P11 failed on an output as it left the process: a failing property, not a usage error.
		fmt.Fprintln(stderr, "simrun:", err)
		return runner.ExitFailed
	default:
		fmt.Fprintln(stderr, "simrun:", err)
		return runner.ExitUsage
	}
}

// panicStack is a recovered value that carries the stack where it was first raised (a sweep worker's).
type panicStack interface{ PanicStack() []byte }

// maxStackFrames bounds the stack printed with an internal error: the frames nearest the panic.
const maxStackFrames = 16

// internalError reports a recovered panic and returns ExitInternal.
func internalError(stderr io.Writer, r any, stack []byte) int {
	if p, ok := r.(panicStack); ok {
		stack = p.PanicStack()
	}
	fmt.Fprintf(stderr, "simrun: internal error: %v\n%s", r, shortStack(stack, maxStackFrames))
	fmt.Fprintln(stderr, "simrun: this is a bug in simrun, not a problem with the input")
	return runner.ExitInternal
}

// shortStack keeps the goroutine line and at most frames frames from the panic on: the frames of
// debug.Stack, the deferred recover and the runtime's panic machinery come before them.
func shortStack(stack []byte, frames int) string {
	lines := strings.Split(strings.TrimRight(string(stack), "\n"), "\n")
	out, body := lines[:1], lines[1:]
	for i := 0; i+1 < len(body); i += 2 {
		if strings.HasPrefix(body[i], "panic(") {
			body = body[i+2:]
			break
		}
	}
	for i := 0; i+1 < len(body); i += 2 {
		if frames == 0 {
			out = append(out, "\t...")
			break
		}
		out = append(out, body[i], body[i+1])
		frames--
	}
	return strings.Join(out, "\n") + "\n"
}

func runCommand(stderr io.Writer) *cobra.Command {
	job := runner.Job{}
	var outs outputs
	var traceFormat, logFormat string
	cmd := &cobra.Command{
		Use:   "run [flags] SCENARIO-OR-DIR...",
		Short: "Run scenarios in the simulator and judge every property",
		Long: `Runs every scenario (files, or directories searched recursively for *.yaml) in every mode it
names, or in --mode, for --runs seeds starting at --seed, checks every property and compares the
verdicts with the scenario's expectations.

Exit codes: 0 every verdict as expected; 1 a MUST property failed unexpectedly, an expected
failure did not happen, or the coverage gate found a property that examined nothing; 2 only
inconclusive verdicts stand in the way; 3 usage, input or environment error. The text's last lines,
--json (each run's invocation), --junit and --report all say this exit code and every reason for it.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			job.Paths = args
			job.Log = stderr
			job.Done = outs.runDone(job.Strict, cmd.OutOrStdout())
			write, err := traceWriter(traceFormat, logFormat)
			if err != nil {
				fmt.Fprintln(stderr, "simrun run:", err)
				return exitError{runner.ExitUsage}
			}
			job.WriteTrace = write
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
	f.StringVar(&job.Coverage, "coverage", "auto", "coverage gate: auto (exit 1 when a property examined nothing in every run of several scenario files), gate (always), report (print the coverage lines only)")
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
	f.StringVar(&traceFormat, "trace-format", "syncsim", "format of --trace-out: syncsim (for replay, shrink, explain), chrome (Chrome trace events, for Perfetto) or log (the run as a host log in --log-format)")
	f.StringVar(&logFormat, "log-format", "syncsim", "with --trace-format log: syncsim, ms-function-logs or appinsights-json")
	f.StringVar(&job.TraceOut, "trace-out", "", "write each run's trace file here (several runs: FILE-<scenario>-<mode>-<seed>.json)")
	return cmd
}
