package sweep

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/runner"
	"github.com/syncsim/syncsim/scenarios"
)

// Config is what a sweep runs.
type Config struct {
	// OnRun, when set, is called after each run is folded in, with the runs done, the runs planned
	// and the failing runs so far (a progress display).
	OnRun func(done, total, failures int)
	// Scenarios are loaded by the caller (scenarios.LoadAll); the report keeps their order.
	Scenarios []*scenarios.Scenario
	// Seeds is the inclusive range of seeds asked for.
	Seeds Range
	// Shard, if not zero, runs only this shard's block of Seeds (Shard.Block); the report records it
	// so that `simrun merge` can combine the shards' reports.
	Shard Shard
	// Mode is runner.ModesFor's flag: "" each scenario's modes, "all" every mode, or one mode's name.
	Mode string
	// Strategy, Faults and Raw pass through to every run (runner.Options).
	Strategy string
	Faults   []string
	Raw      bool
	// Strict makes SHOULD failures gate the exit code too.
	Strict bool
	// MaxTime is a wall-clock budget: when it has run out no new seed is dispatched; the runs in flight
	// finish. Zero means no limit. The first seed always runs.
	MaxTime time.Duration
	// Workers is the number of runs made at once; 0 means runtime.NumCPU().
	Workers int
	// Clock reads the wall clock for MaxTime; nil means time.Now. Tests inject a fake.
	Clock func() time.Time
	// Adjust, when set, changes every run's options: explore/mutants and tests plant a bug with it.
	Adjust func(*runner.Options)
}

// ErrNoScenarios is returned when a sweep is given nothing to run.
var ErrNoScenarios = errors.New("sweep: no scenarios to run")

// unit is one (scenario, mode) pair; every seed runs every unit.
type unit struct {
	sc   *scenarios.Scenario
	mode host.Mode
}

// job is one run, numbered in the order runs are folded: seed-major, then scenario, then mode.
type job struct {
	index int
	seed  uint64
	unit  unit
}

// done is a finished run reduced to what the matrix needs, so a long sweep holds no traces.
type done struct {
	index    int
	seed     uint64
	unit     unit
	verdicts []verdict
	replay   string
	exit     int
	err      error
	// panicked is set when the run panicked; the sweep raises it again on the caller's goroutine.
	panicked *WorkerPanic
	// result is the run without its trace, for the runs array of --json.
	result *runner.Result
	// p12 is set when the run was made twice and P12 judged (Sample).
	p12 bool
	// firings are the run's armed faults and how often each fired, read off the trace before it is
	// dropped.
	firings []runFiring
}

// Sweep runs every seed of cfg.Seeds (of cfg.Shard's block of them, if set) in every mode of every
// scenario and returns the matrix. Runs go to cfg.Workers goroutines; results are folded in seed
// order, so the report does not depend on the interleaving. A run that cannot be made (an invalid mode, a scenario the world rejects) stops the
// sweep with that error; a run that panics stops it too, and once every worker has stopped the panic
// is raised again on the caller's goroutine as a *WorkerPanic. progress, if not nil, gets a line for
// each cell's first failure and a count every tenth of the seeds.
func Sweep(cfg Config, progress io.Writer) (*Report, error) {
	if len(cfg.Scenarios) == 0 {
		return nil, ErrNoScenarios
	}
	if cfg.Seeds.To < cfg.Seeds.From {
		return nil, fmt.Errorf("sweep: seed range %d-%d ends before it starts", cfg.Seeds.From, cfg.Seeds.To)
	}
	if cfg.Workers < 0 {
		return nil, fmt.Errorf("sweep: --workers must be at least 1 (got %d)", cfg.Workers)
	}
	if cfg.MaxTime < 0 {
		return nil, fmt.Errorf("sweep: --max-time must not be negative (got %s)", cfg.MaxTime)
	}
	span, err := cfg.Shard.Block(cfg.Seeds)
	if err != nil {
		return nil, err
	}
	units, err := plan(cfg)
	if err != nil {
		return nil, err
	}
	if progress == nil {
		progress = io.Discard
	}
	agg := newAggregate(cfg, span, units, progress)
	tally := newFiringTally()
	stopped, err := execute(cfg, span, units, func(d done) {
		agg.add(d)
		tally.add(d.unit.sc.Path, d.firings)
	})
	if err != nil {
		return nil, err
	}
	rep := agg.report(stopped)
	rep.FaultFirings = tally.summary(rep.Scenarios)
	return rep, nil
}

