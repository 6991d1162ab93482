package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/syncsim/syncsim/runner/tracefile"
	"github.com/syncsim/syncsim/trace"
)

// The committed fleet trace, named from the repository's root as its scenario path is.
const fleetTrace = "explore/replay/testdata/fleet-platform-seed104.json.gz"

// replay of the committed trace says "identical" and exits 1 (it fails P1); mutated copies of it are
// refused by replay, shrink and explain with exit 3, the file and the entry named.
func TestTraceCommandsValidateTheSchedule(t *testing.T) {
	t.Chdir(root)
	code, out, errOut := simrun(t, "replay", fleetTrace)
	if code != 1 || !strings.Contains(out, "): identical\n") || !strings.Contains(out, "P1   MUST   fail") {
		t.Fatalf("replay: exit %d\n%s\n%s", code, out, errOut)
	}
	dir := t.TempDir()
	mutate := func(name string, edit func(f *tracefile.File)) string {
		f, err := tracefile.Read(fleetTrace)
		if err != nil {
			t.Fatal(err)
		}
		edit(f)
		f.Size = f.Schedule.Size()
		p := filepath.Join(dir, name)
		if err := tracefile.Write(p, f, nil); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name string
		path string
		want string
		// scenario: only a check against the scenario finds it, so explain (which reads no scenario)
		// shows the trace.
		scenario bool
	}{
		{"missing-entry.json", mutate("missing-entry.json", func(f *tracefile.File) {
			f.Schedule.Timeline = append(f.Schedule.Timeline, 11)
			f.Records = append(f.Records, trace.Record{Kind: trace.KindTimeline, Fields: []trace.Field{{Key: "index", Value: "11"}}})
		}), "missing-entry.json: replay: tracefile: invalid schedule: schedule.timeline[11]: entry 11 does not exist: scenarios/fleet.yaml has 11 timeline entries", true},
		{"duplicated.json", mutate("duplicated.json", func(f *tracefile.File) {
			f.Schedule.Timeline = append([]int{0}, f.Schedule.Timeline...)
		}), "tracefile: invalid schedule: " + filepath.Join(dir, "duplicated.json") + ": schedule.timeline[1]: entry 0 is listed twice", false},
		{"reordered.json", mutate("reordered.json", func(f *tracefile.File) {
			f.Schedule.Timeline[0], f.Schedule.Timeline[1] = f.Schedule.Timeline[1], f.Schedule.Timeline[0]
		}), "reordered.json: schedule.timeline[1]: entry 0 comes after entry 1, out of order", false},
		{"unknown-firing.json", mutate("unknown-firing.json", func(f *tracefile.File) {
			f.Schedule.Firings[3] = "meteor@site#1"
		}), `unknown-firing.json: schedule.firings[3] "meteor@site#1": no fault named "meteor" in the catalogue`, false},
	}
	for _, c := range cases {
		for _, cmd := range [][]string{{"replay", c.path}, {"shrink", c.path, "-o", filepath.Join(dir, "out.json")}, {"explain", c.path}} {
			code, out, errOut := simrun(t, cmd...)
			if cmd[0] == "explain" && c.scenario {
				if code != 0 || !strings.Contains(out, "scenarios/fleet.yaml  mode=platform seed=104") {
					t.Errorf("%s %s: exit %d, stderr %q", cmd[0], c.name, code, errOut)
				}
				continue
			}
			if code != 3 || !strings.Contains(errOut, c.want) || strings.Contains(out, "identical") {
				t.Errorf("%s %s: exit %d, stdout %q, stderr %q\nwant 3 and %q", cmd[0], c.name, code, out, errOut, c.want)
			}
		}
	}
}

// --max-trace-bytes and --max-trace-records bound what replay, shrink and explain read: a gzip bomb
// and a file over the record limit exit 3, naming the file, the limit and the flag.
func TestTraceCommandsLimits(t *testing.T) {
	t.Chdir(root)
	dir := t.TempDir()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(make([]byte, 4<<20))
	zw.Close()
	bomb := filepath.Join(dir, "bomb.json.gz")
	if err := os.WriteFile(bomb, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"replay", "--max-trace-bytes", "1048576", bomb}, "bomb.json.gz: the file decompresses to over the limit of 1048576 bytes (fix: raise it with --max-trace-bytes)"},
		{[]string{"explain", "--max-trace-bytes", "1048576", bomb}, "over the limit of 1048576 bytes"},
		{[]string{"shrink", "--max-trace-bytes", "1048576", bomb, "-o", filepath.Join(dir, "o.json")}, "over the limit of 1048576 bytes"},
		{[]string{"replay", "--max-trace-records", "5000", fleetTrace}, "fleet-platform-seed104.json.gz: more than 5000 records (fix: raise the limit with --max-trace-records)"},
		{[]string{"explain", dir}, "is not a regular file"},
	}
	for _, c := range cases {
		code, _, errOut := simrun(t, c.args...)
		if code != 3 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want 3 and %q", c.args, code, errOut, c.want)
		}
	}
	// Raised to the trace's 7,507 records, the limit lets it through.
	if code, out, _ := simrun(t, "replay", "--max-trace-records", "7507", fleetTrace); code != 1 || !strings.Contains(out, "identical") {
		t.Fatalf("raised limit: exit %d\n%s", code, out)
	}
}
