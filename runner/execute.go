package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/live"
	"github.com/syncsim/syncsim/live/azurite"
	"github.com/syncsim/syncsim/output"
	"github.com/syncsim/syncsim/output/redact"
	"github.com/syncsim/syncsim/runner/tracefile"
	"github.com/syncsim/syncsim/scenarios"
)

// Job is what `simrun run` was asked to do.
type Job struct {
	Paths  []string
	Mode   string
	Seed   uint64
	Runs   int
	Raw    bool
	Strict bool
	JSON   string
	// Strategy and Faults pass through to every run (see Options).
	Strategy string
	Faults   []string
	// TraceOut, when set, is where each run's trace file goes (see TraceOutPath).
	TraceOut string
	// Live runs over real HTTP with the hash blob in Azure Storage: Azurite started by syncsim
	// (AzuriteProvider: "" auto, "npm", "container"), or the account of Storage (a connection string).
	Live            bool
	TimeScale       float64
	Storage         string
	AzuriteProvider string
	// Log gets the live runtime's notes (which Azurite ran, faults not applicable live).
	Log io.Writer
	// WriteTrace, when set, writes one run's trace to path for TraceOut, in the format the caller
	// chose (the CLI's --trace-format); nil writes the trace file replay, shrink and explain read.
	WriteTrace func(path string, r *Result) error
	// Done, when set, gets every run and the invocation's outcome once all have run and been judged
	// (the CLI writes its reports there: they show the outcome the exit code is).
	Done func(results []*Result, o Outcome) error
	// Coverage is the coverage gate's setting (--coverage): "" or "auto" gates when several scenario
	// files run in the simulator, "gate" always, "report" never (the lines are printed either way).
	Coverage string
}

// UsageError is a problem with the command line, a scenario file or the environment: exit 3.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Execute loads the scenarios, runs every one in every mode for Runs seeds from Seed, prints one block
// per run and a summary to out, writes the JSON file if asked, and returns the exit code.
func Execute(job Job, out io.Writer) (int, error) {
	if !slices.Contains([]string{"", "auto", "gate", "report"}, job.Coverage) {
		return ExitUsage, &UsageError{fmt.Errorf("--coverage %q: use auto, gate or report", job.Coverage)}
	}
	if job.Runs < 1 {
		return ExitUsage, &UsageError{fmt.Errorf("--runs must be at least 1 (got %d)", job.Runs)}
	}
	scs, err := scenarios.LoadAll(job.Paths...)
	if err != nil {
		return ExitUsage, &UsageError{err}
	}
	// PAY-4: the scenarios' keys are masked by value in everything printed from here on.
	redact.Declare(out, scenarios.Secrets(scs...)...)
	redact.Declare(job.Log, scenarios.Secrets(scs...)...)
	opts := Options{Raw: job.Raw, Strategy: job.Strategy, Faults: job.Faults}
	if job.Live {
		stop, lopts, err := startLive(job)
		if err != nil {
			return ExitUsage, &UsageError{err}
		}
		defer stop()
		opts.Live = lopts
	}
	var results []*Result
	for _, sc := range scs {
		modes, err := ModesFor(sc, job.Mode)
		if err != nil {
			return ExitUsage, &UsageError{err}
		}
		for _, mode := range modes {
			for i := 0; i < job.Runs; i++ {
				res, err := RunOne(sc, mode, job.Seed+uint64(i), opts)
				if err != nil {
					return ExitUsage, &UsageError{err}
				}
				results = append(results, res)
				PrintResult(out, res, job.Strict)
			}
		}
	}
	if job.TraceOut != "" {
		for _, r := range results {
			path := TraceOutPath(job.TraceOut, r, len(results) > 1)
			write := job.WriteTrace
			if write == nil {
				write = WriteTraceFile
			}
			if err := write(path, r); err != nil {
				return ExitUsage, &UsageError{fmt.Errorf("--trace-out: %w", err)}
			}
			fmt.Fprintf(out, "trace written: %s\n", path)
		}
	}
	// The coverage gate: a property vacuous in every run of a directory's scenarios is a gap.
	gate := CoverageGate(len(scs), job.Live)
	switch job.Coverage {
	case "gate":
		gate = true
	case "report":
		gate = false
	}
	// The one outcome: every artifact below shows it, and it is the exit code.
	o := Judge(results, job.Strict)
	cov := CoverageOf(results)
	if never := PrintCoverage(out, cov, gate); gate {
		o.Add(CoverageReasons(cov, never)...)
	}
	PrintSummary(out, results, o)
	if job.JSON != "" {
		if err := WriteJSON(job.JSON, results, o); err != nil {
			return ExitUsage, &UsageError{err}
		}
	}
	if job.Done != nil {
		if err := job.Done(results, o); err != nil {
			return ExitUsage, &UsageError{err}
		}
	}
	return o.Exit, nil
}

