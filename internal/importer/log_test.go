package importer

import (
	"bytes"
	"errors"
	"io"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

const startLine = "2026-04-20T10:00:02.120Z pod-a Information Host started (Site=myapp, HostId=myapp, SyncTriggersMode=Platform)\n"

// endless is a log that never ends: the same line forever.
type endless struct {
	line []byte
	off  int
}

func (e *endless) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], e.line[e.off:])
		n += c
		e.off = (e.off + c) % len(e.line)
	}
	return n, nil
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

// Every limit is an error naming the log, the line where there is one, the limit and the flag that
// raises it; the log is read as a stream, so an endless one stops at the limit.
func TestLogLimits(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) + "\n" }
	cases := []struct {
		name string
		log  io.Reader
		o    Options
		want string
		// maxAlloc bounds what reading may allocate, when it is the point of the case.
		maxAlloc uint64
	}{
		{"5 MiB line at the default limit", strings.NewReader(startLine + long(5<<20)), Options{},
			"test.log:2: importer: over a limit: the line is longer than the limit of 1048576 bytes (fix: raise it with --max-log-line-bytes, or remove the line)", 8 << 20},
		{"line just over a lowered limit", strings.NewReader(startLine + "# c\n" + long(121)), Options{MaxLineBytes: 120},
			"test.log:3: importer: over a limit: the line is longer than the limit of 120 bytes", 0},
		{"last line without a newline over the limit", strings.NewReader(startLine + strings.Repeat("y", 300)), Options{MaxLineBytes: 200},
			"test.log:2: importer: over a limit: the line is longer than the limit of 200 bytes", 0},
		{"endless log of unknown lines", &endless{line: []byte(strings.Repeat("u", 1000) + "\n")}, Options{MaxBytes: 1 << 20},
			"test.log:1048: importer: over a limit: the log is over the limit of 1048576 bytes from this line on (fix: raise it with --max-log-bytes", 8 << 20},
		{"endless log of short lines at the default limits", &endless{line: []byte("garbage\n")}, Options{},
			"test.log:20001: importer: over a limit: more than 20000 lines to keep (events and unknown lines) (fix: raise the limit with --max-log-lines", 64 << 20},
		{"endless log of events at the default limits", &endless{line: []byte("2026-04-20T10:00:03Z deploy Information Deployment completed (Site=myapp)\n")}, Options{},
			"test.log:2001: importer: over a limit: more than 2000 event lines (fix: raise the limit with --max-log-events, or cut the log to the incident)", 64 << 20},
		{"lines kept over a lowered limit", strings.NewReader(startLine + "# comments\n\n  \nu1\nu2\nu3\n"), Options{MaxLines: 3},
			"test.log:7: importer: over a limit: more than 3 lines to keep", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			alloc := allocated(func() { _, err = ImportWith("test.log", c.log, c.o) })
			if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v\nwant %q", err, c.want)
			}
			if c.maxAlloc > 0 && alloc > c.maxAlloc {
				t.Fatalf("allocated %d bytes, want at most %d", alloc, c.maxAlloc)
			}
			t.Logf("%s: %d bytes allocated", c.name, alloc)
		})
	}
	// At the limits exactly, the log is read.
	exact := startLine + "2026-04-20T10:00:03Z pod-a Information " + strings.Repeat("z", 60) + "\n"
	if _, err := ImportWith("test.log", strings.NewReader(exact), Options{MaxBytes: int64(len(exact)), MaxLineBytes: len(startLine) + 40, MaxLines: 2, MaxEvents: 1}); err != nil {
		t.Fatalf("a log at its limits: %v", err)
	}
	if err := (Options{MaxBytes: 10}).CheckSize("big.log", 11); !errors.Is(err, ErrLimit) ||
		!strings.Contains(err.Error(), "big.log: importer: over a limit: the log is 11 bytes, over the limit of 10 bytes (fix: raise it with --max-log-bytes") {
		t.Fatalf("CheckSize: %v", err)
	}
	if err := (Options{}).CheckSize("ok.log", DefaultMaxBytes); err != nil {
		t.Fatalf("CheckSize at the default: %v", err)
	}
}

// swapped is the sample log with its hash write and the deletion right after it swapped: read in
// order, the deletion would no longer follow the hash write, a different story.
func swapped(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("testdata/host-log-sample.log")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	if !strings.Contains(lines[12], "hash updated") || !strings.Contains(lines[13], "Instance deleted") {
		t.Fatalf("the sample changed: %q / %q", lines[12], lines[13])
	}
	lines[12], lines[13] = lines[13], lines[12]
	return strings.Join(lines, "\n")
}

