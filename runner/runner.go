package runner

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/check/outcome"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/live"
	"github.com/syncsim/syncsim/plant"
	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/scenarios/faults"
	"github.com/syncsim/syncsim/sim/world"
	"github.com/syncsim/syncsim/trace"
)

// Options change how runs are made and judged.
type Options struct {
	// Raw ignores the scenarios' expectations.
	Raw bool
	// Plant is the planted defects' interceptors (package plant; explore/mutants plants
	// one at a time); the zero value plants nothing.
	Plant plant.Set
	// Strategy names the exploration strategy ("" = the default).
	Strategy string
	// Faults are extra faults in the CLI's NAME[:param=value,...] form.
	Faults []string
	// Script makes the run follow a recorded schedule (replay, shrink).
	Script *trace.Schedule
	// Live, when set, runs over real HTTP with storage in Azure Storage (Azurite) instead of in the
	// simulator.
	Live *live.Options
	// Determinism decides, from the run's seed and its trace checkers' verdicts, whether the run is
	// made a second time to judge P12. nil makes every run twice (simrun run); simrun sweep makes a
	// sample of its runs twice (sweep.Sample). A run made once has no P12 verdict.
	Determinism func(seed uint64, verdicts []check.Verdict) bool
}

// Result is one judged run, in the shape `--json` writes.
type Result struct {
	Scenario   string          `json:"scenario"`
	Mode       string          `json:"mode"`
	Seed       uint64          `json:"seed"`
	TraceHash  string          `json:"trace_hash"`
	Verdicts   []check.Verdict `json:"verdicts"`
	EventCount int             `json:"event_count"`
	SimTimeMs  int64           `json:"sim_time_ms"`
	Outcome    string          `json:"outcome"`
	Replay     string          `json:"replay"`
	// Unjudged lists expected failures that no checker judged, so an expectation never passes silently.
	Unjudged []string `json:"unjudged_expectations,omitempty"`
	// P12 says why a simulated run has no P12 verdict: it was made once (Options.Determinism).
	P12 string `json:"p12,omitempty"`

	// Unfollowed lists what a Script asked for that never came up.
	Unfollowed []string `json:"unfollowed,omitempty"`
	// Live runs say so, with their wall time and the faults that could not be injected live.
	Live          bool     `json:"live,omitempty"`
	WallMs        int64    `json:"wall_ms,omitempty"`
	NotApplicable []string `json:"not_applicable,omitempty"`

	Trace *trace.Trace `json:"-"`
	// Schedule is the schedule the run followed.
	Schedule trace.Schedule `json:"-"`
	// Strategy and Faults are the options the run was made with.
	Strategy string   `json:"-"`
	Faults   []string `json:"-"`
	// ScenarioSHA256 identifies the scenario file's bytes.
	ScenarioSHA256 string `json:"-"`
	// Secrets are the credentials the run used, for the redaction of every output (P11).
	Secrets []string `json:"-"`
	// Wall is the wall time the run took, measured around it (both runs of P12 included); CheckTime
	// is the wall time each property's judgement took, by property ID (P12: the second run). The
	// JUnit report's times; never in --json, whose runs depend on the seed only.
	Wall      time.Duration            `json:"-"`
	CheckTime map[string]time.Duration `json:"-"`
	// Invocation is the outcome of the invocation the run belongs to, the same in every run of a
	// --json file (WriteJSON sets it), so that the file says what the exit code says.
	Invocation *Outcome `json:"invocation,omitempty"`
}

// RunOne runs a scenario in one mode with one seed, judges it and applies its expectations.
func RunOne(sc *scenarios.Scenario, mode host.Mode, seed uint64, opts Options) (*Result, error) {
	start := time.Now()
	res, err := runOne(sc, mode, seed, opts)
	if res != nil {
		res.Wall = time.Since(start)
	}
	return res, err
}

