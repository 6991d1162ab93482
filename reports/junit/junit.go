// Package junit writes JUnit XML as CI systems read it (Jenkins, GitLab, GitHub Actions reporters,
// Azure Pipelines): <testsuites> of <testsuite> of <testcase>, a <failure> for each verdict that
// gates, <skipped> for an inconclusive verdict or an expected failure (as pytest reports xfail),
// and <system-out> with the evidence and the replay command. Test cases are:
//
//   - run: one per property per run (a suite per run: scenario, mode and seed);
//   - sweep: one per cell of the property x mode matrix (a suite per scenario), with the counts in
//     the message and the smallest failing seed's replay command; a suite's failures equal its
//     gating cells;
//   - conformance: one per rule.
//
// Every text is masked by a redact.Redactor (Options.Secrets and JWT-shaped tokens), P11.
//
//	err := junit.WriteSweep("out/junit.xml", rep, junit.Options{Secrets: secrets})
package junit

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/syncsim/syncsim/internal/check"
	"github.com/syncsim/syncsim/internal/sweep"
	"github.com/syncsim/syncsim/reports/output"
	"github.com/syncsim/syncsim/reports/redact"
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
	Skipped   *Skipped `xml:"skipped,omitempty"`
	SystemOut string   `xml:"system-out,omitempty"`
}

// Failure is a <failure message= type=>text</failure>.
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
	WallMs         int64
	TraceHash      string
	// Replay is the command that replays the run.
	Replay   string
	Verdicts []check.Verdict
}

// Runs builds the document for `simrun run`: a suite per run, a case per property.
func Runs(runs []Run, opts Options) *Suites {
	red := redact.New(opts.Secrets)
	doc := &Suites{Name: "syncsim run"}
	for _, r := range runs {
		s := Suite{Name: red.String(fmt.Sprintf("%s mode=%s seed=%d", r.Scenario, r.Mode, r.Seed)),
			Time: seconds(r.WallMs), Properties: []Property{{"scenario", red.String(r.Scenario)}, {"mode", r.Mode},
				{"seed", strconv.FormatUint(r.Seed, 10)}, {"trace_hash", r.TraceHash}, {"replay", red.String(r.Replay)}}}
		for _, v := range r.Verdicts {
			c := verdictCase(v, classname(r.Scenario, r.Mode), opts.Strict, red)
			if c.Failure != nil {
				c.Failure.Text += "\nreplay: " + red.String(r.Replay)
			}
			s.add(c)
		}
		doc.add(s)
	}
	return doc
}

// Sweep builds the document for a sweep: a suite per scenario, a case per cell.
func Sweep(rep *sweep.Report, opts Options) *Suites {
	red := redact.New(opts.Secrets)
	doc := &Suites{Name: "syncsim sweep"}
	bySc := map[string]int{}
	for _, c := range rep.Matrix {
		i, ok := bySc[c.Scenario]
		if !ok {
			i = len(doc.Suites)
			bySc[c.Scenario] = i
			doc.Suites = append(doc.Suites, Suite{Name: red.String(c.Scenario), Time: "0",
				Properties: []Property{{"seeds", fmt.Sprintf("%d-%d", rep.Seeds.From, rep.Seeds.To)}, {"strategy", strategy(rep.Strategy)}}})
		}
		doc.Suites[i].add(cellCase(c, rep.Strict, red))
	}
	for _, s := range doc.Suites {
		doc.count(s)
	}
	return doc
}

// Conformance builds the document for a conformance suite: one suite, a case per rule.
func Conformance(verdicts []check.Verdict, suiteName string, opts Options) *Suites {
	red := redact.New(opts.Secrets)
	doc := &Suites{Name: "syncsim conformance"}
	s := Suite{Name: red.String(suiteName), Time: "0"}
	for _, v := range verdicts {
		s.add(verdictCase(v, "conformance."+red.String(suiteName), opts.Strict, red))
	}
	doc.add(s)
	return doc
}

// WriteRuns writes Runs to path.
func WriteRuns(path string, runs []Run, opts Options) error {
	return writeFile(path, Runs(runs, opts), opts)
}

