package sweep

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/runner"
	"github.com/syncsim/syncsim/runner/tracefile"
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
	// TraceDir, if set, is the directory that gets the trace file of each failing cell's smallest
	// failing seed.
	TraceDir string
	// Baseline, if set, is the baseline file every scenario is judged against (`--baseline`),
	// overriding the scenarios' own `baseline:` fields; a scenario it has no cells for keeps the
	// ordinary rules.
	Baseline string
	// WriteBaseline, if set, is the file the sweep's counts are recorded in as a baseline
	// (`--write-baseline`); Command is the command line recorded with it.
	WriteBaseline string
	Command       string
	// Alpha is the family-wise significance level against a baseline; 0 means DefaultAlpha.
	Alpha float64
	// Clock is Config.Clock (tests only).
	Clock func() time.Time
	// OnRun is Config.OnRun (a progress display).
	OnRun func(done, total, failures int)
	// Done, when set, gets the report, the scenarios and the outcome once the sweep has run and been
	// judged (the CLI writes its HTML and JUnit reports there: they show the outcome the exit code is).
	Done func(rep *Report, scs []*scenarios.Scenario, o runner.Outcome) error
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
	if job.Alpha < 0 || job.Alpha >= 1 {
		return runner.ExitUsage, &runner.UsageError{Err: fmt.Errorf("--alpha %g: want a level in (0, 1), e.g. 0.001", job.Alpha)}
	}
	baselines, err := loadBaselines(job, scs)
	if err != nil {
		return runner.ExitUsage, &runner.UsageError{Err: err}
	}
	rep, err := Sweep(Config{
		Scenarios: scs, Seeds: seeds, Shard: shard, Mode: job.Mode, Strategy: job.Strategy, Faults: job.Faults, Raw: job.Raw,
		Strict: job.Strict, MaxTime: job.MaxTime, Workers: job.Workers, Clock: job.Clock, OnRun: job.OnRun,
	}, progress)
	if err != nil {
		return runner.ExitUsage, &runner.UsageError{Err: err}
	}
	if job.WriteBaseline != "" {
		if job.Command == "" {
			job.Command = RecordCommand(job)
		}
		if err := WriteBaseline(job.WriteBaseline, BaselineOf(rep, job.Command)); err != nil {
			return runner.ExitUsage, &runner.UsageError{Err: err}
		}
		fmt.Fprintf(out, "baseline written: %s\n", job.WriteBaseline)
	}
	if err := rep.applyBaselines(baselines, job.Alpha); err != nil {
		return runner.ExitUsage, &runner.UsageError{Err: err}
	}
	// The one outcome: every artifact below shows it, and it is the exit code.
	o := OutcomeOf(rep)
	rep.WriteText(out)
	if job.JSON != "" {
		if err := runner.WriteJSON(job.JSON, rep.Results, o); err != nil {
			return runner.ExitUsage, &runner.UsageError{Err: err}
		}
	}
	if job.Matrix != "" {
		if err := rep.WriteJSON(job.Matrix); err != nil {
			return runner.ExitUsage, &runner.UsageError{Err: err}
		}
	}
	if job.TraceDir != "" {
		if err := writeTraces(job, scs, rep, out); err != nil {
			return runner.ExitUsage, &runner.UsageError{Err: err}
		}
	}
	if job.Done != nil {
		if err := job.Done(rep, scs, o); err != nil {
			return runner.ExitUsage, &runner.UsageError{Err: err}
		}
	}
	return o.Exit, nil
}

// RecordCommand is the command that records job's baseline again: the seeds, mode, strategy and
// faults it swept.
func RecordCommand(job Job) string {
	parts := []string{"go run ./cmd/simrun sweep --seeds", job.Seeds}
	if job.Mode != "" {
		parts = append(parts, "--mode", job.Mode)
	}
	if job.Strategy != "" {
		parts = append(parts, "--strategy", job.Strategy)
	}
	for _, f := range job.Faults {
		parts = append(parts, "--fault", f)
	}
	parts = append(parts, "--write-baseline", job.WriteBaseline)
	return strings.Join(append(parts, job.Paths...), " ")
}