// runOne is RunOne without the wall time.
func runOne(sc *scenarios.Scenario, mode host.Mode, seed uint64, opts Options) (*Result, error) {
	if opts.Live != nil {
		return runLive(sc, mode, seed, opts)
	}
	wopts, err := opts.world()
	if err != nil {
		return nil, err
	}
	first, err := world.Run(sc, mode, seed, wopts)
	if err != nil {
		return nil, err
	}
	in := check.Input{Trace: first.Trace, Complete: first.Outcome.Reason.Complete(),
		Secrets: first.Secrets, ConvergenceBound: sc.ConvergenceBound}
	verdicts, times := judge(in)
	p12 := ""
	if opts.Determinism == nil || opts.Determinism(seed, verdicts) {
		// P12: the same scenario, mode and seed again, in this process.
		start := time.Now()
		second, err := world.Run(sc, mode, seed, wopts)
		if err != nil {
			return nil, err
		}
		verdicts = append(verdicts, determinism(first, second))
		times[check.PropP12.ID] = time.Since(start)
	} else {
		p12 = NotJudgedP12
	}
	check.SortByID(verdicts)
	res := &Result{
		Scenario: sc.Path, Mode: mode.String(), Seed: seed, TraceHash: first.TraceHash, Verdicts: verdicts,
		EventCount: first.Outcome.Events, SimTimeMs: first.Outcome.At.Milliseconds(), Outcome: string(first.Outcome.Reason),
		Replay: ReplayCommand(sc.Path, mode, seed, opts), Trace: first.Trace,
		Schedule: first.Schedule, Unfollowed: first.Unfollowed, Strategy: opts.Strategy, Faults: opts.Faults,
		ScenarioSHA256: sc.SHA256, Secrets: first.Secrets, P12: p12, CheckTime: times,
	}
	if !opts.Raw {
		res.Unjudged = ApplyExpectations(res.Verdicts, sc.Expected(mode))
	}
	return res, nil
}

// NotJudgedP12 is Result.P12 of a run Options.Determinism left out.
const NotJudgedP12 = "not judged: the run was made once, outside the sample of runs made twice"

// judge runs every trace checker on a run, timing each one.
func judge(in check.Input) ([]check.Verdict, map[string]time.Duration) {
	var verdicts []check.Verdict
	times := map[string]time.Duration{}
	for _, p := range check.TraceCheckers() {
		start := time.Now()
		v := p.Check(in)
		times[v.ID] += time.Since(start)
		verdicts = append(verdicts, v)
	}
	return verdicts, times
}

// determinism is P12 over two runs of the same scenario, mode and seed: their trace hashes, fed as
// the records were added, are compared; the records themselves only when the hashes differ, for the
// evidence (check.Determinism).
func determinism(first, second *world.Result) check.Verdict {
	if first.TraceHash == second.TraceHash {
		p := check.PropP12
		return check.Verdict{ID: p.ID, Name: p.Name, Level: p.Level, Status: check.Pass, Checked: len(first.Trace.Records)}
	}
	return check.Determinism(first.Trace, second.Trace)
}

// runLive makes one live run and judges it with the same checkers. P12 is not judged: a live run
// depends on real scheduling and is not expected to repeat itself.
func runLive(sc *scenarios.Scenario, mode host.Mode, seed uint64, opts Options) (*Result, error) {
	lr, err := live.Run(context.Background(), sc, mode, seed, *opts.Live)
	if err != nil {
		return nil, err
	}
	in := check.Input{Trace: lr.Trace, Complete: lr.Complete, Secrets: lr.Secrets, ConvergenceBound: sc.ConvergenceBound}
	verdicts, times := judge(in)
	check.SortByID(verdicts)
	outcome := "end"
	if !lr.Complete {
		outcome = "interrupted"
	}
	res := &Result{
		Scenario: sc.Path, Mode: mode.String(), Seed: seed, TraceHash: lr.Trace.Hash(), Verdicts: verdicts,
		EventCount: lr.Events, SimTimeMs: lr.End.Milliseconds(), Outcome: outcome, Live: true, WallMs: lr.Wall.Milliseconds(),
		NotApplicable: lr.NotApplicable, Trace: lr.Trace, Strategy: "live", Faults: opts.Faults, ScenarioSHA256: sc.SHA256,
		Schedule: trace.ScheduleOf(lr.Trace), Secrets: lr.Secrets,
		Replay: LiveReplayCommand(sc.Path, mode, seed, opts.Live.TimeScale), CheckTime: times,
	}
	if !opts.Raw {
		res.Unjudged = ApplyExpectations(res.Verdicts, sc.Expected(mode))
	}
	return res, nil
}

