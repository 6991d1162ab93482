package conformance

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/reports/junit"
	"github.com/syncsim/syncsim/runner"
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
	// Exit is Outcome.Exit, the command's exit code.
	Exit int `json:"exit"`
	// Outcome is the exit code with every reason for it, in the contract's words: the one every
	// writer (the text, --json, --junit, --report) shows.
	Outcome runner.Outcome `json:"outcome"`
	// Took is each rule's wall time, by rule ID, for the JUnit report (not in the JSON, which
	// depends on the endpoint's behaviour only).
	Took map[string]time.Duration `json:"-"`
	// Runs are the system suite's live runs, whose verdicts it judges (RunSuite; not in the JSON,
	// where the system suite writes the runs themselves).
	Runs []*runner.Result `json:"-"`
}

// RuleVerdict is a verdict with the contract text it judged.
type RuleVerdict struct {
	check.Verdict
	Title string `json:"title"`
	// Gating reports whether this verdict decides the exit code (MUST; SHOULD with --strict).
	Gating bool `json:"gating"`
}

// MarshalJSON writes the verdict's fields (check.VerdictJSON) and the rule's next to them; without it
// the verdict's own MarshalJSON, promoted, would leave Title and Gating out.
func (r RuleVerdict) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		check.VerdictJSON
		Title  string `json:"title"`
		Gating bool   `json:"gating"`
	}{r.Verdict.JSON(), r.Title, r.Gating})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (r *RuleVerdict) UnmarshalJSON(b []byte) error {
	var w struct {
		check.VerdictJSON
		Title  string `json:"title"`
		Gating bool   `json:"gating"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*r = RuleVerdict{Verdict: w.VerdictJSON.Verdict(), Title: w.Title, Gating: w.Gating}
	return nil
}

// NewReport pairs verdicts with their rules' statements and computes the outcome: a gating rule not
// met exits 1, else a gating rule that could not be judged 2, else 0; a SHOULD or MAY rule not met
// is reported without gating.
func NewReport(suite, target string, env *Env, rules []Rule, vs []check.Verdict) *Report {
	r := &Report{Suite: suite, Target: target, Strict: env.Strict, Full: env.Full}
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
	r.Outcome = outcome(r.Verdicts, env.Strict)
	r.Exit = r.Outcome.Exit
	return r
}

// outcome is the reasons of the rules' verdicts, each in the contract's words.
func outcome(vs []RuleVerdict, strict bool) runner.Outcome {
	o := runner.Outcome{Verdict: runner.VerdictWord(runner.ExitOK), Strict: strict}
	for _, v := range vs {
		rs := runner.Reason{Property: v.ID, Name: v.Name, Level: string(v.Level)}
		switch {
		case v.Status == check.Fail && v.Gating:
			rs.Kind, rs.Exit, rs.Text = runner.ReasonFail, runner.ExitFailed, fmt.Sprintf("%s (%s) not met: %s", v.ID, v.Level, v.Title)
		case v.Status == check.Inconclusive && v.Gating:
			rs.Kind, rs.Exit, rs.Text = runner.ReasonInconclusive, runner.ExitInconclusive, fmt.Sprintf("%s (%s) could not be judged: %s", v.ID, v.Level, v.Title)
		case v.Status == check.Fail:
			rs.Kind, rs.Text = runner.ReasonReported, fmt.Sprintf("%s (%s) not met, reported without gating (gates with --strict): %s", v.ID, v.Level, v.Title)
		default:
			continue
		}
		if e := v.Evidence; len(e) > 0 {
			rs.Text += " (observed: " + firstFailing(e) + ")"
		}
		o.Add(rs)
	}
	return o
}

// firstFailing is the first line of evidence that says what broke the rule, else the first line.
func firstFailing(es []check.Evidence) string {
	for _, e := range es {
		if len(e.Text) > 5 && (e.Text[:5] == "FAIL " || e.Text[:5] == "INCON") {
			return e.Text
		}
	}
	return es[0].Text
}

// Interrupted records that the suite was stopped before its end (Ctrl-C): what was observed may
// not be the whole story, so the suite cannot pass (exit 2 at least).
func (r *Report) Interrupted(cause error) {
	r.Outcome.Add(runner.Reason{Kind: runner.ReasonInconclusive, Exit: runner.ExitInconclusive,
		Text: "the suite was interrupted before every rule was observed in full: " + cause.Error()})
	r.Exit = r.Outcome.Exit
}

// Rules are the verdicts with their statements, as the JUnit and HTML writers take them.
func (r *Report) Rules() []junit.Rule {
	out := make([]junit.Rule, len(r.Verdicts))
	for i, v := range r.Verdicts {
		out[i] = junit.Rule{Verdict: v.Verdict, Statement: v.Title, Took: r.Took[v.ID]}
	}
	return out
}

// WriteJSON writes the report as one indented JSON object.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// FormatVerdict writes one rule's line in the contract's words ("MESH-4  MUST    fail  observed=1
// retry-failed-fetch"), the rule's statement, and what was observed, indented below.
func FormatVerdict(w io.Writer, v check.Verdict, title string, strict bool) {
	status := string(v.Status)
	switch {
	case v.Status == check.Fail && !Gates(v.Level, strict):
		status += " (not gating)"
	case v.Vacuous():
		status += " (nothing observed)"
	}
	fmt.Fprintf(w, "%-7s %-6s %-18s observed=%-3d %s\n", v.ID, v.Level, status, v.Checked, v.Name)
	if title != "" {
		fmt.Fprintf(w, "        %s\n", title)
	}
	for _, e := range v.Evidence {
		fmt.Fprintf(w, "          %s\n", e)
	}
}

// Summary is the closing lines: counts per status, the exit code and every reason for it.
func (r *Report) Summary() string {
	counts := map[check.Status]int{}
	for _, v := range r.Verdicts {
		counts[v.Status]++
	}
	s := fmt.Sprintf("%s: %d rules: %d pass, %d fail, %d inconclusive; exit %d (%s)",
		r.Suite, len(r.Verdicts), counts[check.Pass], counts[check.Fail], counts[check.Inconclusive], r.Outcome.Exit, r.Outcome.Verdict)
	for _, rs := range r.Outcome.Reasons {
		s += "\n  " + rs.Line()
	}
	return s
}

// WriteJUnit writes the report as JUnit XML, one test case per rule with its statement: a gating
// rule not met is a <failure>, a gating rule that could not be judged an <error>, a rule not met
// that does not gate (SHOULD without --strict, MAY) <skipped>; an interruption is an <error> case of
// its own (reports/junit).
func (r *Report) WriteJUnit(w io.Writer) error {
	opts := junit.Options{Strict: r.Strict}
	return junit.Conformance(r.Rules(), r.Suite, r.Outcome, opts).Encode(w, opts)
}
