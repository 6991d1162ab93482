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

const startLine = "2026-04-20T10:00:02.120Z pod-a Information Host.Startup Host started (20ms)\n"

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

// Every limit is an error naming the log, the line where there is one, the limit and the flags that
// raise it; an endless log stops at the byte limit.
func TestLogLimits(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) + "\n" }
	event := "2026-04-20T10:00:03Z deploy Information Syncsim.World Deployment completed (Site=myapp)\n"
	cases := []struct {
		name string
		log  io.Reader
		o    Options
		want string
		// maxAlloc bounds what reading may allocate, when it is the point of the case.
		maxAlloc uint64
	}{
		{"5 MiB line at the default limit", strings.NewReader(startLine + long(5<<20)), Options{},
			"test.log:2: logs: over a limit", 64 << 20},
		{"line just over a lowered limit", strings.NewReader(startLine + "# c\n" + long(121)), Options{MaxLineBytes: 120},
			"test.log:3: logs: over a limit", 0},
		{"endless log", &endless{line: []byte(strings.Repeat("u", 1000) + "\n")}, Options{MaxBytes: 1 << 20},
			"test.log:1048: logs: over a limit: the log is longer than 1048576 bytes", 16 << 20},
		{"events over a lowered limit", strings.NewReader(startLine + strings.Repeat(event, 20)), Options{MaxEvents: 10},
			"test.log:11: logs: over a limit: more than 10 event lines (fix: raise the limit with --max-log-events, or cut the log to the incident)", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			alloc := allocated(func() { _, err = ImportWith("test.log", c.log, c.o) })
			if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "--max-log") {
				t.Fatalf("err %v\nwant %q and the flag", err, c.want)
			}
			if c.maxAlloc > 0 && alloc > c.maxAlloc {
				t.Fatalf("allocated %d bytes, want at most %d", alloc, c.maxAlloc)
			}
		})
	}
	// At the limits exactly, the log is read.
	exact := startLine + event
	if _, err := ImportWith("test.log", strings.NewReader(exact), Options{MaxBytes: int64(len(exact)), MaxLineBytes: len(event) - 1, MaxEvents: 2}); err != nil {
		t.Fatalf("a log at its limits: %v", err)
	}
	if err := (Options{MaxBytes: 10}).CheckSize("big.log", 11); !errors.Is(err, ErrLimit) ||
		!strings.Contains(err.Error(), "big.log: logs: over a limit: the log is 11 bytes, over the limit of 10 bytes (fix: raise it with --max-log-bytes") {
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
	if !strings.Contains(lines[14], "hash updated") || !strings.Contains(lines[15], "Instance deleted") {
		t.Fatalf("the sample changed: %q / %q", lines[14], lines[15])
	}
	lines[14], lines[15] = lines[15], lines[14]
	return strings.Join(lines, "\n")
}

var commentLine = regexp.MustCompile(`(?m)^\s*#.*\n`)

// A line earlier than the one before it is refused, naming both lines; with AllowOutOfOrder the log
// is sorted stably and imports to the scenario of the log in order, with the reordering said in the
// comment block.
func TestOutOfOrderLines(t *testing.T) {
	_, err := Import("sample.log", strings.NewReader(swapped(t)))
	want := "sample.log:16: importer: lines out of order: its time 2026-04-20T10:00:32.17Z is earlier than line 15's 2026-04-20T10:00:32.4Z (fix: sort the log by time, or pass --allow-out-of-order"
	if !errors.Is(err, ErrOutOfOrder) || !strings.Contains(err.Error(), want) {
		t.Fatalf("err %v\nwant %q", err, want)
	}
	res, err := ImportWith("sample.log", strings.NewReader(swapped(t)), Options{AllowOutOfOrder: true})
	if err != nil {
		t.Fatal(err)
	}
	said := "line 16 (2026-04-20T10:00:32.17Z) is earlier than line 15 (2026-04-20T10:00:32.4Z)"
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

// Entries without a time are placed in line order: before the first timed entry going back from
// it, after a timed entry going forward from it, DefaultSpacing apart; a log with no time at all
// starts at the simulator's epoch.
func TestPlaceUntimed(t *testing.T) {
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	mk := func(timed ...string) []Entry {
		var out []Entry
		for _, s := range timed {
			e := Entry{}
			if s != "" {
				e.At, e.Timed = at(s), true
			}
			out = append(out, e)
		}
		return out
	}
	entries := mk("", "2026-04-20T10:00:05Z", "", "")
	if note := place(entries); !strings.Contains(note, "3 entries without a time are placed in line order, 5s after") {
		t.Fatalf("note %q", note)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.At.Format("15:04:05"))
	}
	if want := []string{"10:00:00", "10:00:05", "10:00:10", "10:00:15"}; !slices.Equal(got, want) || !entries[0].Placed || entries[1].Placed {
		t.Fatalf("placed %v, want %v", got, want)
	}
	entries = mk("", "")
	if note := place(entries); !strings.Contains(note, "the log gives no time: its 2 entries are read in line order, 5s apart from 2026-01-01T00:00:00Z") ||
		!entries[1].At.Equal(entries[0].At.Add(DefaultSpacing)) {
		t.Fatalf("note %q, %v", note, entries)
	}
	if note := place(mk("2026-04-20T10:00:05Z")); note != "" {
		t.Fatalf("a timed log is placed: %q", note)
	}
}

// Unknown lines past the first 256 KiB of them are counted but not kept as comments, and the scenario
// says from which line on: they tell the simulator nothing, and comments cost the loader.
func TestUnknownLinesPastTheBudgetCounted(t *testing.T) {
	const n = 1000
	line := "2026-04-20T10:00:03Z pod-a Information " + strings.Repeat("u", 3000) + "\n"
	log := startLine + strings.Repeat(line, n)
	res, err := Import("test.log", strings.NewReader(log))
	if err != nil {
		t.Fatal(err)
	}
	keep := maxUnknownKept / (300 + unknownOverhead) // whole lines within the budget (each cut to 300 bytes)
	note := "# - " + strconv.Itoa(n-keep) + " unknown line(s) from line " + strconv.Itoa(keep+2) + " on are counted but not kept as comments"
	if res.Unknown != n || res.Lines != n+1 || !bytes.Contains(res.YAML, []byte(note)) ||
		!bytes.Contains(res.YAML, []byte("# unknown line 2: uuu")) || bytes.Contains(res.YAML, []byte("# unknown line 1001:")) ||
		len(res.YAML) > maxUnknownKept+64<<10 || keep < 50 || keep >= n {
		t.Fatalf("unknown %d lines %d, %d bytes of YAML, want the note %q", res.Unknown, res.Lines, len(res.YAML), note)
	}
}