// loaded is a baseline file read for a scenario.
type loaded struct {
	sc   *scenarios.Scenario
	file string
	b    *Baseline
}

// loadBaselines reads the baseline of every scenario that has one: --baseline for all, else the
// scenario's own field. A scenario's own field must name a file with the scenario's cells.
func loadBaselines(job Job, scs []*scenarios.Scenario) ([]loaded, error) {
	if job.WriteBaseline != "" && job.Baseline == "" {
		return nil, nil // recording a baseline: the scenarios' old ones neither judge it nor need to exist
	}
	cache := map[string]*Baseline{}
	read := func(file string) (*Baseline, error) {
		if b, ok := cache[file]; ok {
			return b, nil
		}
		b, err := ReadBaseline(file)
		cache[file] = b
		return b, err
	}
	var out []loaded
	for _, sc := range scs {
		file := job.Baseline
		if file == "" {
			file = sc.Baseline
		}
		if file == "" {
			continue
		}
		b, err := read(file)
		if err != nil {
			if job.Baseline == "" {
				return nil, fmt.Errorf("%s: baseline: %w", sc.Path, err)
			}
			return nil, fmt.Errorf("--baseline: %w", err)
		}
		if _, ok := b.For(sc.Name); !ok {
			if job.Baseline != "" {
				continue // --baseline covers some of the scenarios; the others keep the ordinary rules
			}
			return nil, fmt.Errorf("%w: %s: no cells for scenario %q, which names it (%s): record them with simrun sweep --seeds A-B --write-baseline %s %s", ErrBaseline, file, sc.Name, sc.Path, file, sc.Path)
		}
		out = append(out, loaded{sc, file, b})
	}
	return out, nil
}

// applyBaselines attaches the loaded baselines to the report and judges it.
func (r *Report) applyBaselines(ls []loaded, alpha float64) error {
	if len(ls) == 0 {
		return nil
	}
	for _, l := range ls {
		if err := l.b.checkSettings(l.file, r); err != nil {
			return err
		}
		cells, _ := l.b.For(l.sc.Name)
		r.Baselines = append(r.Baselines, AppliedBaseline{Scenario: l.sc.Path, File: l.file, Command: l.b.Command, Seeds: l.b.Seeds, Cells: cells})
	}
	r.Alpha = alpha
	r.Judge()
	return nil
}

// writeTraces writes the trace of every failing cell's smallest failing seed: runs are deterministic,
// so that seed is run once more, with its trace kept this time. One file per run, however many cells
// it fails; the file is named after the scenario, mode and seed.
func writeTraces(job Job, scs []*scenarios.Scenario, rep *Report, out io.Writer) error {
	if err := os.MkdirAll(job.TraceDir, 0o755); err != nil {
		return fmt.Errorf("--trace-dir: %w", err)
	}
	byPath := map[string]*scenarios.Scenario{}
	for _, sc := range scs {
		byPath[sc.Path] = sc
	}
	written := map[string]bool{}
	for _, c := range rep.Matrix {
		if !c.Failing() {
			continue
		}
		mode, err := host.ParseMode(c.Mode)
		if err != nil {
			return err
		}
		sc := byPath[c.Scenario]
		name := fmt.Sprintf("%s-%s-seed%d.json.gz", strings.TrimSuffix(filepath.Base(sc.Path), filepath.Ext(sc.Path)), c.Mode, *c.SmallestFailingSeed)
		path := filepath.Join(job.TraceDir, name)
		if written[path] {
			continue
		}
		res, err := runner.RunOne(sc, mode, *c.SmallestFailingSeed, runner.Options{Raw: job.Raw, Strategy: job.Strategy, Faults: job.Faults})
		if err != nil {
			return err
		}
		if err := tracefile.Write(path, runner.TraceFile(res), res.Secrets); err != nil {
			return fmt.Errorf("--trace-dir: %w", err)
		}
		written[path] = true
		fmt.Fprintf(out, "trace written: %s (%s %s)\n", path, c.Property, c.Mode)
	}
	return nil
}
