package check_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/sim/world"
	"github.com/syncsim/syncsim/trace"
)

// renamed is a copy of tr in which every record of kind has its field from renamed to to: what a
// reader by key would have read as "" and passed on.
func renamed(tr *trace.Trace, kind trace.Kind, from, to string) (*trace.Trace, int) {
	out := &trace.Trace{Header: tr.Header, Records: make([]trace.Record, len(tr.Records))}
	first := 0
	for i, r := range tr.Records {
		r.Fields = append([]trace.Field(nil), r.Fields...)
		if r.Kind == kind {
			for j := range r.Fields {
				if r.Fields[j].Key == from {
					r.Fields[j].Key = to
					if first == 0 {
						first = r.Seq
					}
				}
			}
		}
		out.Records[i] = r
	}
	return out, first
}

// A renamed field is never a silent pass: each checker that reads the record fails, citing the
// record and naming the field, and no checker panics on it.
func TestRenamedFieldFailsLoudly(t *testing.T) {
	sc, err := scenarios.Load("../scenarios/smoke.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := world.Run(sc, host.ModePlatform, 1, world.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		kind     trace.Kind
		from     string
		checkers []string // that read the field, so must fail
	}{
		{trace.KindSyncEnter, "span", []string{"P3"}},
		{trace.KindSyncPublish, "background", []string{"P10"}},
		{trace.KindContentChange, "expected_hash", []string{"P1", "P4", "P13"}},
		{trace.KindStoreSnapshot, "revision", []string{"P1", "P2"}},
		{trace.KindLease, "state", []string{"P14", "P15"}},
		{trace.KindMeshFetch, "attempt", []string{"P6", "P22"}},
	}
	for _, c := range cases {
		tr, seq := renamed(res.Trace, c.kind, c.from, c.from+"_renamed")
		if seq == 0 {
			t.Fatalf("smoke's trace has no %s with %s", c.kind, c.from)
		}
		must := map[string]bool{}
		for _, id := range c.checkers {
			must[id] = true
		}
		for _, p := range check.TraceCheckers() {
			v := p.Check(check.Input{Trace: tr, Complete: true, Secrets: res.Secrets})
			if !must[p.ID] {
				continue
			}
			text := strings.Join(v.EvidenceText(), "\n")
			if v.Status != check.Fail || !strings.Contains(text, "#") || !strings.Contains(text, `"`+c.from) {
				t.Errorf("%s with %s renamed: %s %s, want a fail naming the record and the field; evidence %q",
					c.kind, c.from, p.ID, v.Status, text)
			}
			if at, ok := v.BreaksAt(); !ok || at < seq {
				t.Errorf("%s with %s renamed: %s breaks at %d, want a malformed record (first at #%d)", c.kind, c.from, p.ID, at, seq)
			}
		}
	}
}

// A record of any kind without its fields stops no checker with a panic: a checker that reads it
// fails, one that does not is unaffected.
func TestEmptyRecordOfEveryKind(t *testing.T) {
	for _, k := range trace.Kinds() {
		tr := &trace.Trace{Records: []trace.Record{{Seq: 1, Party: trace.PartyWorld, Kind: k}}}
		for _, p := range check.TraceCheckers() {
			v := p.Check(check.Input{Trace: tr, Complete: true})
			if v.Status == check.Fail && !strings.Contains(strings.Join(v.EvidenceText(), "\n"), "#1 ") {
				t.Errorf("%s on an empty %s: a fail that cites no record: %q", p.ID, k, v.EvidenceText())
			}
		}
	}
}

// Every record the simulator writes, in every scenario and mode, reads through its view: the drivers
// write no field the views do not know (site adds some with Event.With), so no checker
// fails a real run for a malformed record.
func TestSimulatorRecordsReadThroughTheirViews(t *testing.T) {
	paths, _ := filepath.Glob("../../scenarios/*.yaml")
	more, _ := filepath.Glob("../../scenarios/*/*.yaml")
	for _, p := range append(paths, more...) {
		sc, err := scenarios.Load(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range host.Modes() {
			res, err := world.Run(sc, m, 1, world.Options{})
			if err != nil {
				t.Fatalf("%s %s: %v", p, m, err)
			}
			for _, r := range res.Trace.Records {
				if _, err := trace.View(r); err != nil {
					t.Fatalf("%s mode %s seed 1: %v", p, m, err)
				}
			}
		}
	}
}
