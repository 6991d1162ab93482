package conformance

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/syncsim/syncsim/reports/junit"

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

// WriteJUnit writes the report as JUnit XML, one test case per rule, with the report writers' rules:
// a gating failure is a <failure>; an inconclusive verdict, or a failure that does not gate (SHOULD
// without --strict, MAY), is <skipped>.
func (r *Report) WriteJUnit(w io.Writer) error {
	vs := make([]check.Verdict, len(r.Verdicts))
	for i, v := range r.Verdicts {
		vs[i] = v.Verdict
	}
	opts := junit.Options{Strict: r.Strict}
	return junit.Conformance(vs, r.Suite, opts).Encode(w, opts)
}
