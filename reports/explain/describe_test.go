package explain

import (
	"strings"
	"testing"

	"github.com/syncsim/syncsim/trace"
)

// TestAcceptedInvalidTokenNamed: an endpoint that accepts a token P8's oracle refuses is called out
// with the oracle's reason; one it accepts rightly, or refuses, is not.
func TestAcceptedInvalidTokenNamed(t *testing.T) {
	rec := func(accepted bool) *trace.Record {
		e := trace.TokenCheck("frontend", "app", "instance/a", accepted, 0, []trace.Field{trace.F("form", "absent")}, "")
		return &trace.Record{Party: "frontend", Kind: e.Kind, Fields: e.Fields}
	}
	line, rules := describe(rec(true))
	if !strings.Contains(line, "ACCEPTED AN INVALID TOKEN at frontend: no token") || len(rules) == 0 {
		t.Fatalf("accepted absent token: got %q %v", line, rules)
	}
	if line, _ := describe(rec(false)); strings.Contains(line, "ACCEPTED") {
		t.Fatalf("refused token described as accepted: %q", line)
	}
}

// A record its view cannot read is described as malformed, naming the field, not with empty values.
func TestMalformedRecordDescribed(t *testing.T) {
	e := trace.SyncEnd(3, false, "admin", false, false, "h", "boom")
	var fields []trace.Field
	for _, f := range e.Fields {
		if f.Key != "span" {
			fields = append(fields, f)
		}
	}
	line, _ := describe(&trace.Record{Seq: 9, Party: "instance/a", Kind: e.Kind, Fields: fields})
	if !strings.Contains(line, "MALFORMED RECORD") || !strings.Contains(line, `"span"`) || !strings.Contains(line, "#9") {
		t.Fatalf("got %q", line)
	}
}
