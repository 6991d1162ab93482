package sweep

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/syncsim/syncsim/trace"
)

func rec(kind trace.Kind, fields ...trace.Field) trace.Record {
	return trace.Record{Kind: kind, Fields: fields}
}

// recOf is the record an event of the vocabulary makes.
func recOf(e trace.Event) trace.Record { return trace.Record{Kind: e.Kind, Fields: e.Fields} }

// A run's armed faults get the world's labels (".k" for repeats); each distinct firing key counts
// once, whatever records carry it; keys of a label that was not armed count for nothing.
func TestFiringsOf(t *testing.T) {
	cases := []struct {
		name    string
		records []trace.Record
		want    []runFiring
	}{
		{"no trace", nil, nil},
		{"armed, never fired", []trace.Record{rec(trace.KindFaultArmed, trace.F("fault", "fetch-refused:p=0.2"))}, []runFiring{{"fetch-refused", 0}}},
		{"repeats and keys", []trace.Record{
			rec(trace.KindFaultArmed, trace.F("fault", "delete-instance:point=after-publish")),
			rec(trace.KindFaultArmed, trace.F("fault", "drop:p=0.1")),
			rec(trace.KindFaultArmed, trace.F("fault", "delete-instance:point=mid-fetch")),
			recOf(trace.FaultFire("delete-instance", "delete-instance.1@mid-fetch/i1#1")),
			recOf(trace.NetDrop(3, "drop", "drop@host>fe#3")),
			recOf(trace.FaultFire("drop", "drop@host>fe#3")),
			recOf(trace.NetDrop(4, "drop", "drop@host>fe#4")),
			recOf(trace.NetDuplicate(1, "ghost", "ghost@host>fe#1")),
			rec(trace.KindFaultFire, trace.F("fault", "x")),
		}, []runFiring{{"delete-instance", 0}, {"drop", 2}, {"delete-instance.1", 1}}},
	}
	for _, c := range cases {
		var tr *trace.Trace
		if c.records != nil {
			tr = &trace.Trace{Records: c.records}
		}
		if got := firingsOf(tr); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// The text names each armed fault's runs and firings, the runs that armed it when fewer, and the
// faults that never fired; a scenario without faults gets no lines.
func TestWriteFirings(t *testing.T) {
	r := &Report{FaultFirings: []FaultFirings{
		{Scenario: "a.yaml", Fault: "fe-status", Runs: 10, Armed: 10, FiredRuns: 7, Firings: 12},
		{Scenario: "a.yaml", Fault: "drop", Runs: 10, Armed: 4, FiredRuns: 0, Firings: 0},
		{Scenario: "a.yaml", Fault: "fetch-refused", Runs: 10, Armed: 10},
	}}
	var b bytes.Buffer
	r.writeFirings(&b, ScenarioInfo{Path: "a.yaml"})
	want := "  faults (runs in which each fired / runs, firings):\n" +
		"    fe-status 7/10 runs, 12 firings\n" +
		"    drop 0/10 runs, 0 firings, armed in 4\n" +
		"    fetch-refused 0/10 runs, 0 firings\n" +
		"  faults never fired: drop, fetch-refused\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	r.writeFirings(&b, ScenarioInfo{Path: "b.yaml"})
	if b.Len() != 0 {
		t.Errorf("a scenario without faults: %q", b.String())
	}
}

// firingConfig sweeps smoke in frontend mode with a front-end fault that fires and a fetch fault
// that cannot (the front-end mode makes no fetch), and the incident with its scripted deletion.
func firingConfig(t *testing.T) Config {
	return Config{Scenarios: load(t, smoke, incident), Seeds: Range{1, 5}, Mode: "frontend", Raw: true, Workers: 2,
		Faults: []string{"fe-status:p=0.5", "fetch-refused"}}
}

// A sweep counts each fault's runs and firings per scenario, flags the one that never fired, and the
// --matrix JSON carries the counts.
func TestSweepCountsFirings(t *testing.T) {
	rep := sweep(t, firingConfig(t))
	got := map[string]FaultFirings{}
	for _, f := range rep.FaultFirings {
		got[f.Scenario+" "+f.Fault] = f
	}
	fe, refused := got[load(t, smoke)[0].Path+" fe-status"], got[load(t, smoke)[0].Path+" fetch-refused"]
	if fe.Runs != 5 || fe.Armed != 5 || fe.FiredRuns == 0 || fe.Firings < fe.FiredRuns {
		t.Errorf("fe-status: %+v", fe)
	}
	if refused.Runs != 5 || refused.Armed != 5 || refused.FiredRuns != 0 || refused.Firings != 0 {
		t.Errorf("fetch-refused: %+v", refused)
	}
	del := got[load(t, incident)[0].Path+" delete-instance"]
	if del.Runs != 5 || del.Armed != 5 || del.FiredRuns == 0 || del.Firings < del.FiredRuns {
		t.Errorf("the incident's delete-instance: %+v", del)
	}
	out := text(rep)
	if !strings.Contains(out, "faults never fired: fetch-refused\n") || strings.Contains(out, "never fired: fe-status") {
		t.Errorf("text:\n%s", out)
	}
	js, err := rep.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(js), `"fault_firings": [`) || !strings.Contains(string(js), `"fault": "fetch-refused"`) {
		t.Errorf("JSON lacks the firings:\n%s", js)
	}
}

// The shards' reports carry the firings, and their merge prints and writes what one unsharded sweep
// does.
func TestMergeCarriesFirings(t *testing.T) {
	cfg := firingConfig(t)
	whole := sweep(t, cfg)
	shards := shardFiles(t, cfg, 3)
	if len(shards[1].Report.FaultFirings) == 0 {
		t.Fatal("a shard's report carries no firings")
	}
	merged, err := Merge([]ShardReport{shards[2], shards[0], shards[1]})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := text(merged), text(whole); got != want {
		t.Fatalf("text differs:\n%s\n--- unsharded:\n%s", got, want)
	}
	if got, want := withoutShard(t, merged), withoutShard(t, whole); got != want {
		t.Fatalf("JSON differs:\n%s\n--- unsharded:\n%s", got, want)
	}
}