// WriteSweep writes Sweep to path.
func WriteSweep(path string, rep *sweep.Report, opts Options) error {
	if rep == nil {
		return fmt.Errorf("junit: no sweep report")
	}
	return writeFile(path, Sweep(rep, opts), opts)
}

// WriteConformance writes Conformance to path.
func WriteConformance(path string, verdicts []check.Verdict, suiteName string, opts Options) error {
	return writeFile(path, Conformance(verdicts, suiteName, opts), opts)
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
	if c.Skipped != nil {
		s.Skipped++
	}
}

func (d *Suites) add(s Suite) {
	d.Suites = append(d.Suites, s)
	d.count(s)
}

func (d *Suites) count(s Suite) {
	d.Tests += s.Tests
	d.Failures += s.Failures
	d.Errors += s.Errors
	d.Skipped += s.Skipped
	d.Time = "0"
}

// gates reports whether a level gates: MUST always, SHOULD with strict, MAY never.
func gates(l check.Level, strict bool) bool { return l == check.Must || l == check.Should && strict }

// verdictCase is one verdict as a case: fail (gating) and xpass fail it; inconclusive and xfail
// skip it; a SHOULD failure without strict passes with its evidence in system-out.
func verdictCase(v check.Verdict, class string, strict bool, red *redact.Redactor) Case {
	c := Case{Name: red.String(v.ID + " " + v.Name), Classname: class, Time: "0"}
	evidence := strings.Join(red.Strings(v.EvidenceText()), "\n")
	head := fmt.Sprintf("%s %s (%s): %s, checked=%d", v.ID, v.Name, v.Level, v.Status, v.Checked)
	switch {
	case v.Status == check.XPass || v.Status == check.Fail && gates(v.Level, strict):
		c.Failure = &Failure{Message: red.String(head + firstLine(evidence)), Type: string(v.Status), Text: red.String(head + "\n" + evidence)}
	case v.Status == check.Inconclusive:
		c.Skipped = &Skipped{Message: red.String("inconclusive" + firstLine(evidence))}
	case v.Status == check.XFail:
		c.Skipped = &Skipped{Message: red.String("expected failure (xfail)" + firstLine(evidence))}
	case v.Status == check.Fail:
		c.SystemOut = red.String(head + " (does not gate without --strict)\n" + evidence)
	case v.Vacuous():
		c.SystemOut = red.String(head + " (vacuous: nothing examined)")
	}
	return c
}

// cellCase is one matrix cell as a case: it fails exactly when the cell gates (sweep.Cell.Gating).
func cellCase(c sweep.Cell, strict bool, red *redact.Redactor) Case {
	tc := Case{Name: red.String(c.Property + " " + c.Name + " [" + c.Mode + "]"), Classname: classname(c.Scenario, c.Mode), Time: "0"}
	counts := fmt.Sprintf("pass %d, fail %d, xfail %d, xpass %d, inconclusive %d", c.Pass, c.Fail, c.XFail, c.XPass, c.Inconclusive)
	detail := counts
	if c.SmallestFailingSeed != nil {
		detail += fmt.Sprintf("; smallest failing seed %d; replay: %s", *c.SmallestFailingSeed, c.Replay)
	}
	detail = red.String(detail)
	switch {
	case c.Gating(strict):
		typ := "fail"
		if c.XPass > 0 {
			typ = "xpass"
		}
		tc.Failure = &Failure{Message: red.String(c.Property + " " + c.Name + " (" + c.Level + ") in mode " + c.Mode + ": " + counts),
			Type: typ, Text: detail}
	case c.Inconclusive > 0:
		tc.Skipped = &Skipped{Message: "inconclusive: " + detail}
	case c.XFail > 0 && c.Fail == 0:
		tc.Skipped = &Skipped{Message: "expected failure (xfail): " + detail}
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

func seconds(ms int64) string { return strconv.FormatFloat(float64(ms)/1000, 'f', 3, 64) }

func strategy(s string) string {
	if s == "" {
		return "uniform"
	}
	return s
}
