package tracefile

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/syncsim/syncsim/trace"
)

// valid is a small trace whose schedule is the one its records show.
func valid() *File {
	return &File{Format: Format, Harness: "h", Scenario: Scenario{Path: "s.yaml", SHA256: "ab"}, Mode: "platform",
		Seed: 1, Strategy: "uniform", Schedule: trace.Schedule{Timeline: []int{0}, Firings: []string{"delete-instance@after-hash-write/i0#1"}, Choices: []string{}}, Size: 2,
		Failed: []string{}, Records: []trace.Record{
			{Seq: 1, Party: trace.PartyWorld, Kind: trace.KindTimeline, Fields: []trace.Field{{Key: "index", Value: "0"}}},
			{Seq: 2, Party: trace.InstanceParty("i0"), Kind: trace.KindFaultFire, Fields: []trace.Field{{Key: "fault", Value: "delete-instance"}, {Key: "key", Value: "delete-instance@after-hash-write/i0#1"}}},
		}}
}

func TestRoundTripPlainAndGzip(t *testing.T) {
	for _, name := range []string{"t.json", "t.json.gz"} {
		p := filepath.Join(t.TempDir(), name)
		if err := Write(p, valid(), nil); err != nil {
			t.Fatal(err)
		}
		f, err := Read(p)
		if err != nil || f.Mode != "platform" || f.Schedule.Firings[0] != "delete-instance@after-hash-write/i0#1" {
			t.Fatalf("%s: %+v %v", name, f, err)
		}
	}
}

// Malformed trace files give errors that name the file, the place and the fix.
func TestMalformedTraces(t *testing.T) {
	cases := []struct {
		name, body, want string
	}{
		{"empty", ``, "t.json:1:1: unexpected end of JSON input"},
		{"not json", "hello", "t.json:1:2: invalid character 'h'"},
		{"truncated", `{"format": 2, "mode": "platform"`, "unexpected end of JSON input"},
		{"no format", `{"mode": "platform"}`, `no "format" field`},
		{"future format", `{"format": 9}`, "trace format 9, this build reads format 2"},
		{"format as text", `{"format": "1"}`, `field "format" must be int`},
		{"unknown field", `{"format": 2, "colour": "red"}`, `unknown field "colour"`},
		{"seed as text", "{\"format\": 2,\n \"seed\": \"one\"}", `t.json:2:`},
		{"missing mode and scenario", `{"format": 2, "schedule": {"timeline": [], "firings": [], "choices": []}}`, "missing scenario.path, mode"},
		{"missing schedule", `{"format": 2, "scenario": {"path": "s.yaml"}, "mode": "frontend"}`, "missing schedule"},
		{"edited size", `{"format": 2, "scenario": {"path": "s.yaml"}, "mode": "frontend", "size": 5, "schedule": {"timeline": [0], "firings": [], "choices": []}}`, "size 5 does not match the schedule's 1"},
		{"array", `[1, 2]`, "t.json:1:2: field \"\" must be struct"},
		{"records as text", `{"format": 2, "records": "many"}`, `field "records" must be []trace.Record`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("t.json", []byte(c.body))
			if err == nil || !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v, want %q", err, c.want)
			}
		})
	}
	p := filepath.Join(t.TempDir(), "bad.json.gz")
	os.WriteFile(p, []byte{0x1f, 0x8b, 1, 2, 3}, 0o644)
	if _, err := Read(p); err == nil || !strings.Contains(err.Error(), "not a readable gzip file") {
		t.Fatalf("bad gzip: %v", err)
	}
	if _, err := Read(filepath.Join(t.TempDir(), "missing.json")); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Fatalf("missing file: %v", err)
	}
}

