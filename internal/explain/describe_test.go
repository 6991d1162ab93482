package explain

import (
	"strings"
	"testing"

	"github.com/syncsim/syncsim/internal/trace"
)

// TestAcceptedInvalidTokenNamed: an endpoint that accepts a token P8's oracle refuses is called out
// with the oracle's reason; one it accepts rightly, or refuses, is not.
func TestAcceptedInvalidTokenNamed(t *testing.T) {
	rec := func(accepted bool) *trace.Record {
		return &trace.Record{Party: "frontend", Kind: "token.check", Fields: []trace.Field{
			trace.F("endpoint", "frontend"), trace.F("form", "absent"), trace.F("accepted", accepted), trace.F("site", "app")}}
	}
	line, rules := describe(rec(true))
	if !strings.Contains(line, "ACCEPTED AN INVALID TOKEN at frontend: no token") || len(rules) == 0 {
		t.Fatalf("accepted absent token: got %q %v", line, rules)
	}
	if line, _ := describe(rec(false)); strings.Contains(line, "ACCEPTED") {
		t.Fatalf("refused token described as accepted: %q", line)
	}
}
