package html

import (
	"bytes"
	"fmt"
	"path/filepath"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/check/outcome"
	"github.com/syncsim/syncsim/output"
	"github.com/syncsim/syncsim/output/redact"
	"github.com/syncsim/syncsim/runner/sweep"
	"github.com/syncsim/syncsim/runner/tracefile"
)

// Options change what a report shows.
type Options struct {
	// Title heads the page; "" gives "syncsim run", "syncsim sweep" or "syncsim conformance".
	Title string
	// Command is the command line that made the report, shown in the summary ("" shows none).
	Command string
	// Secrets are masked as "[redacted]" wherever they would appear (P11); JWT-shaped tokens are
	// masked always. scenarios.Secrets lists the scenarios' keys.
	Secrets []string
	// Strict makes SHOULD failures gate (run and conformance; a sweep report carries its own).
	Strict bool
	// MaxDiagrams bounds the sequence diagrams drawn (0: DefaultMaxDiagrams). A run report draws the
	// first failing run of each scenario and mode.
	MaxDiagrams int
	// MaxRows bounds the rows of one sequence diagram after folding (0: DefaultMaxRows); the rows
	// around the breaking events, faults and cited records are kept first.
	MaxRows int
}

// Defaults for Options.
const (
	DefaultMaxDiagrams = 12
	DefaultMaxRows     = 400
)

// ConformanceMeta says which suite ran against what.
type ConformanceMeta struct {
	// Suite is the suite's name: system, mesh, frontend or host.
	Suite string
	// Targets name the endpoints under test ("mesh http://127.0.0.1:7071"); never give a key here.
	Targets []string
}

// FileName is the report's file inside its directory.
const FileName = "index.html"

// Run is one judged run of `simrun run`, as its report draws it.
type Run struct {
	Scenario string
	Mode     string
	Seed     uint64
	Verdicts []check.Verdict
	// Replay is the command that replays the run.
	Replay string
	// Trace is the run's trace file; nil for a run that kept no trace, which gets no diagram and
	// whose coverage comes from Firings.
	Trace *tracefile.File
	// Firings are the fault firings of the schedule the run followed ("label@place#n").
	Firings []string
}

// WriteRun writes dir/index.html for the runs of `simrun run`: the summary with the invocation's
// outcome o (the exit code and what failed, first), a sequence diagram for the first failing run of
// each scenario and mode, the matrix over the runs' seeds, a sequence diagram for the first failing
// run (from Run.Trace; runs without a trace get none), coverage from the
// traces' fault firings and sync points, and the P13 latencies.
func WriteRun(dir string, runs []Run, o outcome.Outcome, opts Options) error {
	red := redact.New(opts.Secrets)
	p := newPage("run", opts, o, red)
	p.Facts = runFacts(runs)
	p.Counts = statusCounts(verdictsOf(runs))
	var files []failureInput
	seen := map[string]bool{}
	for _, r := range runs {
		key := r.Scenario + "\x00" + r.Mode
		if r.Trace == nil || seen[key] || !hasFailure(r.Verdicts) {
			continue
		}
		seen[key] = true
		files = append(files, failureInput{file: r.Trace, replay: r.Replay})
	}
	p.addFailures(files, opts)
	p.Matrices = matrices(cellsFromRuns(runs), opts.Strict, p.anchors, red)
	cov := newCoverage()
	for _, r := range runs {
		if r.Trace != nil {
			if err := cov.addRecords(r.Trace.Records); err != nil {
				return err
			}
		} else {
			cov.addSchedule(r.Firings)
		}
	}
	p.Coverage = cov.view()
	p.Latency = latencyOf(verdictLists(runs))
	return p.write(dir)
}