var commentLine = regexp.MustCompile(`(?m)^\s*#.*\n`)

// A line earlier than the one before it is refused, naming both lines; with AllowOutOfOrder the log
// is sorted stably and imports to the scenario of the log in order, with the reordering said in the
// comment block.
func TestOutOfOrderLines(t *testing.T) {
	_, err := Import("sample.log", strings.NewReader(swapped(t)))
	want := "sample.log:14: importer: lines out of order: its time 2026-04-20T10:00:32.17Z is earlier than line 13's 2026-04-20T10:00:32.4Z (fix: sort the log by time, or pass --allow-out-of-order"
	if !errors.Is(err, ErrOutOfOrder) || !strings.Contains(err.Error(), want) {
		t.Fatalf("err %v\nwant %q", err, want)
	}
	res, err := ImportWith("sample.log", strings.NewReader(swapped(t)), Options{AllowOutOfOrder: true})
	if err != nil {
		t.Fatal(err)
	}
	said := "line 14 (2026-04-20T10:00:32.17Z) is earlier than line 13 (2026-04-20T10:00:32.4Z)"
	if len(res.Reordered) != 1 || res.Reordered[0] != said {
		t.Fatalf("reordered %q", res.Reordered)
	}
	if !bytes.Contains(res.YAML, []byte("# - the log is out of order: "+said+"; its lines are sorted by time, stably (--allow-out-of-order).\n")) {
		t.Fatalf("the comment block does not say what was reordered:\n%s", res.YAML)
	}
	data, _ := os.ReadFile("testdata/host-log-sample.log")
	inOrder, err := Import("sample.log", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	got, want2 := commentLine.ReplaceAll(res.YAML, nil), commentLine.ReplaceAll(inOrder.YAML, nil)
	if !bytes.Equal(got, want2) || !res.Reproduced || inOrder.Reordered != nil {
		t.Fatalf("sorted import differs from the log in order:\n%s\n---\n%s", got, want2)
	}
}

// Sorting is stable and keeps a line without a time after the timed line before it.
func TestSortByTime(t *testing.T) {
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	entries := []entry{
		{n: 1, text: "untimed first"},
		{n: 2, at: at("2026-04-20T10:00:05Z")},
		{n: 3, text: "untimed after 2"},
		{n: 4, at: at("2026-04-20T10:00:01Z")},
		{n: 5, at: at("2026-04-20T10:00:05Z")},
		{n: 6, at: at("2026-04-20T10:00:03Z")},
	}
	back := order(entries)
	if len(back) != 2 || back[0].line != 4 || back[0].prev != 2 || back[1].line != 6 || back[1].prev != 5 {
		t.Fatalf("out of order: %+v", back)
	}
	sortByTime(entries)
	var got []int
	for _, e := range entries {
		got = append(got, e.n)
	}
	if want := []int{1, 4, 6, 2, 3, 5}; !slices.Equal(got, want) {
		t.Fatalf("sorted %v, want %v", got, want)
	}
}

// Unknown lines past the first 256 KiB of them are counted but not kept as comments, and the scenario
// says from which line on: they tell the simulator nothing, and comments cost the loader.
func TestUnknownLinesPastTheBudgetCounted(t *testing.T) {
	line := strings.Repeat("u", 3000) + "\n"
	log := startLine + strings.Repeat(line, 400)
	res, err := Import("test.log", strings.NewReader(log))
	if err != nil {
		t.Fatal(err)
	}
	keep := maxUnknownKept / (3000 + unknownOverhead) // whole lines within the budget
	note := "# - 400 unknown line(s) from line 351 on are counted but not kept as comments"
	note = strings.Replace(note, "400", strconv.Itoa(400-keep), 1)
	note = strings.Replace(note, "351", strconv.Itoa(keep+2), 1)
	if res.Unknown != 400 || res.Lines != 401 || !bytes.Contains(res.YAML, []byte(note)) ||
		!bytes.Contains(res.YAML, []byte("# unknown line 2: uuu")) || bytes.Contains(res.YAML, []byte("# unknown line 401:")) ||
		len(res.YAML) > maxUnknownKept+64<<10 || keep < 50 {
		t.Fatalf("unknown %d lines %d, %d bytes of YAML, want the note %q", res.Unknown, res.Lines, len(res.YAML), note)
	}
}
