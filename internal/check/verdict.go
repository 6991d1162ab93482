package check

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/syncsim/syncsim/internal/trace"
)

// Status is a verdict's outcome. A timeout or a run cut short by its budget gives Inconclusive, a
// verdict in its own right and not an error.
type Status string

// Verdict statuses (DESIGN.md "Properties").
const (
	Pass         Status = "pass"
	Fail         Status = "fail"
	Inconclusive Status = "inconclusive"
	// XFail is a failure the scenario expects; XPass an expected failure that did not happen.
	XFail Status = "xfail"
	XPass Status = "xpass"
)

// Level is a rule's RFC 2119 level.
type Level string

// Levels.
const (
	Must   Level = "MUST"
	Should Level = "SHOULD"
	May    Level = "MAY"
)

// Verdict is one property's judgement of one run.
type Verdict struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Level   Level  `json:"level"`
	Status  Status `json:"status"`
	Checked int    `json:"checked"`
	// Evidence names the records that break the property (or, for an inconclusive verdict, why).
	Evidence []string `json:"evidence,omitempty"`
	// Metrics are measurements a property records whatever its status (P13: convergence_ms).
	Metrics map[string]int64 `json:"metrics,omitempty"`
}

// Vacuous reports a pass that examined nothing.
func (v Verdict) Vacuous() bool { return v.Status == Pass && v.Checked == 0 }

// Input is what a checker reads.
type Input struct {
	Trace *trace.Trace
	// Complete is false when the run's budget ended it before the end of its settle window.
	Complete bool
	// Secrets are the credentials the run used (keys, the encryption key): P11 looks for them.
	Secrets []string
	// ConvergenceBound gates P13; zero means no bound (the latency is still recorded).
	ConvergenceBound time.Duration
}

// Property describes one entry of the catalogue.
type Property struct {
	ID        string
	Name      string
	Level     Level
	Statement string
	// Check judges a trace; nil for properties judged elsewhere (P12 re-runs the scenario).
	Check func(Input) Verdict
}

func newVerdict(p Property) Verdict {
	return Verdict{ID: p.ID, Name: p.Name, Level: p.Level, Status: Pass}
}

// ref renders a record for evidence: "#57 00:02:32.180 storage blob.write".
func ref(r trace.Record) string {
	return "#" + strconv.Itoa(r.Seq) + " " + trace.FormatElapsed(r.At) + " " + r.Party + " " + string(r.Kind)
}

// short abbreviates a hash for evidence.
func short(h string) string {
	if h == "" {
		return "(none)"
	}
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// SortByID orders verdicts P1, P2, ..., P13.
func SortByID(vs []Verdict) {
	sort.SliceStable(vs, func(i, j int) bool { return idNumber(vs[i].ID) < idNumber(vs[j].ID) })
}

func idNumber(id string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(id, "P"))
	if err != nil {
		return 1 << 30
	}
	return n
}