// world turns the options into the world's, parsing the CLI's fault specs.
func (o Options) world() (world.Options, error) {
	w := world.Options{Plant: o.Plant, Strategy: o.Strategy, Script: o.Script}
	for _, f := range o.Faults {
		spec, err := faults.Parse(f)
		if err != nil {
			return w, fmt.Errorf("--fault %s: %w", f, err)
		}
		w.Faults = append(w.Faults, spec)
	}
	return w, nil
}

// ApplyExpectations turns expected failures into xfail and expected failures that did not happen into
// xpass (DESIGN.md: like pytest's strict xfail). It returns the expected IDs no verdict judged.
func ApplyExpectations(vs []check.Verdict, expected []string) []string {
	var unjudged []string
	for _, id := range expected {
		found := false
		for i := range vs {
			if vs[i].ID != id {
				continue
			}
			found = true
			switch vs[i].Status {
			case check.Fail:
				vs[i].Status = check.XFail
			case check.Pass:
				vs[i].Status = check.XPass
				vs[i].Evidence = append(vs[i].Evidence, check.Note("expected to fail in this mode (scenario `expect`), but passed"))
			}
		}
		if !found {
			unjudged = append(unjudged, id)
		}
	}
	return unjudged
}

// LiveReplayCommand is the command that runs a live run again: the same scenario, mode, seed and
// time scale (real scheduling is not seeded, so it repeats the run's choices, not its interleaving).
func LiveReplayCommand(path string, mode host.Mode, seed uint64, scale float64) string {
	return "simrun run --live --time-scale " + strconv.FormatFloat(scale, 'g', -1, 64) + " --mode " + mode.String() +
		" --seed " + strconv.FormatUint(seed, 10) + " " + shellQuote(path)
}

// ReplayCommand is the one command that replays a run.
func ReplayCommand(path string, mode host.Mode, seed uint64, opts Options) string {
	cmd := "simrun run --mode " + mode.String() + " --seed " + strconv.FormatUint(seed, 10)
	if opts.Strategy != "" {
		cmd += " --strategy " + opts.Strategy
	}
	for _, f := range opts.Faults {
		cmd += " --fault " + shellQuote(f)
	}
	if opts.Raw {
		cmd += " --raw"
	}
	return cmd + " " + shellQuote(path)
}

// shellQuote quotes a word for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,@%+") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Exit codes (DESIGN.md "The CLI"; package outcome). ExitInternal is a panic the CLI caught: no
// input may cause one. Go's own fatal errors (out of memory, stack exhaustion, concurrent map
// writes) cannot be caught and exit 2, which reads as ExitInconclusive: every input is bounded so
// that none happens.
const (
	ExitOK           = outcome.ExitOK
	ExitFailed       = outcome.ExitFailed
	ExitInconclusive = outcome.ExitInconclusive
	ExitUsage        = outcome.ExitUsage
	ExitInternal     = outcome.ExitInternal
)

// ExitCode folds results into the CLI's exit code: 1 when a MUST property failed unexpectedly or an
// expected failure did not happen (a fail beats an inconclusive), 2 when only inconclusive verdicts
// stand in the way, else 0. SHOULD failures gate only with strict; MAY never. It is Judge's exit code.
func ExitCode(results []*Result, strict bool) int { return Judge(results, strict).Exit }

func gates(l check.Level, strict bool) bool { return l == check.Must || (l == check.Should && strict) }

// Failed reports whether a run has a verdict that gates (for printing its replay command).
func (r *Result) Failed(strict bool) bool { return ExitCode([]*Result{r}, strict) != ExitOK }

// ModesFor resolves `--mode`: "" means the modes the scenario names, "all" every implemented mode.
func ModesFor(sc *scenarios.Scenario, flag string) ([]host.Mode, error) {
	switch flag {
	case "":
		return sc.Modes, nil
	case "all":
		return host.Modes(), nil
	}
	m, err := host.ParseMode(flag)
	if err != nil {
		// `all` is this flag's own choice beside the host's modes, so the error lists it too.
		return nil, fmt.Errorf("--mode: unknown mode %q (fix: one of %s, or all for every mode)", flag, strings.Join(host.ModeNames(), ", "))
	}
	return []host.Mode{m}, nil
}