// traceWith renders valid() with its schedule and records changed.
func traceWith(t *testing.T, edit func(f *File)) []byte {
	t.Helper()
	f := valid()
	edit(f)
	f.Size = f.Schedule.Size()
	p := filepath.Join(t.TempDir(), "t.json")
	if err := Write(p, f, nil); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func timelineRecords(idx ...int) []trace.Record {
	var out []trace.Record
	for i, x := range idx {
		out = append(out, trace.Record{Seq: i + 1, Party: trace.PartyWorld, Kind: trace.KindTimeline, Fields: []trace.Field{{Key: "index", Value: strconv.Itoa(x)}}})
	}
	return out
}

func fireRecords(keys ...string) []trace.Record {
	var out []trace.Record
	for i, k := range keys {
		out = append(out, trace.Record{Seq: 100 + i, Party: trace.PartyWorld, Kind: trace.KindFaultFire, Fields: []trace.Field{{Key: "key", Value: k}}})
	}
	return out
}

// A schedule that names entries twice, out of order, malformed, of an unknown fault, or other than
// its records show is refused with the entry named (ErrSchedule): replay follows a schedule as a set,
// so such a file would otherwise replay to "identical".
func TestScheduleChecks(t *testing.T) {
	const del = "delete-instance@after-hash-write/i0#1"
	cases := []struct {
		name string
		edit func(f *File)
		want string
	}{
		{"negative entry", func(f *File) { f.Schedule.Timeline = []int{-1}; f.Records = timelineRecords(-1) },
			"schedule.timeline[0]: entry -1 does not exist"},
		{"duplicated entry", func(f *File) { f.Schedule.Timeline = []int{0, 0} },
			"schedule.timeline[1]: entry 0 is listed twice (also schedule.timeline[0])"},
		{"reordered entries", func(f *File) { f.Schedule.Timeline = []int{1, 0}; f.Records = timelineRecords(1, 0) },
			"schedule.timeline[1]: entry 0 comes after entry 1, out of order"},
		{"entry not in the records", func(f *File) { f.Schedule.Timeline = []int{0, 7} },
			"schedule.timeline[1] 7: the trace's records show no such entry (they show 1)"},
		{"entry left out", func(f *File) { f.Schedule.Timeline = []int{} },
			"schedule.timeline has 0 entries, the trace's records show 0 at index 0 too"},
		{"entry swapped", func(f *File) { f.Schedule.Timeline = []int{3} },
			"schedule.timeline[0] 3: the trace's records show 0 there"},
		{"firing without label", func(f *File) { f.Schedule.Firings = []string{"@x#1"} },
			`schedule.firings[0] "@x#1": not a firing key label@place#n: no label`},
		{"firing without number", func(f *File) { f.Schedule.Firings = []string{"drop@link/a>b"} },
			`schedule.firings[0] "drop@link/a>b": not a firing key label@place#n: no place, or no '#n'`},
		{"firing number zero", func(f *File) { f.Schedule.Firings = []string{"drop@link/a>b#0"} },
			`"0" after '#' is not a number from 1`},
		{"firing of an unknown fault", func(f *File) { f.Schedule.Firings = []string{"meteor@site#1"} },
			`schedule.firings[0] "meteor@site#1": no fault named "meteor" in the catalogue`},
		{"firing listed twice", func(f *File) { f.Schedule.Firings = []string{del, del} },
			`schedule.firings[1] "` + del + `" is listed twice (also schedule.firings[0])`},
		{"firings reordered at one place", func(f *File) {
			f.Schedule.Firings = []string{"drop@link/a>b#5", "drop@link/a>b#2"}
			f.Records = fireRecords(f.Schedule.Firings...)
		}, `schedule.firings[1] "drop@link/a>b#2" comes after "drop@link/a>b#5", out of order`},
		{"firing not in the records", func(f *File) { f.Schedule.Firings = []string{del, "drop@link/a>b#3"} },
			`schedule.firings[1] drop@link/a>b#3: the trace's records show no such entry`},
		{"firings reordered across places", func(f *File) {
			f.Schedule.Firings = []string{"drop@link/a>b#3", del}
			f.Records = append(f.Records, fireRecords("drop@link/a>b#3")...)
		}, `schedule.firings[0] drop@link/a>b#3: the trace's records show ` + del + ` there`},
		{"malformed choice", func(f *File) { f.Schedule.Choices = []string{"pick-3"} },
			`schedule.choices[0] "pick-3": not a choice key choice#n`},
		{"choices reordered", func(f *File) { f.Schedule.Choices = []string{"choice#4", "choice#2"} },
			`schedule.choices[1] "choice#2" comes after choice#4, out of order`},
		{"choice not in the records", func(f *File) { f.Schedule.Choices = []string{"choice#4"} },
			`schedule.choices[0] choice#4: the trace's records show no such entry`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("t.json", traceWith(t, c.edit))
			if err == nil || !errors.Is(err, ErrSchedule) || !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), c.want) ||
				!strings.Contains(err.Error(), "t.json") || !strings.Contains(err.Error(), "fix:") {
				t.Fatalf("err %v\nwant %q", err, c.want)
			}
		})
	}
	// The repeat label of a fault ("drop.1") and the choices the records show are accepted.
	ok := traceWith(t, func(f *File) {
		f.Schedule.Firings = []string{del, "drop.1@link/a>b#2"}
		f.Schedule.Choices = []string{"choice#2", "choice#9"}
		f.Records = append(f.Records, fireRecords("drop.1@link/a>b#2")...)
		f.Records = append(f.Records, trace.Record{Seq: 200, Kind: trace.KindSchedPick, Fields: []trace.Field{{Key: "key", Value: "choice#2"}}},
			trace.Record{Seq: 201, Kind: trace.KindSchedPick, Fields: []trace.Field{{Key: "key", Value: "choice#9"}}})
	})
	if _, err := Parse("t.json", ok); err != nil {
		t.Fatalf("a consistent schedule is refused: %v", err)
	}
}

