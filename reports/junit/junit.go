// Package junit writes JUnit XML as CI systems read it (Jenkins, GitLab, GitHub Actions reporters,
// Azure Pipelines): <testsuites> of <testsuite> of <testcase>. Every document shows the outcome of
// the invocation that wrote it (outcome.Outcome, the one the exit code is), so that a CI system's
// reading of the file agrees with the job's exit code: the file has a <failure> exactly when the
// command exits 1, else an <error> exactly when it exits 2.
//
// A verdict is a test case:
//
//   - a MUST failure, a SHOULD failure with --strict, and an xpass (an expected failure that did
//     not happen) are a <failure>;
//   - a SHOULD failure without --strict (and a MAY one) is <skipped message="SHOULD ...">: reported,
//     visible in the CI system's list of skipped tests, never counted against the job;
//   - an inconclusive verdict at a gating level is an <error type="inconclusive">: the judge could not
//     decide (a budget ended the run before its settle window did; a conformance rule that could not
//     be observed), which is neither a pass nor a failure of the code under test and exits 2;
//     inconclusive at a level that does not gate is <skipped>;
//   - an expected failure (xfail) is <skipped>, as pytest reports it.
//
// The gates that look past single verdicts are test cases of their own: a suite "coverage gate"
// with a failing case per property that examined nothing; a sweep cell judged against a baseline is
// a failing case "... against its baseline" when it regressed (an <error> when only its
// inconclusive runs grew), and <skipped> when it fails within its baseline. time= is wall time
// measured around the runs (runner.Result.Wall) and each property's judgement (CheckTime).
//
// Test cases are:
//
//   - run: one per property per run (a suite per run: scenario, mode and seed);
//   - sweep: one per cell of the property x mode matrix (a suite per scenario), with the counts in
//     the message and the smallest failing seed's replay command;
//   - conformance: one per rule, named by the rule and carrying the rule's statement.
//
// Every text is masked by a redact.Redactor (Options.Secrets and JWT-shaped tokens), P11.
//
//	err := junit.WriteSweep("out/junit.xml", rep, sweep.OutcomeOf(rep), junit.Options{Secrets: secrets})
package junit

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/check/outcome"
	"github.com/syncsim/syncsim/output"
	"github.com/syncsim/syncsim/output/redact"
	"github.com/syncsim/syncsim/runner/sweep"
)

// Options change what is written.
type Options struct {
	// Secrets are masked as "[redacted]" (P11); JWT-shaped tokens are masked always.
	Secrets []string
	// Strict makes SHOULD failures fail their test case (runs and conformance; a sweep report
	// carries its own Strict).
	Strict bool
}

