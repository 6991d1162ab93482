package html

import (
	"strings"
	"testing"
	"time"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/output/redact"
	"github.com/syncsim/syncsim/runner/tracefile"
	"github.com/syncsim/syncsim/trace"
)

// The diagram highlights the records the evidence cites, as data: the record where a property breaks
// gets the red band, the others it cites the yellow one. A record a text merely mentions, which no
// finding cites, is not highlighted, and a passing verdict highlights nothing.
func TestDiagramHighlightsCitedRecords(t *testing.T) {
	rec := func(seq int, party string, kind trace.Kind, fields ...trace.Field) trace.Record {
		return trace.Record{Seq: seq, At: time.Duration(seq) * time.Second, Party: party, Kind: kind, Fields: fields}
	}
	f := &tracefile.File{Scenario: tracefile.Scenario{Path: "s.yaml"}, Mode: "platform", Seed: 1, Records: []trace.Record{
		rec(1, trace.PartyWorld, trace.KindContentChange, trace.F("revision", 1), trace.F("expected_hash", "h1")),
		rec(2, trace.PartyStorage, trace.KindBlobWrite, trace.F("value", "h1")),
		rec(3, trace.PartyMesh, trace.KindMeshAccept, trace.F("notification", 1), trace.F("instance", "a")),
		rec(4, trace.PartyMesh, trace.KindMeshAbandon, trace.F("cover", 1), trace.F("attempts", 3), trace.F("reason", "budget")),
		rec(5, trace.PartyWorld, trace.KindRunEnd, trace.F("reason", "settled")),
	}, Verdicts: []check.Verdict{
		{ID: "P4", Status: check.Fail, Evidence: []check.Evidence{
			{Text: "the hash blob is ahead of the store", Records: []int{2, 4}, At: 4},
			{Text: "it was accepted: see #1 00:00:01.000 world content.change", Records: []int{3}, At: 3},
		}},
		{ID: "P7", Status: check.Pass, Evidence: []check.Evidence{{Text: "a note", Records: []int{5}, At: 5}}},
	}}
	d := buildDiagram("d1", f, redact.New(nil), DefaultMaxRows)
	classes := map[string]string{}
	for _, r := range d.Rows {
		seq, _, _ := strings.Cut(r.Title, " ")
		classes[seq] = r.Class
	}
	want := map[string]string{"#1": "", "#2": "cit", "#3": "cit", "#4": "brk", "#5": ""}
	for seq, class := range want {
		got, ok := classes[seq]
		if !ok || got != class {
			t.Errorf("row %s: class %q (drawn %v), want %q", seq, got, ok, class)
		}
	}
	for _, r := range d.Rows {
		if r.Class == "brk" && (r.Anchor != "d1-break-P4" || !strings.Contains(r.Marks, "P4 breaks here")) {
			t.Errorf("the breaking row is marked %q, anchored %q", r.Marks, r.Anchor)
		}
	}
}