// WriteSweep writes dir/index.html for a sweep: the summary with the sweep's outcome o (the exit
// code and what failed, first; sweep.OutcomeOf), a sequence diagram per trace in traces (the failing cells' smallest failing seeds, shrunk when
// available: sweep.FailingTraces makes them; each with its cell's replay command), coverage from the runs' schedules (fault firings) and the
// traces' sync points, its matrix, and the P13 latencies of every run (Report.Results).
func WriteSweep(dir string, rep *sweep.Report, traces []*tracefile.File, o outcome.Outcome, opts Options) error {
	if rep == nil {
		return fmt.Errorf("html: no sweep report")
	}
	red := redact.New(opts.Secrets)
	p := newPage("sweep", opts, o, red)
	p.Facts = sweepFacts(rep)
	var vs [][]check.Verdict
	for _, r := range rep.Results {
		vs = append(vs, r.Verdicts)
	}
	var all []check.Verdict
	for _, l := range vs {
		all = append(all, l...)
	}
	p.Counts = statusCounts(all)
	var files []failureInput
	for _, f := range traces {
		if f != nil {
			files = append(files, failureInput{file: f, replay: replayFor(rep, f)})
		}
	}
	p.addFailures(files, opts)
	p.Matrices = matrices(rep.Matrix, rep.Strict, p.anchors, red)
	cov := newCoverage()
	for _, f := range traces {
		if f != nil {
			if err := cov.addReached(f.Records); err != nil {
				return err
			}
		}
	}
	for _, r := range rep.Results {
		cov.addSchedule(r.Schedule.Firings)
	}
	if len(rep.Results) == 0 { // a report read back from JSON: only the traces tell
		for _, f := range traces {
			if f != nil {
				if err := cov.addFired(f.Records); err != nil {
					return err
				}
			}
		}
	}
	p.Coverage = cov.view()
	if len(vs) == 0 {
		for _, f := range traces {
			if f != nil {
				vs = append(vs, f.Verdicts)
			}
		}
	}
	p.Latency = latencyOf(vs)
	return p.write(dir)
}

// ConformanceRule is one rule's verdict with the contract's statement of the rule.
type ConformanceRule struct {
	Verdict   check.Verdict
	Statement string
}

// WriteConformance writes dir/index.html for a conformance suite, in the contract's words: the
// summary with the suite's outcome o (the exit code and the rules not met, first), then each rule
// with its level, statement, verdict, the situations observed and what was observed.
func WriteConformance(dir string, rules []ConformanceRule, meta ConformanceMeta, o outcome.Outcome, opts Options) error {
	red := redact.New(opts.Secrets)
	p := newPage("conformance", opts, o, red)
	p.Facts = []fact{{"suite", red.String(meta.Suite)}, {"rules", fmt.Sprint(len(rules))}}
	for _, t := range meta.Targets {
		p.Facts = append(p.Facts, fact{"target", red.String(t)})
	}
	if opts.Strict {
		p.Facts = append(p.Facts, fact{"strict", "SHOULD rules gate"})
	}
	var vs []check.Verdict
	for _, r := range rules {
		vs = append(vs, r.Verdict)
		row := verdictRow(r.Verdict, opts.Strict, red)
		row.Statement = red.String(r.Statement)
		p.Rules = append(p.Rules, row)
	}
	// A conformance suite has no expectations: its verdicts are pass, fail and inconclusive only.
	for _, c := range statusCounts(vs) {
		if c.Status != string(check.XFail) && c.Status != string(check.XPass) {
			p.Counts = append(p.Counts, c)
		}
	}
	return p.write(dir)
}

// write renders the page and writes it, masked once more as a whole.
func (p *page) write(dir string) error {
	p.linkReasons()
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, p); err != nil {
		return fmt.Errorf("html: %w", err)
	}
	// The one redaction masks the page as a whole once more, and P11 judges it as it is written.
	if err := output.WriteFile(filepath.Join(dir, FileName), p.red.Bytes(b.Bytes()), p.secrets); err != nil {
		return fmt.Errorf("html: %w", err)
	}
	return nil
}
