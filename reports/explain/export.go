package explain

import (
	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/trace"
)

// The meanings explain gives to records, shared with the other renderers of a trace (the HTML
// report's sequence diagrams), so a record reads the same in every view.

// Describe says what a record means to a person, with the contract rules it involves; "" for a
// record the timeline hides by default (the network's and the leases' records, sync points).
func Describe(r *trace.Record) (text string, rules []string) { return describe(r) }

// BreakingRecords reads the failing verdicts' structured evidence: breaks maps the sequence number of
// the record the first finding cites first to the properties that break there (a property judged at
// the end of the run, P1, breaks at last, the last record's sequence number); cited holds every record
// any finding cites.
func BreakingRecords(vs []check.Verdict, last int) (breaks map[int][]string, cited map[int]bool) {
	return breakingRecords(vs, last)
}

// FoldWindow is how many preceding steps a step is compared with when repeated steps are folded.
const FoldWindow = 4

// FoldShape is a step's shape for folding: its party and its text with the numbers taken out. A step
// whose shape equals one of the FoldWindow steps before it repeats them (a retry loop, say).
func FoldShape(party, text string) string {
	return party + " " + digitsRE.ReplaceAllString(text, "N")
}
