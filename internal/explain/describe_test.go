package explain

import (
	"strings"
	"testing"

	"github.com/syncsim/syncsim/sim"
)

// TestAcceptedInvalidTokenNamed: an endpoint that accepts a token P8's oracle refuses is called out
// with the oracle's reason; one it accepts rightly, or refuses, is not.
func TestAcceptedInvalidTokenNamed(t *testing.T) {
	rec := func(accepted bool) *sim.Record {
		return &sim.Record{Party: "frontend", Kind: "token.check", Fields: []sim.Field{
			sim.F("endpoint", "frontend"), sim.F("form", "absent"), sim.F("accepted", accepted), sim.F("site", "app")}}
	}
	line, rules := describe(rec(true))
	if !strings.Contains(line, "ACCEPTED AN INVALID TOKEN at frontend: no token") || len(rules) == 0 {
		t.Fatalf("accepted absent token: got %q %v", line, rules)
	}
	if line, _ := describe(rec(false)); strings.Contains(line, "ACCEPTED") {
		t.Fatalf("refused token described as accepted: %q", line)
	}
}
