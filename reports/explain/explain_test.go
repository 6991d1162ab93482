package explain

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/runner"
	"github.com/syncsim/syncsim/runner/tracefile"
	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/trace"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func explainRun(t *testing.T, path string, mode host.Mode, seed uint64, opts Options) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	t.Chdir(filepath.Join(filepath.Dir(file), "..", ".."))
	sc, err := scenarios.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := runner.RunOne(sc, mode, seed, runner.Options{Raw: true})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := Write(&b, runner.TraceFile(res), opts); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// The explanation of PR #11690's incident is a stable rendering, held as a golden file.
func TestGoldenWorkerDeletedBeforeFetch(t *testing.T) {
	got := explainRun(t, "scenarios/incidents/worker-deleted-before-fetch.yaml", host.ModePlatform, 1, Options{})
	golden := filepath.Join("reports", "explain", "testdata", "worker-deleted-before-fetch.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./reports/explain -update to write it)", err)
	}
	if got != string(want) {
		t.Fatalf("explanation differs from %s (run with -update after checking the change):\n%s", golden, got)
	}
	for _, want := range []string{"FAULT delete-instance injected (point=after-hash-write", "INSTANCE DELETED",
		"GAVE UP on notifications up to 2", "<== P4 breaks here", "<== P1 breaks here"} {
		if !strings.Contains(got, want) {
			t.Errorf("explanation lacks %q", want)
		}
	}
	rules := got[strings.LastIndex(got, "rules involved:"):]
	for _, id := range []string{"SYNC-6", "MESH-4", "P1", "P4"} {
		if !strings.Contains(rules, id) {
			t.Errorf("rules involved lack %s: %s", id, rules)
		}
	}
}

// --all shows every record; the default hides the network's plumbing but keeps every fault.
func TestAllShowsEveryRecord(t *testing.T) {
	short := explainRun(t, "scenarios/smoke.yaml", host.ModeFrontend, 1, Options{})
	all := explainRun(t, "scenarios/smoke.yaml", host.ModeFrontend, 1, Options{All: true})
	if !strings.Contains(all, "net.deliver") || strings.Contains(short, "net.deliver") || len(all) < 2*len(short) {
		t.Fatalf("--all %d bytes, default %d bytes", len(all), len(short))
	}
	if !strings.Contains(short, "failing: none") || !strings.Contains(short, "rules involved: ") {
		t.Fatalf("header or footer missing:\n%s", short[:200])
	}
}

// Secrets never reach an explanation (P11, PAY-4).
func TestExplanationCarriesNoSecret(t *testing.T) {
	out := explainRun(t, "scenarios/smoke.yaml", host.ModePlatform, 1, Options{All: true})
	if strings.Contains(out, "s3cr3t-master-0000") || strings.Contains(out, "eyJ") {
		t.Fatal("a secret or a token in the explanation")
	}
}

// A schedule edited away from the records is refused with the entry named, and nothing is written.
func TestEditedScheduleRefused(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	t.Chdir(filepath.Join(filepath.Dir(file), "..", ".."))
	sc, err := scenarios.Load("scenarios/incidents/worker-deleted-before-fetch.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := runner.RunOne(sc, host.ModePlatform, 1, runner.Options{Raw: true})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		edit func(s *trace.Schedule)
		want string
	}{
		{"entry twice", func(s *trace.Schedule) { s.Timeline = append(s.Timeline, s.Timeline[len(s.Timeline)-1]) }, "is listed twice"},
		{"unrecorded firing", func(s *trace.Schedule) { s.Firings = append(s.Firings, "delete-instance@after-lock/i0#1") },
			`delete-instance@after-lock/i0#1: the trace's records show no such entry`},
	}
	for _, c := range cases {
		f := runner.TraceFile(res)
		f.Schedule = trace.Schedule{Timeline: slices.Clone(f.Schedule.Timeline), Firings: slices.Clone(f.Schedule.Firings), Choices: f.Schedule.Choices}
		c.edit(&f.Schedule)
		var b bytes.Buffer
		err := Write(&b, f, Options{})
		if !errors.Is(err, tracefile.ErrSchedule) || !strings.Contains(err.Error(), c.want) || b.Len() != 0 {
			t.Errorf("%s: err %v, %d bytes written, want %q", c.name, err, b.Len(), c.want)
		}
	}
}

// The breaking record is read from the evidence's structure, not its text: a property breaks where
// its first finding happens, one judged at the end of the run at the last record, and the rules
// involved are those of the records the findings cite.
func TestBreaksWhereTheEvidenceSays(t *testing.T) {
	rec := func(seq int, party string, e trace.Event) trace.Record {
		return trace.Record{Seq: seq, At: time.Duration(seq) * time.Second, Party: party, Kind: e.Kind, Fields: e.Fields}
	}
	f := &tracefile.File{Scenario: tracefile.Scenario{Path: "s.yaml"}, Mode: "platform", Seed: 1,
		Schedule: trace.Schedule{Timeline: []int{}, Firings: []string{}, Choices: []string{}},
		Records: []trace.Record{
			rec(1, trace.PartyWorld, trace.ContentChange(1, "initial", "h1", "c1", 1, 1)),
			rec(2, trace.PartyStorage, trace.BlobWrite(1, "upload", "synctriggers/h/last", 201, "", "h1")),
			rec(3, trace.PartyMesh, trace.MeshAbandon(1, 3, "budget")),
			rec(4, trace.PartyWorld, trace.RunEnd("settled", true)),
		},
		Verdicts: []check.Verdict{
			{ID: "P4", Name: "hash-implies-published", Status: check.Fail, Evidence: []check.Evidence{
				{Text: "the blob is ahead (#1 00:00:01.000 is only mentioned)", Records: []int{1, 3}, At: 3}}},
			{ID: "P1", Name: "eventual-convergence", Status: check.Fail, Evidence: []check.Evidence{
				{Text: "at the end"}, {Text: "hash blob", Records: []int{2}, At: 2}}},
		}}
	var b bytes.Buffer
	if err := Write(&b, f, Options{}); err != nil {
		t.Fatal(err)
	}
	marks := map[string]string{}
	for _, l := range strings.Split(b.String(), "\n") {
		if i := strings.Index(l, "<== "); i >= 0 {
			marks[strings.Fields(l)[0]] = l[i:]
		}
	}
	want := map[string]string{"00:00:03.000": "<== P4 breaks here", "00:00:04.000": "<== P1 breaks here"}
	if len(marks) != len(want) || marks["00:00:03.000"] != want["00:00:03.000"] || marks["00:00:04.000"] != want["00:00:04.000"] {
		t.Fatalf("marks %v, want %v:\n%s", marks, want, b.String())
	}
	rules := b.String()[strings.LastIndex(b.String(), "rules involved:"):]
	for _, id := range []string{"PAY-5", "BLOB-2", "MESH-4"} {
		if !strings.Contains(rules, id) {
			t.Errorf("rules involved lack %s, a rule of a cited record: %s", id, rules)
		}
	}
}
