package check

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/syncsim/syncsim/trace"
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

// Verdict is one property's judgement of one run. Its JSON form is VerdictJSON.
type Verdict struct {
	ID      string
	Name    string
	Level   Level
	Status  Status
	Checked int
	// Evidence names the records that break the property (or, for an inconclusive verdict, why); the
	// first record the first finding cites is where the property breaks (BreaksAt).
	Evidence []Evidence
	// Metrics are measurements a property records whatever its status (P13: convergence_ms).
	Metrics map[string]int64
}

// EvidenceText is the verdict's evidence as lines of text.
func (v Verdict) EvidenceText() []string { return EvidenceText(v.Evidence) }

// BreaksAt is the sequence number of the record where the property breaks: where its first finding
// happens (Evidence.At). ok is false when that finding is about the run as a whole (a property judged
// at the end of the run, P1) or there is no evidence.
func (v Verdict) BreaksAt() (seq int, ok bool) {
	if len(v.Evidence) == 0 || v.Evidence[0].At == 0 {
		return 0, false
	}
	return v.Evidence[0].At, true
}

// Cited lists the sequence numbers of the records any finding cites, in the order they are cited,
// each once.
func (v Verdict) Cited() []int {
	var out []int
	seen := map[int]bool{}
	for _, e := range v.Evidence {
		for _, seq := range e.Records {
			if !seen[seq] {
				seen[seq] = true
				out = append(out, seq)
			}
		}
	}
	return out
}

// VerdictJSON is a verdict as JSON writes it: the evidence as its lines of text and, in Cites, the
// records and values each line cites (Cites[i] is Evidence[i]'s; omitted when no line cites
// anything). A type that embeds Verdict and adds fields marshals them next to VerdictJSON's.
type VerdictJSON struct {
	ID       string           `json:"id"`
	Name     string           `json:"name"`
	Level    Level            `json:"level"`
	Status   Status           `json:"status"`
	Checked  int              `json:"checked"`
	Evidence []string         `json:"evidence,omitempty"`
	Cites    []Cite           `json:"cites,omitempty"`
	Metrics  map[string]int64 `json:"metrics,omitempty"`
}

// Cite is what one line of evidence cites, in JSON (Evidence's fields of the same names).
type Cite struct {
	Records []int         `json:"records,omitempty"`
	At      int           `json:"at,omitempty"`
	Values  []trace.Field `json:"values,omitempty"`
}

// JSON is the verdict as JSON writes it.
func (v Verdict) JSON() VerdictJSON {
	w := VerdictJSON{ID: v.ID, Name: v.Name, Level: v.Level, Status: v.Status, Checked: v.Checked,
		Evidence: v.EvidenceText(), Metrics: v.Metrics}
	for i, e := range v.Evidence {
		if len(e.Records) == 0 && len(e.Values) == 0 {
			continue
		}
		if w.Cites == nil {
			w.Cites = make([]Cite, len(v.Evidence))
		}
		w.Cites[i] = Cite{Records: e.Records, At: e.At, Values: e.Values}
	}
	return w
}

// Verdict is the verdict a VerdictJSON writes; cites beyond the evidence's lines are dropped.
func (w VerdictJSON) Verdict() Verdict {
	v := Verdict{ID: w.ID, Name: w.Name, Level: w.Level, Status: w.Status, Checked: w.Checked, Metrics: w.Metrics}
	if w.Evidence != nil {
		v.Evidence = make([]Evidence, len(w.Evidence))
	}
	for i, text := range w.Evidence {
		v.Evidence[i].Text = text
		if i < len(w.Cites) {
			c := w.Cites[i]
			v.Evidence[i].Records, v.Evidence[i].At, v.Evidence[i].Values = c.Records, c.At, c.Values
		}
	}
	return v
}

// MarshalJSON writes v as VerdictJSON.
func (v Verdict) MarshalJSON() ([]byte, error) { return json.Marshal(v.JSON()) }

// UnmarshalJSON reads a VerdictJSON, refusing unknown fields (as tracefile reads the rest of a trace
// file), and reads verdicts written before Cites existed as evidence citing no record.
func (v *Verdict) UnmarshalJSON(b []byte) error {
	var w VerdictJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return err
	}
	*v = w.Verdict()
	return nil
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