// gzipOf compresses data.
func gzipOf(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// allocated reports the bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// A gzip bomb is refused after its limit, allocating a small fraction of what it decompresses to:
// the size is counted into io.Discard before anything is kept.
func TestGzipBombRefusedWithBoundedMemory(t *testing.T) {
	dir := t.TempDir()
	// A few KB that decompress to 8 MiB, against a 1 MiB limit.
	small := gzipOf(t, make([]byte, 8<<20))
	// One compressed MiB of zeros repeated as 300 gzip members: 300 MiB, over the default limit.
	member := gzipOf(t, make([]byte, 1<<20))
	cases := []struct {
		name   string
		data   []byte
		limits Limits
		want   string
	}{
		{"few KB to 8 MiB", small, Limits{MaxBytes: 1 << 20}, "the file decompresses to over the limit of 1048576 bytes (fix: raise it with --max-trace-bytes)"},
		{"300 MiB past the default", bytes.Repeat(member, 300), DefaultLimits(), fmt.Sprintf("over the limit of %d bytes", DefaultMaxBytes)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, "bomb.json.gz")
			if err := os.WriteFile(p, c.data, 0o644); err != nil {
				t.Fatal(err)
			}
			var err error
			alloc := allocated(func() { _, err = ReadLimited(p, c.limits) })
			if err == nil || !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "bomb.json.gz") || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v, want %q", err, c.want)
			}
			// The file itself is read into memory; the decompressed stream never is.
			if limit := uint64(len(c.data)) + 4<<20; alloc > limit {
				t.Fatalf("%d bytes compressed: allocated %d bytes reading it, want at most %d", len(c.data), alloc, limit)
			}
			t.Logf("%s: %d bytes on disk, %d bytes allocated", c.name, len(c.data), alloc)
		})
	}
}

