package html

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/check/outcome"
	"github.com/syncsim/syncsim/internal/version"
	"github.com/syncsim/syncsim/output/redact"
	"github.com/syncsim/syncsim/runner/sweep"
	"github.com/syncsim/syncsim/runner/tracefile"
)

// page is everything the template renders. Every string in it has been masked already.
type page struct {
	Kind      string
	Title     string
	Command   string
	Exit      int
	ExitWord  string
	ExitClass string
	ExitText  string
	// Reasons are what the exit code says, as lines: the gating ones first, then the failures only
	// reported; Notes the reasons' lines that do not gate.
	Reasons  []reasonView
	Harness  string
	Facts    []fact
	Counts   []count
	Matrices []matrixView
	Failures []failureView
	// More counts failing traces left out by Options.MaxDiagrams.
	More     int
	Coverage *coverageView
	Latency  *latencyView
	Rules    []ruleRow

	red *redact.Redactor
	// secrets are the runs' credentials, for P11's judgement of the written page (output).
	secrets []string
	// anchors maps runKey(scenario, mode, seed) to the failure section drawn for that run.
	anchors map[string]string
}

type fact struct{ Label, Value string }

type count struct {
	Status string
	N      int
}

// failureView is one failing run: its verdicts, replay command and sequence diagram.
type failureView struct {
	Anchor   string
	Scenario string
	Mode     string
	Seed     uint64
	Strategy string
	Replay   string
	Shrunk   string
	Verdicts []ruleRow
	Diagram  *diagram
}

// reasonView is one reason of the outcome as the summary lists it.
type reasonView struct {
	Kind, Text, Class string
	// Anchor links to the failure section drawn for the reason's run, when there is one.
	Anchor string
	seed   *uint64
	key    string
}

// ruleRow is one verdict as a table row (conformance rules, a failure's properties).
type ruleRow struct {
	ID, Name, Level, Status, Class string
	// Statement is a conformance rule's statement in the contract.
	Statement string
	Checked   int
	Vacuous   bool
	Evidence  []string
	Metrics   string
}

type failureInput struct {
	file   *tracefile.File
	replay string
}

// newPage starts a page that shows the outcome o: its exit code, its word and every reason.
func newPage(kind string, opts Options, o outcome.Outcome, red *redact.Redactor) *page {
	p := &page{Kind: kind, Title: opts.Title, Command: red.String(opts.Command), Exit: o.Exit, Harness: version.Harness,
		red: red, secrets: opts.Secrets, anchors: map[string]string{}}
	if p.Title == "" {
		p.Title = "syncsim " + kind
	}
	p.Title = red.String(p.Title)
	p.ExitWord = o.Verdict
	if p.ExitWord == "" {
		p.ExitWord = outcome.Word(o.Exit)
	}
	switch o.Exit {
	case outcome.ExitOK:
		p.ExitClass, p.ExitText = "ok", "every verdict is as expected"
		if kind == "conformance" {
			p.ExitText = "every gating rule is met"
		}
		if len(o.Reasons) > 0 {
			p.ExitText += "; reported without gating:"
		}
	case outcome.ExitFailed:
		p.ExitClass, p.ExitText = "bad", "what failed:"
	case outcome.ExitInconclusive:
		p.ExitClass, p.ExitText = "inc", "nothing failed, but this could not be judged:"
	default:
		p.ExitClass, p.ExitText = "bad", "usage, input or environment error:"
	}
	for _, rs := range o.Reasons {
		v := reasonView{Kind: string(rs.Kind), Text: red.String(rs.Text), seed: rs.Seed, key: rs.Scenario + "\x00" + rs.Mode}
		switch {
		case rs.Exit == outcome.ExitInconclusive:
			v.Class = "s-inc"
		case rs.Gates():
			v.Class = "s-fail"
		default:
			v.Class = "s-warn"
		}
		p.Reasons = append(p.Reasons, v)
	}
	return p
}

// linkReasons points each reason at the failure section drawn for its smallest seed, if any.
func (p *page) linkReasons() {
	for i := range p.Reasons {
		r := &p.Reasons[i]
		if r.seed != nil {
			r.Anchor = p.anchors[r.key+"\x00"+strconv.FormatUint(*r.seed, 10)]
		}
	}
}

// addFailures draws up to MaxDiagrams failing traces and remembers their anchors for the matrix.
func (p *page) addFailures(in []failureInput, opts Options) {
	maxD := opts.MaxDiagrams
	if maxD <= 0 {
		maxD = DefaultMaxDiagrams
	}
	maxRows := opts.MaxRows
	if maxRows <= 0 {
		maxRows = DefaultMaxRows
	}
	for _, fi := range in {
		if len(p.Failures) == maxD {
			p.More++
			continue
		}
		f := fi.file
		n := len(p.Failures) + 1
		anchor := "fail-" + strconv.Itoa(n)
		p.anchors[runKey(f.Scenario.Path, f.Mode, f.Seed)] = anchor
		fv := failureView{Anchor: anchor, Scenario: p.red.String(f.Scenario.Path), Mode: f.Mode, Seed: f.Seed,
			Strategy: f.Strategy, Replay: p.red.String(fi.replay)}
		if f.ShrunkFrom != nil {
			fv.Shrunk = fmt.Sprintf("shrunk from trace %s (schedule size %d -> %d)", short(f.ShrunkFrom.TraceHash), f.ShrunkFrom.Size, f.Size)
		}
		for _, v := range f.Verdicts {
			if failing(v.Status) {
				fv.Verdicts = append(fv.Verdicts, verdictRow(v, opts.Strict, p.red))
			}
		}
		fv.Diagram = buildDiagram("d"+strconv.Itoa(n), f, p.red, maxRows)
		p.Failures = append(p.Failures, fv)
	}
}

