package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/syncsim/syncsim/output/progress"
	"github.com/syncsim/syncsim/reports/html"
	"github.com/syncsim/syncsim/reports/junit"
	"github.com/syncsim/syncsim/runner"
	"github.com/syncsim/syncsim/runner/sweep"
	"github.com/syncsim/syncsim/scenarios"
)

// outputs are the report flags run and sweep share.
type outputs struct {
	report string
	junit  string
}

// commandLine is the command that made a report, shown in it.
func commandLine() string {
	return "simrun " + strings.Join(os.Args[1:], " ")
}

// runDone writes run's reports once every run has run and the invocation's outcome o is known:
// every report shows o, the exit code the command returns.
func (o outputs) runDone(strict bool, out io.Writer) func([]*runner.Result, runner.Outcome) error {
	return func(results []*runner.Result, outcome runner.Outcome) error {
		var secrets []string
		for _, r := range results {
			secrets = append(secrets, r.Secrets...)
		}
		if o.report != "" {
			if err := html.WriteRun(o.report, htmlRuns(results), outcome, html.Options{Command: commandLine(), Secrets: secrets, Strict: strict}); err != nil {
				return fmt.Errorf("--report: %w", err)
			}
			fmt.Fprintf(out, "report written: %s\n", filepath.Join(o.report, "index.html"))
		}
		if o.junit != "" {
			if err := junit.WriteRuns(o.junit, junitRuns(results), outcome, junit.Options{Secrets: secrets, Strict: strict}); err != nil {
				return fmt.Errorf("--junit: %w", err)
			}
		}
		return nil
	}
}

// htmlRuns are the runs as the HTML report draws them: their verdicts, replay commands and trace
// files (runs that kept no trace: their schedule's firings).
func htmlRuns(results []*runner.Result) []html.Run {
	out := make([]html.Run, len(results))
	for i, r := range results {
		out[i] = html.Run{Scenario: r.Scenario, Mode: r.Mode, Seed: r.Seed, Verdicts: r.Verdicts, Replay: r.Replay,
			Firings: r.Schedule.Firings}
		if r.Trace != nil {
			out[i].Trace = runner.TraceFile(r)
		}
	}
	return out
}

// junitRuns are the runs as the JUnit writer takes them.
func junitRuns(results []*runner.Result) []junit.Run {
	out := make([]junit.Run, len(results))
	for i, r := range results {
		out[i] = junit.Run{Scenario: r.Scenario, Mode: r.Mode, Seed: r.Seed, Wall: r.Wall, CheckTime: r.CheckTime,
			TraceHash: r.TraceHash, Replay: r.Replay, Verdicts: r.Verdicts}
	}
	return out
}

// sweepDone writes sweep's reports, each showing the sweep's outcome o: the HTML report draws each
// failing cell's smallest seed, re-run with its trace kept.
func (o outputs) sweepDone(strict bool, out io.Writer) func(*sweep.Report, []*scenarios.Scenario, runner.Outcome) error {
	return func(rep *sweep.Report, scs []*scenarios.Scenario, outcome runner.Outcome) error {
		secrets := scenarios.Secrets(scs...)
		if o.report != "" {
			traces, err := sweep.FailingTraces(rep, scs)
			if err != nil {
				return fmt.Errorf("--report: %w", err)
			}
			if err := html.WriteSweep(o.report, rep, traces, outcome, html.Options{Command: commandLine(), Secrets: secrets, Strict: strict}); err != nil {
				return fmt.Errorf("--report: %w", err)
			}
			fmt.Fprintf(out, "report written: %s\n", filepath.Join(o.report, "index.html"))
		}
		if o.junit != "" {
			if err := junit.WriteSweep(o.junit, rep, outcome, junit.Options{Secrets: secrets, Strict: strict}); err != nil {
				return fmt.Errorf("--junit: %w", err)
			}
		}
		return nil
	}
}

// progressNotes is where a sweep writes its progress notes (`sweep: seeds 1-30 done ...`, `first
// fail at seed N`): stderr, or nowhere under CI=true, where progress is quiet (progress.CI).
func progressNotes(stderr io.Writer) io.Writer {
	if progress.CI() {
		return io.Discard
	}
	return stderr
}

// sweepProgress shows the sweep's progress on a terminal (quiet otherwise, and under CI=true).
func sweepProgress(w io.Writer) (func(done, total, failures int), func()) {
	var bar *progress.Bar
	return func(done, total, failures int) {
			if bar == nil {
				bar = progress.New(w, total)
			}
			bar.Set(done, failures)
		}, func() {
			if bar != nil {
				bar.Done()
			}
		}
}