// The limits on the file's size and on the record count, and the refusal of what is not a regular
// file, name the file, the limit and the flag that raises it.
func TestReadLimits(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "t.json")
	if err := Write(plain, valid(), nil); err != nil {
		t.Fatal(err)
	}
	info, _ := os.Stat(plain)
	many := filepath.Join(dir, "many.json")
	if err := Write(many, &File{Format: Format, Scenario: Scenario{Path: "s.yaml"}, Mode: "platform",
		Schedule: trace.Schedule{Timeline: []int{}, Firings: []string{}, Choices: []string{}}, Records: make([]trace.Record, 11)}, nil); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.json")
	if err := mkfifo(fifo); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		t.Fatal(err)
	}
	cases := []struct {
		name, path string
		limits     Limits
		want       string
	}{
		{"file over the byte limit", plain, Limits{MaxBytes: 100}, fmt.Sprintf("t.json: the file is %d bytes, over the limit of 100 bytes (fix: raise it with --max-trace-bytes)", info.Size())},
		{"records over the limit", many, Limits{MaxRecords: 10}, "many.json: more than 10 records (fix: raise the limit with --max-trace-records)"},
		{"a directory", dir, DefaultLimits(), "is not a regular file"},
		{"a FIFO", fifo, DefaultLimits(), "fifo.json: p--------- is not a regular file"},
		{"a device", os.DevNull, DefaultLimits(), os.DevNull + ": Dc--------- is not a regular file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := os.Lstat(c.path); err != nil {
				t.Skipf("%s: %v", c.path, err)
			}
			_, err := ReadLimited(c.path, c.limits)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v, want %q", err, c.want)
			}
		})
	}
	// At the limits exactly, the files are read.
	if _, err := ReadLimited(plain, Limits{MaxBytes: info.Size()}); err != nil {
		t.Fatalf("a file of exactly the limit: %v", err)
	}
	if f, err := ReadLimited(many, Limits{MaxRecords: 11}); err != nil || len(f.Records) != 11 {
		t.Fatalf("exactly the record limit: %v", err)
	}
}

// The record count skips strings and nested values: only the array's own elements count.
func TestRecordCounter(t *testing.T) {
	cases := []struct {
		json string
		n    int
	}{
		{`[]`, 0},
		{` [ ] `, 0},
		{`[{}]`, 1},
		{`[{"fields":[{"k":"a,b","v":"[{,"}]},{"kind":"x\",y"}, {}]`, 3},
		{`[{"v":"\\"},{}]`, 2},
		{`"a,b"`, 0},
		{`null`, 0},
	}
	for _, c := range cases {
		var rc recordCounter
		rc.max = 100
		if err := rc.UnmarshalJSON([]byte(c.json)); err != nil || rc.n != c.n {
			t.Errorf("%s: counted %d (%v), want %d", c.json, rc.n, err, c.n)
		}
	}
}

// The committed fuzz seeds are what their names say: the real trace and the valid schedule parse (so
// the fuzz target's round trip is exercised), every malformed schedule is refused as one.
func TestFuzzCorpusSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzTraceParse")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	schedules := 0
	for _, e := range entries {
		raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		_, lit, _ := strings.Cut(string(raw), "\n")
		lit = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(lit), "[]byte("), ")")
		body, err := strconv.Unquote(lit)
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		_, err = Parse(e.Name(), []byte(body))
		name := e.Name()
		switch {
		case name == "worker-deleted-before-fetch-shrunk" || strings.HasPrefix(name, "schedule-valid") || strings.HasPrefix(name, "records-"):
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
		case strings.HasPrefix(name, "schedule-"):
			schedules++
			if !errors.Is(err, ErrSchedule) {
				t.Errorf("%s: err %v, want a schedule error", name, err)
			}
		}
	}
	if schedules < 8 {
		t.Fatalf("%d malformed-schedule seeds, want at least 8", schedules)
	}
}

// A trace file goes through the one redaction with the run's secrets: a secret in a record is written
// masked (output also judges it; its tests plant a redaction that misses).
func TestWriteMasksTheRunsSecrets(t *testing.T) {
	f := valid()
	f.Records = append(f.Records, trace.Record{Seq: len(f.Records) + 1, Party: trace.PartyWorld, Kind: trace.KindLog,
		Fields: []trace.Field{trace.F("text", "key rotated to master-key-0001")}})
	p := filepath.Join(t.TempDir(), "masked.json")
	if err := Write(p, f, []string{"master-key-0001"}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); bytes.Contains(b, []byte("master-key-0001")) || !bytes.Contains(b, []byte("key rotated to")) {
		t.Fatalf("written: %s", b)
	}
}
