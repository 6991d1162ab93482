// Package outcome is what an invocation of syncsim ends with: its exit code and every reason for it
// (failing verdicts, expected failures that did not happen, the coverage gate, baseline regressions,
// inconclusive verdicts, input and usage errors). The command computes one Outcome (runner's
// Judge, runner/sweep's OutcomeOf, a conformance report) and hands it to every writer: the text,
// --json, --matrix, JUnit and HTML all render the same value, so none can say anything else than the
// exit code does.
//
//	var o outcome.Outcome
//	o.Add(outcome.Reason{Kind: outcome.Coverage, Exit: outcome.ExitFailed, Text: "P7 examined nothing"})
//	fmt.Println(o.Exit, o.Verdict, o.Lines(0))
package outcome

import (
	"fmt"
	"sort"
)

// Exit codes (DESIGN.md "The CLI"). ExitInternal is a panic the CLI caught: no input may cause
// one. Go's own fatal errors (out of memory, stack exhaustion, concurrent map writes) cannot be
// caught and exit 2, which reads as ExitInconclusive: every input is bounded so that none happens.
const (
	ExitOK           = 0
	ExitFailed       = 1
	ExitInconclusive = 2
	ExitUsage        = 3
	ExitInternal     = 4
)

// Kind names a cause of an invocation's exit code.
type Kind string

// The causes an invocation's exit code can have (DESIGN.md "The CLI"), and one that does not gate.
const (
	// Fail is a gating verdict that failed unexpectedly: a MUST property, or a SHOULD one
	// with --strict. Exit 1.
	Fail Kind = "fail"
	// XPass is an expected failure (the scenario's expect) that did not happen. Exit 1.
	XPass Kind = "xpass"
	// Coverage is the coverage gate: a property that examined nothing in any run. Exit 1.
	Coverage Kind = "coverage-gate"
	// Regression is a cell that fails significantly more often than in its baseline (or
	// fails where the baseline never did). Exit 1; an inconclusive regression exits 2.
	Regression Kind = "regression"
	// Inconclusive is a gating verdict that could not be judged (a budget ended its run
	// before its settle window did). Exit 2.
	Inconclusive Kind = "inconclusive"
	// Error is a usage, input or environment error. Exit 3.
	Error Kind = "error"
	// Reported is a failure that does not gate (a SHOULD property without --strict, a MAY
	// one): every artifact shows it, none counts it against the exit code. Exit 0.
	Reported Kind = "reported"
)

// Reason is one cause of an invocation's outcome: what failed, where, and the exit code it alone
// calls for. Reasons about verdicts group the runs of one (scenario, mode, property).
type Reason struct {
	Kind Kind `json:"kind"`
	// Exit is the code this reason alone calls for: 0 for Reported.
	Exit     int    `json:"exit"`
	Scenario string `json:"scenario,omitempty"`
	Mode     string `json:"mode,omitempty"`
	Property string `json:"property,omitempty"`
	Name     string `json:"name,omitempty"`
	Level    string `json:"level,omitempty"`
	// Runs counts the runs the reason holds in; Seed is the smallest of their seeds.
	Runs int     `json:"runs,omitempty"`
	Seed *uint64 `json:"seed,omitempty"`
	// Replay is the command that replays the smallest seed.
	Replay string `json:"replay,omitempty"`
	// Text is the reason as one line a person reads.
	Text string `json:"text"`
}

// Gates reports whether the reason decides a non-zero exit code.
func (r Reason) Gates() bool { return r.Exit != ExitOK }

// Outcome is what an invocation ends with: its exit code and every reason for it. It is computed
// once per invocation (Judge, then Add for the gates that apply) and handed to every writer (the
// text, --json, --matrix, JUnit and HTML), so that no artifact can say anything else than the exit
// code does.
type Outcome struct {
	// Exit is the invocation's exit code.
	Exit int `json:"exit"`
	// Verdict is Exit as a word: PASS, FAIL, INCONCLUSIVE or ERROR.
	Verdict string `json:"verdict"`
	// Reasons are the causes, the gating ones first (exit 3, then 1, then 2), then the failures
	// reported without gating; within a class in the order they were found.
	Reasons []Reason `json:"reasons,omitempty"`
	// Strict is set when SHOULD failures gate (--strict).
	Strict bool `json:"strict,omitempty"`
}

// Word is an exit code as the word every artifact shows.
func Word(exit int) string {
	switch exit {
	case ExitOK:
		return "PASS"
	case ExitFailed:
		return "FAIL"
	case ExitInconclusive:
		return "INCONCLUSIVE"
	case ExitInternal:
		return "INTERNAL ERROR"
	}
	return "ERROR"
}

// rank orders exit codes by precedence: an error beats a failure, a failure an inconclusive.
func rank(exit int) int {
	switch exit {
	case ExitUsage, ExitInternal:
		return 3
	case ExitFailed:
		return 2
	case ExitInconclusive:
		return 1
	}
	return 0
}

// Add appends reasons and folds their exit codes into Exit.
func (o *Outcome) Add(rs ...Reason) {
	o.Reasons = append(o.Reasons, rs...)
	sort.SliceStable(o.Reasons, func(i, j int) bool { return rank(o.Reasons[i].Exit) > rank(o.Reasons[j].Exit) })
	o.Exit = ExitOK
	for _, r := range o.Reasons {
		if rank(r.Exit) > rank(o.Exit) {
			o.Exit = r.Exit
		}
	}
	o.Verdict = Word(o.Exit)
}

// Gating are the reasons that decide the exit code.
func (o Outcome) Gating() []Reason {
	var out []Reason
	for _, r := range o.Reasons {
		if r.Gates() {
			out = append(out, r)
		}
	}
	return out
}

// Lines are the reasons as text, at most limit of them (0: all), the rest counted in a last line.
func (o Outcome) Lines(limit int) []string {
	var out []string
	for i, r := range o.Reasons {
		if limit > 0 && i == limit {
			out = append(out, fmt.Sprintf("... and %d more", len(o.Reasons)-limit))
			break
		}
		out = append(out, r.Line())
	}
	return out
}

// Line is the reason as "kind: text".
func (r Reason) Line() string { return string(r.Kind) + ": " + r.Text }

// Failure is the outcome of an invocation stopped by a usage, input or environment error.
func Failure(err error) Outcome {
	var o Outcome
	o.Add(Reason{Kind: Error, Exit: ExitUsage, Text: err.Error()})
	return o
}