// plan lists the (scenario, mode) pairs each seed runs, in report order.
func plan(cfg Config) ([]unit, error) {
	var units []unit
	for _, sc := range cfg.Scenarios {
		modes, err := runner.ModesFor(sc, cfg.Mode)
		if err != nil {
			return nil, err
		}
		for _, m := range modes {
			units = append(units, unit{sc, m})
		}
	}
	if len(units) == 0 {
		return nil, errors.New("sweep: the scenarios name no mode to run")
	}
	return units, nil
}

// execute owns the goroutines: one dispatcher hands out the whole seeds of span in increasing order
// until they or the time budget run out, the workers make the runs, and the caller's goroutine folds the results
// in job order through fold. It reports whether MaxTime stopped the dispatch. Because only whole
// seeds are dispatched and every dispatched run finishes, the folded seeds are a prefix of span.
func execute(cfg Config, span Range, units []unit, fold func(done)) (stopped bool, err error) {
	now := cfg.Clock
	if now == nil {
		now = time.Now
	}
	workers := cfg.Workers
	if workers == 0 {
		workers = runtime.NumCPU()
	}
	opts := RunOptions(cfg)
	if cfg.Adjust != nil {
		cfg.Adjust(&opts)
	}
	defer TuneGC(workers)()
	jobs := make(chan job)
	results := make(chan done, workers)
	abort := make(chan struct{})

	start := now()
	go func() {
		defer close(jobs)
		index := 0
		for seed := span.From; ; seed++ {
			if seed > span.From && cfg.MaxTime > 0 && now().Sub(start) >= cfg.MaxTime {
				stopped = true // read after the workers are done: close(jobs) orders it
				return
			}
			for _, u := range units {
				select {
				case jobs <- job{index, seed, u}:
					index++
				case <-abort:
					return
				}
			}
			if seed == span.To {
				return
			}
		}
	}()

	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				results <- run(j, opts, cfg.Strict)
			}
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()

	pending := map[int]done{}
	next := 0
	var firstErr, firstPanic *done
	for d := range results {
		if d.err != nil || d.panicked != nil {
			if firstErr == nil && firstPanic == nil {
				close(abort)
			}
			switch {
			case d.panicked != nil && (firstPanic == nil || d.index < firstPanic.index):
				firstPanic = &d
			case d.panicked == nil && (firstErr == nil || d.index < firstErr.index):
				firstErr = &d
			}
			continue
		}
		pending[d.index] = d
		for {
			d, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			if firstErr == nil {
				fold(d)
			}
		}
	}
	// Every worker has stopped (results is closed): the first panic in job order is raised here,
	// where the caller can recover it. A panic beats an error: it is a bug, not an input problem.
	if firstPanic != nil {
		panic(firstPanic.panicked)
	}
	if firstErr != nil {
		return false, fmt.Errorf("%s mode=%s seed=%d: %w", firstErr.unit.sc.Path, firstErr.unit.mode, firstErr.seed, firstErr.err)
	}
	return stopped, nil
}

// RunOptions are the options every run of the sweep is made with: the configuration's, and P12
// judged on the sweep's Sample (before Config.Adjust).
func RunOptions(cfg Config) runner.Options {
	return runner.Options{Raw: cfg.Raw, Strategy: cfg.Strategy, Faults: cfg.Faults,
		Determinism: Sample{First: cfg.Seeds.From}.Rerun}
}

// runOne is runner.RunOne; tests replace it to make runs fail.
var runOne = runner.RunOne

// run makes one run and keeps only what the matrix needs. A panic in the run is recovered into the
// result, with the worker's stack, so that it can be raised again on the caller's goroutine.
func run(j job, opts runner.Options, strict bool) (d done) {
	d = done{index: j.index, seed: j.seed, unit: j.unit}
	defer func() {
		if r := recover(); r != nil {
			d.panicked = &WorkerPanic{Value: r, Stack: debug.Stack(), Scenario: j.unit.sc.Path, Mode: j.unit.mode.String(), Seed: j.seed}
		}
	}()
	res, err := runOne(j.unit.sc, j.unit.mode, j.seed, opts)
	if err != nil {
		d.err = err
		return d
	}
	d.firings = firingsOf(res.Trace)
	res.Trace = nil
	d.result = res
	d.replay = res.Replay
	d.exit = runner.ExitCode([]*runner.Result{res}, strict)
	for _, v := range res.Verdicts {
		d.verdicts = append(d.verdicts, verdict{id: v.ID, name: v.Name, level: string(v.Level), status: string(v.Status)})
		d.p12 = d.p12 || v.ID == check.PropP12.ID
	}
	return d
}
