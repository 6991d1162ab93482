package conformance

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/syncsim/syncsim/internal/check"
)

// Report is one conformance run: what was tested, how, and the verdicts.
type Report struct {
	// Suite is "mesh", "frontend", "host" or "system".
	Suite string `json:"suite"`
	// Target says what was tested ("the reference mesh at http://...", or the URL given).
	Target    string `json:"target"`
	Strict    bool   `json:"strict"`
	ObserveMs int64  `json:"observe_ms,omitempty"`
	Full      bool   `json:"full,omitempty"`
	// Verdicts are the rules' verdicts, each with the rule's title.
	Verdicts []RuleVerdict `json:"verdicts"`
	Exit     int           `json:"exit"`
}

// RuleVerdict is a verdict with the contract text it judged.
type RuleVerdict struct {
	check.Verdict
	Title string `json:"title"`
	// Gating reports whether this verdict decides the exit code (MUST; SHOULD with --strict).
	Gating bool `json:"gating"`
}

// NewReport pairs verdicts with their rules' titles and computes the exit code.
func NewReport(suite, target string, env *Env, rules []Rule, vs []check.Verdict) *Report {
	r := &Report{Suite: suite, Target: target, Strict: env.Strict, Full: env.Full, Exit: ExitCode(vs, env.Strict)}
	if suite == "mesh" {
		r.ObserveMs = env.observe().Milliseconds()
	}
	for i, v := range vs {
		rv := RuleVerdict{Verdict: v, Gating: Gates(v.Level, env.Strict)}
		if i < len(rules) {
			rv.Title = rules[i].Title
		}
		r.Verdicts = append(r.Verdicts, rv)
	}
	return r
}

// WriteJSON writes the report as one indented JSON object.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// FormatVerdict writes one rule's line ("MESH-4  MUST    fail  checked=1  retry-failed-fetch"),
// its title, and its evidence indented below.
func FormatVerdict(w io.Writer, v check.Verdict, title string, strict bool) {
	status := string(v.Status)
	switch {
	case v.Status == check.Fail && !Gates(v.Level, strict):
		status += " (not gating)"
	case v.Vacuous():
		status += " (vacuous)"
	}
	fmt.Fprintf(w, "%-7s %-6s %-18s checked=%-3d %s\n", v.ID, v.Level, status, v.Checked, v.Name)
	if title != "" {
		fmt.Fprintf(w, "        %s\n", title)
	}
	for _, e := range v.Evidence {
		fmt.Fprintf(w, "          %s\n", e)
	}
}

// Summary is the closing line: counts per status and the exit code.
func (r *Report) Summary() string {
	counts := map[check.Status]int{}
	for _, v := range r.Verdicts {
		counts[v.Status]++
	}
	return fmt.Sprintf("%s: %d rules: %d pass, %d fail, %d inconclusive; exit %d",
		r.Suite, len(r.Verdicts), counts[check.Pass], counts[check.Fail], counts[check.Inconclusive], r.Exit)
}

// JUnit XML, one testcase per rule: a gating failure is a <failure>, an inconclusive verdict or a
// failure that does not gate (SHOULD without --strict, MAY) is <skipped> with the reason.
type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the report as JUnit XML.
func (r *Report) WriteJUnit(w io.Writer) error {
	s := junitSuite{Name: "syncsim conformance " + r.Suite}
	for _, v := range r.Verdicts {
		c := junitCase{Name: v.ID + " " + v.Name + " [" + string(v.Level) + "]", Classname: "conformance." + r.Suite,
			SystemOut: v.Title + "\n" + strings.Join(v.Evidence, "\n")}
		msg := &junitMessage{Message: firstFailing(v.Verdict), Text: strings.Join(v.Evidence, "\n")}
		switch {
		case v.Status == check.Fail && v.Gating:
			c.Failure = msg
			s.Failures++
		case v.Status == check.Fail:
			msg.Message = string(v.Level) + " rule failed (not gating): " + msg.Message
			c.Skipped = msg
			s.Skipped++
		case v.Status == check.Inconclusive:
			msg.Message = "inconclusive: " + msg.Message
			c.Skipped = msg
			s.Skipped++
		}
		s.Cases = append(s.Cases, c)
	}
	s.Tests = len(s.Cases)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(junitSuites{Suites: []junitSuite{s}}); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// firstFailing is the first FAIL or INCONCLUSIVE evidence line, else the first line.
func firstFailing(v check.Verdict) string {
	for _, e := range v.Evidence {
		if strings.HasPrefix(e, "FAIL ") || strings.HasPrefix(e, "INCONCLUSIVE ") {
			return e
		}
	}
	if len(v.Evidence) > 0 {
		return v.Evidence[0]
	}
	return ""
}