// Suites is the document: <testsuites>.
type Suites struct {
	XMLName  xml.Name `xml:"testsuites"`
	Name     string   `xml:"name,attr"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Skipped  int      `xml:"skipped,attr"`
	Time     string   `xml:"time,attr"`
	Suites   []Suite  `xml:"testsuite"`

	wall time.Duration
}

// Suite is one <testsuite>.
type Suite struct {
	Name       string     `xml:"name,attr"`
	Tests      int        `xml:"tests,attr"`
	Failures   int        `xml:"failures,attr"`
	Errors     int        `xml:"errors,attr"`
	Skipped    int        `xml:"skipped,attr"`
	Time       string     `xml:"time,attr"`
	Properties []Property `xml:"properties>property,omitempty"`
	Cases      []Case     `xml:"testcase"`

	wall time.Duration
}

// Property is one <property name= value=> of a suite.
type Property struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// Case is one <testcase>.
type Case struct {
	Name      string   `xml:"name,attr"`
	Classname string   `xml:"classname,attr"`
	Time      string   `xml:"time,attr"`
	Failure   *Failure `xml:"failure,omitempty"`
	Error     *Failure `xml:"error,omitempty"`
	Skipped   *Skipped `xml:"skipped,omitempty"`
	SystemOut string   `xml:"system-out,omitempty"`
}

// Failure is a <failure message= type=>text</failure> (also an <error>).
type Failure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// Skipped is a <skipped message=/>.
type Skipped struct {
	Message string `xml:"message,attr"`
}

// Run is one run as the JUnit document shows it (the caller converts runner results: a report depends
// on verdicts, not on the runner).
type Run struct {
	Scenario, Mode string
	Seed           uint64
	TraceHash      string
	// Wall is the run's wall time; CheckTime each property's judgement's, by property ID.
	Wall      time.Duration
	CheckTime map[string]time.Duration
	// Replay is the command that replays the run.
	Replay   string
	Verdicts []check.Verdict
}

// Rule is one conformance rule's verdict with the contract's statement of the rule.
type Rule struct {
	Verdict   check.Verdict
	Statement string
	// Took is the rule's wall time.
	Took time.Duration
}

// Runs builds the document for `simrun run`: a suite per run, a case per property, and the gates
// of o.
func Runs(runs []Run, o outcome.Outcome, opts Options) *Suites {
	red := redact.New(opts.Secrets)
	doc := &Suites{Name: "syncsim run"}
	for _, r := range runs {
		s := Suite{Name: red.String(fmt.Sprintf("%s mode=%s seed=%d", r.Scenario, r.Mode, r.Seed)), wall: r.Wall,
			Properties: []Property{{"scenario", red.String(r.Scenario)}, {"mode", r.Mode},
				{"seed", strconv.FormatUint(r.Seed, 10)}, {"trace_hash", r.TraceHash}, {"replay", red.String(r.Replay)}}}
		for _, v := range r.Verdicts {
			c := verdictCase(v, classname(r.Scenario, r.Mode), opts.Strict, red)
			c.Time = seconds(r.CheckTime[v.ID])
			if c.Failure != nil {
				c.Failure.Text += "\nreplay: " + red.String(r.Replay)
			}
			s.add(c)
		}
		doc.add(s)
	}
	doc.addGates(o, red)
	return doc
}

// Sweep builds the document for a sweep: a suite per scenario, a case per cell, and the gates of o.
func Sweep(rep *sweep.Report, o outcome.Outcome, opts Options) *Suites {
	red := redact.New(opts.Secrets)
	doc := &Suites{Name: "syncsim sweep"}
	bySc := map[string]int{}
	wall, check := sweepTimes(rep)
	judged := map[string]bool{}
	for _, b := range rep.Baselines {
		judged[b.Scenario] = true
	}
	cmps := map[string]sweep.Comparison{}
	for _, c := range rep.Comparisons {
		cmps[c.Scenario+"\x00"+c.Mode+"\x00"+c.Property] = c
	}
	for _, c := range rep.Matrix {
		i, ok := bySc[c.Scenario]
		if !ok {
			i = len(doc.Suites)
			bySc[c.Scenario] = i
			doc.Suites = append(doc.Suites, Suite{Name: red.String(c.Scenario), wall: wall[c.Scenario],
				Properties: []Property{{"seeds", fmt.Sprintf("%d-%d", rep.Seeds.From, rep.Seeds.To)}, {"strategy", strategy(rep.Strategy)}}})
		}
		var tc Case
		if judged[c.Scenario] {
			cmp, found := cmps[c.Scenario+"\x00"+c.Mode+"\x00"+c.Property]
			tc = judgedCellCase(c, cmp, found, red)
		} else {
			tc = cellCase(c, rep.Strict, red)
		}
		tc.Time = seconds(check[c.Scenario+"\x00"+c.Mode+"\x00"+c.Property])
		doc.Suites[i].add(tc)
	}
	suites := doc.Suites
	doc.Suites = nil
	for _, s := range suites {
		doc.add(s)
	}
	doc.addGates(o, red)
	return doc
}

// sweepTimes sums the runs' wall time per scenario and each property's judgement's per cell.
func sweepTimes(rep *sweep.Report) (map[string]time.Duration, map[string]time.Duration) {
	wall, check := map[string]time.Duration{}, map[string]time.Duration{}
	for _, r := range rep.Results {
		wall[r.Scenario] += r.Wall
		for id, d := range r.CheckTime {
			check[r.Scenario+"\x00"+r.Mode+"\x00"+id] += d
		}
	}
	return wall, check
}

// Conformance builds the document for a conformance suite: one suite, a case per rule, in the
// contract's words (the rule, its level and statement, what was observed); o is the suite's
// outcome.
func Conformance(rules []Rule, suiteName string, o outcome.Outcome, opts Options) *Suites {
	red := redact.New(opts.Secrets)
	doc := &Suites{Name: "conformance " + red.String(suiteName)}
	s := Suite{Name: red.String(suiteName)}
	for _, r := range rules {
		s.wall += r.Took
		s.add(ruleCase(r, "conformance."+red.String(suiteName), opts.Strict, red))
	}
	// A reason of the outcome that names no rule (the suite was interrupted) is a case of its own.
	for _, rs := range o.Gating() {
		if rs.Property != "" {
			continue
		}
		c := Case{Name: red.String(string(rs.Kind)), Classname: "conformance." + red.String(suiteName), Time: seconds(0)}
		f := &Failure{Message: red.String(rs.Text), Type: string(rs.Kind), Text: red.String(rs.Text)}
		if rs.Exit == outcome.ExitFailed {
			c.Failure = f
		} else {
			c.Error = f
		}
		s.add(c)
	}
	doc.add(s)
	return doc
}

// WriteRuns writes Runs to path.
func WriteRuns(path string, runs []Run, o outcome.Outcome, opts Options) error {
	return writeFile(path, Runs(runs, o, opts), opts)
}

// WriteSweep writes Sweep to path.
func WriteSweep(path string, rep *sweep.Report, o outcome.Outcome, opts Options) error {
	if rep == nil {
		return fmt.Errorf("junit: no sweep report")
	}
	return writeFile(path, Sweep(rep, o, opts), opts)
}

// WriteConformance writes Conformance to path.
func WriteConformance(path string, rules []Rule, suiteName string, o outcome.Outcome, opts Options) error {
	return writeFile(path, Conformance(rules, suiteName, o, opts), opts)
}

// Exit is the exit code a document says, as a CI system reads it: 1 when a case fails, else 2 when
// a case is in error, else 0.
func (d *Suites) Exit() int {
	switch {
	case d.Failures > 0:
		return outcome.ExitFailed
	case d.Errors > 0:
		return outcome.ExitInconclusive
	}
	return outcome.ExitOK
}

// Encode writes the document as indented XML with its declaration, masked once more as a whole.
func (d *Suites) Encode(w io.Writer, opts Options) error {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(d); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	b.WriteByte('\n')
	_, err := w.Write(redact.New(opts.Secrets).Bytes(b.Bytes()))
	return err
}

func writeFile(path string, d *Suites, opts Options) error {
	var b bytes.Buffer
	if err := d.Encode(&b, opts); err != nil {
		return err
	}
	// Encode masked it; P11 judges the file as it is written.
	if err := output.WriteFile(path, b.Bytes(), opts.Secrets); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	return nil
}

func (s *Suite) add(c Case) {
	s.Cases = append(s.Cases, c)
	s.Tests++
	if c.Failure != nil {
		s.Failures++
	}
	if c.Error != nil {
		s.Errors++
	}
	if c.Skipped != nil {
		s.Skipped++
	}
	s.Time = seconds(s.wall)
}

func (d *Suites) add(s Suite) {
	if s.Time == "" {
		s.Time = seconds(s.wall)
	}
	d.Suites = append(d.Suites, s)
	d.Tests += s.Tests
	d.Failures += s.Failures
	d.Errors += s.Errors
	d.Skipped += s.Skipped
	d.wall += s.wall
	d.Time = seconds(d.wall)
}

// addGates adds the gates of o that no verdict's case shows: a suite "coverage gate" with a failing
// case per property that examined nothing.
func (d *Suites) addGates(o outcome.Outcome, red *redact.Redactor) {
	s := Suite{Name: "coverage gate"}
	for _, rs := range o.Reasons {
		if rs.Kind != outcome.Coverage {
			continue
		}
		s.add(Case{Name: red.String(rs.Property + " " + rs.Name + " examined something"), Classname: "syncsim.coverage", Time: seconds(0),
			Failure: &Failure{Message: red.String("coverage gate: " + rs.Text), Type: string(rs.Kind), Text: red.String(rs.Text)}})
	}
	if len(s.Cases) > 0 {
		d.add(s)
	}
}

// gatesWith says when a level that does not gate would: SHOULD with --strict, MAY never.
func gatesWith(l check.Level) string {
	if l == check.Should {
		return " (gates with --strict)"
	}
	return " (informational)"
}

// gates reports whether a level gates: MUST always, SHOULD with strict, MAY never.
func gates(l check.Level, strict bool) bool { return l == check.Must || l == check.Should && strict }

// verdictCase is one verdict as a case (the package's doc gives the rules).
func verdictCase(v check.Verdict, class string, strict bool, red *redact.Redactor) Case {
	c := Case{Name: red.String(v.ID + " " + v.Name), Classname: class}
	evidence := strings.Join(red.Strings(v.EvidenceText()), "\n")
	head := fmt.Sprintf("%s %s (%s): %s, checked=%d", v.ID, v.Name, v.Level, v.Status, v.Checked)
	switch {
	case v.Status == check.XPass || v.Status == check.Fail && gates(v.Level, strict):
		c.Failure = &Failure{Message: red.String(head + firstLine(evidence)), Type: string(v.Status), Text: red.String(head + "\n" + evidence)}
	case v.Status == check.Inconclusive && gates(v.Level, strict):
		c.Error = &Failure{Message: red.String(head + firstLine(evidence)), Type: string(v.Status), Text: red.String(head + "\n" + evidence)}
	case v.Status == check.Inconclusive:
		c.Skipped = &Skipped{Message: red.String(string(v.Level) + " inconclusive, does not gate" + firstLine(evidence))}
	case v.Status == check.XFail:
		c.Skipped = &Skipped{Message: red.String("expected failure (xfail)" + firstLine(evidence))}
	case v.Status == check.Fail:
		c.Skipped = &Skipped{Message: red.String(string(v.Level) + " failure, reported without gating" + gatesWith(v.Level) + firstLine(evidence))}
		c.SystemOut = red.String(head + "\n" + evidence)
	case v.Vacuous():
		c.SystemOut = red.String(head + " (vacuous: nothing examined)")
	}
	return c
}

// ruleCase is one conformance rule as a case, in the contract's words: the rule, its level and
// statement, and what was observed.
func ruleCase(r Rule, class string, strict bool, red *redact.Redactor) Case {
	v := r.Verdict
	c := Case{Name: red.String(v.ID + " " + v.Name), Classname: class, Time: seconds(r.Took)}
	observed := strings.Join(red.Strings(v.EvidenceText()), "\n")
	rule := fmt.Sprintf("%s (%s): %s", v.ID, v.Level, red.String(r.Statement))
	text := rule + "\nobserved:\n" + observed
	switch {
	case v.Status == check.Fail && gates(v.Level, strict):
		c.Failure = &Failure{Message: red.String(rule + firstLine(observed)), Type: "not met", Text: red.String(text)}
	case v.Status == check.Inconclusive && gates(v.Level, strict):
		c.Error = &Failure{Message: red.String(rule + ": could not be judged" + firstLine(observed)), Type: "undecided", Text: red.String(text)}
	case v.Status == check.Fail:
		c.Skipped = &Skipped{Message: red.String(string(v.Level) + " rule not met, reported without gating" + gatesWith(v.Level) + ": " + rule + firstLine(observed))}
		c.SystemOut = red.String(text)
	case v.Status == check.Inconclusive:
		c.Skipped = &Skipped{Message: red.String(string(v.Level) + " rule could not be judged, does not gate: " + rule + firstLine(observed))}
	default:
		c.SystemOut = red.String(text)
	}
	return c
}

// cellCase is one matrix cell of a scenario without a baseline as a case: it fails exactly when the
// cell gates (sweep.Cell.Gating), is in error when it has inconclusive runs at a gating level.
func cellCase(c sweep.Cell, strict bool, red *redact.Redactor) Case {
	tc := Case{Name: red.String(c.Property + " " + c.Name + " [" + c.Mode + "]"), Classname: classname(c.Scenario, c.Mode)}
	counts := fmt.Sprintf("pass %d, fail %d, xfail %d, xpass %d, inconclusive %d", c.Pass, c.Fail, c.XFail, c.XPass, c.Inconclusive)
	detail := counts
	if c.SmallestFailingSeed != nil {
		detail += fmt.Sprintf("; smallest failing seed %d; replay: %s", *c.SmallestFailingSeed, c.Replay)
	}
	detail = red.String(detail)
	head := red.String(c.Property + " " + c.Name + " (" + c.Level + ") in mode " + c.Mode + ": " + counts)
	level := check.Level(c.Level)
	switch {
	case c.Gating(strict):
		typ := "fail"
		if c.XPass > 0 {
			typ = "xpass"
		}
		tc.Failure = &Failure{Message: head, Type: typ, Text: detail}
	case c.Inconclusive > 0 && gates(level, strict):
		tc.Error = &Failure{Message: head, Type: "inconclusive", Text: detail}
	case c.Fail > 0:
		tc.Skipped = &Skipped{Message: c.Level + " failure, reported without gating" + gatesWith(level) + ": " + detail}
	case c.Inconclusive > 0:
		tc.Skipped = &Skipped{Message: c.Level + " inconclusive, does not gate: " + detail}
	case c.XFail > 0:
		tc.Skipped = &Skipped{Message: "expected failure (xfail): " + detail}
	default:
		tc.SystemOut = detail
	}
	return tc
}

// judgedCellCase is one matrix cell of a scenario judged against a baseline: a failing case of its
// own when it regressed (in error when only its inconclusive runs grew), skipped when it fails
// within its baseline (what correct code does), passing otherwise.
func judgedCellCase(c sweep.Cell, cmp sweep.Comparison, found bool, red *redact.Redactor) Case {
	tc := Case{Name: red.String(c.Property + " " + c.Name + " [" + c.Mode + "] against its baseline"), Classname: classname(c.Scenario, c.Mode)}
	counts := fmt.Sprintf("pass %d, fail %d, xfail %d, xpass %d, inconclusive %d", c.Pass, c.Fail, c.XFail, c.XPass, c.Inconclusive)
	detail := counts
	if found {
		detail += fmt.Sprintf("; %s: %d of %d against %d of %d in the baseline (p = %.3g, threshold %.3g)",
			cmp.Status, cmp.Failures, cmp.Runs, cmp.BaseFailures, cmp.BaseRuns, cmp.P, cmp.Threshold)
	}
	if c.SmallestFailingSeed != nil {
		detail += fmt.Sprintf("; smallest failing seed %d; replay: %s", *c.SmallestFailingSeed, c.Replay)
	}
	detail = red.String(detail)
	head := red.String(c.Property + " " + c.Name + " (" + c.Level + ") in mode " + c.Mode + ": " + cmp.Status + " against its baseline")
	switch {
	case found && cmp.Gating && cmp.Status == "inconclusive":
		tc.Error = &Failure{Message: head, Type: "regression", Text: detail}
	case found && cmp.Gating:
		tc.Failure = &Failure{Message: head, Type: "regression", Text: detail}
	case c.Failing() || c.Inconclusive > 0:
		tc.Skipped = &Skipped{Message: "within its baseline: " + detail}
	default:
		tc.SystemOut = detail
	}
	return tc
}

// classname groups cases the way CI viewers nest them: scenario file name, then mode.
func classname(scenario, mode string) string {
	base := strings.TrimSuffix(filepath.Base(scenario), filepath.Ext(scenario))
	return "syncsim." + base + "." + mode
}

func firstLine(s string) string {
	if s == "" {
		return ""
	}
	l, _, _ := strings.Cut(s, "\n")
	return ": " + l
}

func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) }

func strategy(s string) string {
	if s == "" {
		return "uniform"
	}
	return s
}
