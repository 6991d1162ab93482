package check

import (
	"strings"
	"testing"

	"github.com/syncsim/syncsim/trace"
)

// expect asserts a verdict's status and checked count, and that its evidence mentions each of wants.
func expect(t *testing.T, v Verdict, status Status, checked int, wants ...string) {
	t.Helper()
	if v.Status != status || v.Checked != checked {
		t.Fatalf("%s: status %s checked %d, want %s %d; evidence %q", v.ID, v.Status, v.Checked, status, checked, v.Evidence)
	}
	all := strings.Join(v.EvidenceText(), "\n")
	for _, w := range wants {
		if !strings.Contains(all, w) {
			t.Fatalf("%s: evidence %q lacks %q", v.ID, v.Evidence, w)
		}
	}
	if status == Fail && len(v.Evidence) == 0 {
		t.Fatalf("%s: a failure without evidence", v.ID)
	}
}

// spaced turns "_" into spaces in the text fields (error, result, text), which script's lines cannot
// hold: "error=SyncTriggers_operation_failed." is "SyncTriggers operation failed.".
func spaced(tr *trace.Trace) *trace.Trace {
	for i := range tr.Records {
		for j, f := range tr.Records[i].Fields {
			if f.Key == "error" || f.Key == "result" || f.Key == "text" {
				tr.Records[i].Fields[j].Value = strings.ReplaceAll(f.Value, "_", " ")
			}
		}
	}
	return tr
}

// complete adds the fields a record's view requires and a fixture leaves out, with their zero values
// (after the fixture's own): a fixture names only the fields its case is about, and a checker reads
// every record through its view, which refuses a record without them.
func complete(r trace.Record) trace.Record {
	fields, _, ok := trace.ViewOf(r.Kind)
	if !ok {
		return r
	}
	for _, f := range fields {
		if f.Optional || r.Has(f.Key) {
			continue
		}
		zero := ""
		switch f.Type.String() {
		case "time.Duration":
			zero = "0s"
		case "bool":
			zero = "false"
		case "int", "int64", "uint64", "float64":
			zero = "0"
		}
		r.Fields = append(r.Fields, trace.Field{Key: f.Key, Value: zero})
	}
	return r
}