// PrintResult writes one run: a headline, one line per verdict, evidence of failures and the replay
// command of a run that gates.
func PrintResult(w io.Writer, r *Result, strict bool) {
	state := "ok"
	if r.Failed(strict) {
		state = "FAILED"
	}
	fmt.Fprintf(w, "%s  mode=%s seed=%d  %s  events=%d sim=%dms outcome=%s trace_hash=%s\n",
		r.Scenario, r.Mode, r.Seed, state, r.EventCount, r.SimTimeMs, r.Outcome, r.TraceHash)
	for _, v := range r.Verdicts {
		note := ""
		if v.Vacuous() {
			note = " (vacuous)"
		}
		fmt.Fprintf(w, "  %-4s %-6s %-12s checked=%d%s  %s\n", v.ID, v.Level, v.Status, v.Checked, note, v.Name)
		if v.Status == check.Fail || v.Status == check.XPass || v.Status == check.Inconclusive || v.Status == check.XFail {
			for _, e := range v.Evidence {
				fmt.Fprintf(w, "         %s\n", e)
			}
		}
	}
	if r.Live {
		fmt.Fprintf(w, "  live run: %d ms of wall time; P12 is judged only in the simulator\n", r.WallMs)
		for _, f := range r.NotApplicable {
			fmt.Fprintf(w, "  note: fault %s is not applicable in live mode\n", f)
		}
	}
	for _, id := range r.Unjudged {
		fmt.Fprintf(w, "  note: expectation %s is not judged by this build\n", id)
	}
	if r.Failed(strict) {
		fmt.Fprintf(w, "  replay: %s\n", r.Replay)
	}
}

// PrintSummary writes the closing lines: the runs, the verdicts by status (failures split into those
// that gate and those only reported, as the JUnit report counts them), the exit code, and under it
// every reason for it.
func PrintSummary(w io.Writer, results []*Result, o Outcome) {
	counts := map[check.Status]int{}
	failedRuns, reported := 0, 0
	for _, r := range results {
		for _, v := range r.Verdicts {
			counts[v.Status]++
			if kind, _, ok := verdictReason(v, o.Strict); ok && kind == ReasonReported {
				reported++
			}
		}
		if r.Failed(o.Strict) {
			failedRuns++
		}
	}
	var parts []string
	for _, s := range []check.Status{check.Pass, check.Fail, check.XFail, check.XPass, check.Inconclusive} {
		part := fmt.Sprintf("%d %s", counts[s], s)
		if s == check.Fail && reported > 0 {
			part += fmt.Sprintf(" (%d gating, %d reported)", counts[s]-reported, reported)
		}
		parts = append(parts, part)
	}
	fmt.Fprintf(w, "\n%d runs, %d failing; verdicts: %s; exit %d (%s)\n", len(results), failedRuns, strings.Join(parts, ", "), o.Exit, o.Verdict)
	for _, r := range o.Reasons {
		fmt.Fprintf(w, "  %s\n", r.Line())
	}
}

// WriteJSON writes the runs as a JSON array (DESIGN.md: `--json` always writes an array of runs),
// each run with the invocation's outcome o.
func WriteJSON(path string, results []*Result, o Outcome) error {
	if results == nil {
		results = []*Result{}
	}
	inv := jsonOutcome(o)
	runs := make([]Result, len(results))
	for i, r := range results {
		runs[i] = *r
		runs[i].Invocation = &inv
	}
	data, err := json.MarshalIndent(runs, "", "  ")
	if err != nil {
		return err
	}
	// P11 (PAY-4): the file goes through the one redaction, with every run's secrets.
	var secrets []string
	for _, r := range results {
		secrets = append(secrets, r.Secrets...)
	}
	if err := output.WriteFile(path, append(data, '\n'), secrets); err != nil {
		return fmt.Errorf("--json: %w", err)
	}
	return nil
}

// maxJSONReasons bounds the reasons each run of a --json file repeats: the exit code, the verdict
// and the first reasons (the gating ones come first) say why; the text has them all.
const maxJSONReasons = 8

// jsonOutcome is o as each run of a --json file carries it: its reasons bounded.
func jsonOutcome(o Outcome) Outcome {
	if len(o.Reasons) > maxJSONReasons {
		rest := len(o.Reasons) - maxJSONReasons
		o.Reasons = append(o.Reasons[:maxJSONReasons:maxJSONReasons], Reason{Kind: o.Reasons[maxJSONReasons].Kind,
			Exit: o.Reasons[maxJSONReasons].Exit, Text: fmt.Sprintf("... and %d more reason(s): the command's text output lists them", rest)})
	}
	return o
}

// startLive starts (or reaches) the storage for live runs and says which; stop stops it, and Ctrl-C
// stops it too.
func startLive(job Job) (func(), *live.Options, error) {
	log := job.Log
	if log == nil {
		log = io.Discard
	}
	if job.Strategy != "" {
		return nil, nil, fmt.Errorf("--strategy does not apply to --live runs: real scheduling decides")
	}
	if s := job.TimeScale; math.IsNaN(s) || math.IsInf(s, 0) || s < 0 {
		return nil, nil, fmt.Errorf("--time-scale %v: give a positive number of real seconds per scenario second (0 or absent: %v)", s, live.DefaultTimeScale)
	}
	uninstall := azurite.StopOnSignal()
	inst, err := azurite.Start(context.Background(), azurite.Options{Provider: job.AzuriteProvider, ConnectionString: job.Storage, Log: log})
	if err != nil {
		uninstall()
		return nil, nil, fmt.Errorf("--live: %w", err)
	}
	scale := job.TimeScale
	if scale <= 0 {
		scale = live.DefaultTimeScale
	}
	stop := func() {
		inst.Stop()
		uninstall()
	}
	return stop, &live.Options{ConnectionString: inst.ConnectionString, TimeScale: scale, Log: log}, nil
}

// WriteTraceFile writes one run's trace file, the one replay, shrink and explain read.
func WriteTraceFile(path string, r *Result) error {
	return tracefile.Write(path, TraceFile(r), r.Secrets)
}
