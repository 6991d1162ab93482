package trace

import (
	"testing"
	"time"
)

// The recorder's streaming hash is the hash of the trace it recorded: RecordsHash without a header,
// Hash with one, whatever the records hold (quoted values, microseconds, long hours), and it moves
// with every record.
func TestRecorderSumIsTheTraceHash(t *testing.T) {
	h := Header{Format: Format, Scenario: "scenarios/smoke.yaml", ScenarioSHA256: "ab12", Mode: "platform", Seed: 7}
	now := time.Duration(0)
	plain, headed := NewRecorder(func() time.Duration { return now }), NewRecorder(func() time.Duration { return now })
	headed.HashHeader(h)
	empty := (&Trace{}).RecordsHash()
	if plain.Sum() != empty || headed.Sum() != (&Trace{Header: h}).Hash() {
		t.Fatalf("empty recorders: %s %s", plain.Sum(), headed.Sum())
	}
	adds := []struct {
		at     time.Duration
		party  string
		kind   Kind
		fields []Field
	}{
		{0, PartyWorld, KindRunStart, []Field{F("scenario", "smoke"), F("seed", uint64(7))}},
		{1500 * time.Microsecond, InstanceParty("pod-1"), KindLog, []Field{F("text", `a "quoted" = text`), F("empty", "")}},
		{101*time.Hour + time.Nanosecond, PartyMesh, KindMeshFetch, []Field{F("fetch", 1), F("ok", true)}},
	}
	prev := plain.Sum()
	for _, a := range adds {
		now = a.at
		plain.Add(a.party, a.kind, a.fields...)
		headed.Add(a.party, a.kind, a.fields...)
		if plain.Sum() == prev {
			t.Fatalf("the sum did not change with record %d", plain.Len())
		}
		prev = plain.Sum()
		tr := &Trace{Header: h, Records: plain.Records()}
		if plain.Sum() != tr.RecordsHash() {
			t.Fatalf("after %d records: Sum %s, RecordsHash %s", plain.Len(), plain.Sum(), tr.RecordsHash())
		}
		if headed.Sum() != tr.Hash() {
			t.Fatalf("after %d records: Sum with header %s, Hash %s", headed.Len(), headed.Sum(), tr.Hash())
		}
	}
}

func TestHashHeaderAfterARecordPanics(t *testing.T) {
	r := NewRecorder(func() time.Duration { return 0 })
	r.Add(PartyWorld, KindRunStart)
	defer func() {
		if recover() == nil {
			t.Fatal("HashHeader after a record did not panic")
		}
	}()
	r.HashHeader(Header{})
}