func verdictRow(v check.Verdict, strict bool, red *redact.Redactor) ruleRow {
	row := ruleRow{ID: red.String(v.ID), Name: red.String(v.Name), Level: string(v.Level), Status: string(v.Status),
		Class: statusClass(v.Status, v.Level, strict), Checked: v.Checked, Vacuous: v.Vacuous(), Evidence: red.Strings(v.EvidenceText())}
	var ms []string
	for _, k := range sortedKeys(v.Metrics) {
		ms = append(ms, k+"="+strconv.FormatInt(v.Metrics[k], 10))
	}
	row.Metrics = strings.Join(ms, " ")
	return row
}

// statusClass is a verdict's colour: fail gates (red), fail does not gate (orange), xfail, xpass,
// inconclusive, pass.
func statusClass(s check.Status, l check.Level, strict bool) string {
	switch s {
	case check.Fail:
		if l == check.Must || l == check.Should && strict {
			return "s-fail"
		}
		return "s-warn"
	case check.XPass:
		return "s-fail"
	case check.XFail:
		return "s-xfail"
	case check.Inconclusive:
		return "s-inc"
	}
	return "s-pass"
}

func failing(s check.Status) bool { return s == check.Fail || s == check.XFail || s == check.XPass }

func hasFailure(vs []check.Verdict) bool {
	for _, v := range vs {
		if failing(v.Status) {
			return true
		}
	}
	return false
}

func runKey(scenario, mode string, seed uint64) string {
	return scenario + "\x00" + mode + "\x00" + strconv.FormatUint(seed, 10)
}

// replayFor is the replay command of a trace: that of the cell whose smallest failing seed it is
// ("" for a trace of no cell's).
func replayFor(rep *sweep.Report, f *tracefile.File) string {
	for _, c := range rep.Matrix {
		if c.Scenario == f.Scenario.Path && c.Mode == f.Mode && c.SmallestFailingSeed != nil && *c.SmallestFailingSeed == f.Seed {
			return c.Replay
		}
	}
	return ""
}

func verdictsOf(runs []Run) []check.Verdict {
	var out []check.Verdict
	for _, r := range runs {
		out = append(out, r.Verdicts...)
	}
	return out
}

func verdictLists(runs []Run) [][]check.Verdict {
	out := make([][]check.Verdict, len(runs))
	for i, r := range runs {
		out[i] = r.Verdicts
	}
	return out
}

func statusCounts(vs []check.Verdict) []count {
	n := map[check.Status]int{}
	for _, v := range vs {
		n[v.Status]++
	}
	var out []count
	for _, s := range []check.Status{check.Pass, check.Fail, check.XFail, check.XPass, check.Inconclusive} {
		out = append(out, count{string(s), n[s]})
	}
	return out
}

func runFacts(runs []Run) []fact {
	var scs, modes []string
	seen := map[string]bool{}
	var lo, hi uint64
	failed := 0
	for i, r := range runs {
		if !seen["s"+r.Scenario] {
			seen["s"+r.Scenario] = true
			scs = append(scs, r.Scenario)
		}
		if !seen["m"+r.Mode] {
			seen["m"+r.Mode] = true
			modes = append(modes, r.Mode)
		}
		if i == 0 || r.Seed < lo {
			lo = r.Seed
		}
		if r.Seed > hi {
			hi = r.Seed
		}
		if hasFailure(r.Verdicts) {
			failed++
		}
	}
	seeds := fmt.Sprintf("%d-%d", lo, hi)
	if lo == hi {
		seeds = strconv.FormatUint(lo, 10)
	}
	return []fact{{"runs", strconv.Itoa(len(runs))}, {"runs with a failure (expected or not)", strconv.Itoa(failed)},
		{"scenarios", strings.Join(scs, ", ")}, {"modes", strings.Join(modes, ", ")}, {"seeds", seeds}}
}

func sweepFacts(rep *sweep.Report) []fact {
	var scs []string
	for _, s := range rep.Scenarios {
		scs = append(scs, s.Path+" ("+strings.Join(s.Modes, ", ")+")")
	}
	seeds := fmt.Sprintf("%d-%d", rep.Seeds.From, rep.Seeds.To)
	if rep.Shard != nil {
		seeds += fmt.Sprintf(", shard %d/%d (%d-%d)", rep.Shard.Index, rep.Shard.Count, rep.Shard.From, rep.Shard.To)
	}
	if rep.CutShort() {
		seeds += fmt.Sprintf(", covered to %d (stopped by %s)", rep.Seeds.CoveredTo, rep.Seeds.StoppedBy)
	}
	strategy := rep.Strategy
	if strategy == "" {
		strategy = "uniform"
	}
	failing := 0
	for i := range rep.Matrix {
		if rep.Matrix[i].Failing() {
			failing++
		}
	}
	out := []fact{{"runs", strconv.Itoa(rep.Runs)}, {"seeds", seeds}, {"scenarios", strings.Join(scs, "; ")},
		{"strategy", strategy}, {"failing cells (expected or not)", strconv.Itoa(failing)}}
	if len(rep.Faults) > 0 {
		out = append(out, fact{"extra faults", strings.Join(rep.Faults, " ")})
	}
	if rep.Raw {
		out = append(out, fact{"expectations", "ignored (--raw)"})
	}
	if rep.Strict {
		out = append(out, fact{"strict", "SHOULD failures gate"})
	}
	return out
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

var hexRE = regexp.MustCompile(`\b[0-9a-f]{64}\b`)

// abbreviate shortens full PAY-3 hashes in a text to 12 digits, as explain does.
func abbreviate(s string) string {
	return hexRE.ReplaceAllStringFunc(s, func(h string) string { return h[:12] })
}
