package sweep

import (
	"io"
	"time"

	"github.com/syncsim/syncsim/internal/runner"
	"github.com/syncsim/syncsim/scenarios"
)

// Job is what `simrun sweep` was asked to do, as its flags spell it.
type Job struct {
	Paths []string
	// Seeds is `--seeds`: "A-B" or "N" (ParseRange).
	Seeds string
	// Shard is `--shard`: "i/n" (ParseShard), or "" for the whole range.
	Shard    string
	Mode     string
	Strategy string
	Faults   []string
	MaxTime  time.Duration
	Workers  int
	Raw      bool
	Strict   bool
	// JSON, if set, is the file the runs are written to, as `simrun run --json` writes them.
	JSON string
	// Matrix, if set, is the file the matrix report is written to.
	Matrix string
	// Clock is Config.Clock (tests only).
	Clock func() time.Time
}

// Execute parses the seed range, loads the scenarios, sweeps them, writes the text report to out (and
// the JSON report if asked) and returns the exit code. Progress goes to progress. Problems with the
// command line or the scenarios are *runner.UsageError with runner.ExitUsage.
func Execute(job Job, out, progress io.Writer) (int, error) {
	seeds, err := ParseRange(job.Seeds)
	if err != nil {
		return runner.ExitUsage, &runner.UsageError{Err: err}
	}
	var shard Shard
	if job.Shard != "" {
		if shard, err = ParseShard(job.Shard); err != nil {
			return runner.ExitUsage, &runner.UsageError{Err: err}
		}
	}
	scs, err := scenarios.LoadAll(job.Paths...)
	if err != nil {
		return runner.ExitUsage, &runner.UsageError{Err: err}
	}
	rep, err := Sweep(Config{
		Scenarios: scs, Seeds: seeds, Shard: shard, Mode: job.Mode, Strategy: job.Strategy, Faults: job.Faults, Raw: job.Raw,
		Strict: job.Strict, MaxTime: job.MaxTime, Workers: job.Workers, Clock: job.Clock,
	}, progress)
	if err != nil {
		return runner.ExitUsage, &runner.UsageError{Err: err}
	}
	rep.WriteText(out)
	if job.JSON != "" {
		if err := runner.WriteJSON(job.JSON, rep.Results); err != nil {
			return runner.ExitUsage, &runner.UsageError{Err: err}
		}
	}
	if job.Matrix != "" {
		if err := rep.WriteJSON(job.Matrix); err != nil {
			return runner.ExitUsage, &runner.UsageError{Err: err}
		}
	}
	return rep.Exit, nil
}
