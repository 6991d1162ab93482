package progress

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeClock advances by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestQuietWhenNotATerminal(t *testing.T) {
	var b bytes.Buffer
	bar := New(&b, 10)
	bar.Add(1)
	bar.Done()
	if !bar.Quiet() || b.Len() != 0 {
		t.Errorf("a bytes.Buffer is no terminal: want quiet, got %q", b.String())
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if IsTerminal(f) {
		t.Errorf("a regular file is reported as a terminal")
	}
	bar = New(f, 3)
	bar.Add(0)
	bar.Done()
	if st, _ := f.Stat(); !bar.Quiet() || st.Size() != 0 {
		t.Errorf("a bar on a regular file must be quiet")
	}
}

func TestQuietUnderCI(t *testing.T) {
	t.Setenv("CI", "true")
	tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no terminal here: /dev/tty:", err)
	}
	defer tty.Close()
	if !IsTerminal(tty) {
		t.Fatalf("/dev/tty is not a character device")
	}
	if !New(tty, 3).Quiet() {
		t.Errorf("CI=true must make the bar quiet even on a terminal")
	}
}

func TestRedrawsAtMostFiveTimesASecond(t *testing.T) {
	var b bytes.Buffer
	clock := &fakeClock{t: time.Unix(0, 0)}
	bar := newBar(&b, 100, true, clock.now)
	for i := 0; i < 100; i++ {
		clock.advance(20 * time.Millisecond) // 50 runs a second for 2 s
		bar.Add(i % 40 / 39)
	}
	bar.Done()
	out := b.String()
	draws := strings.Count(out, "\r")
	if draws > 11 || draws < 9 { // 2 s at 5 a second, plus the final line
		t.Errorf("%d redraws in 2 s, want about 10 (at most 5 a second): %q", draws, out)
	}
	if !strings.HasSuffix(out, "\n") {
		t.Errorf("Done must end the line")
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\r")
	last := lines[len(lines)-1]
	for _, want := range []string{"100/100 runs (100%)", "50.0 runs/s", "2 failures", "done in 2s"} {
		if !strings.Contains(last, want) {
			t.Errorf("final line %q lacks %q", last, want)
		}
	}
	if strings.Contains(out, "\n") && strings.Index(out, "\n") != len(out)-1 {
		t.Errorf("the line must update in place, found a newline before the end: %q", out)
	}
}

func TestLineFormatting(t *testing.T) {
	for _, tc := range []struct {
		done, total, failures int
		elapsed               time.Duration
		want                  string
	}{
		{120, 1000, 3, 4 * time.Second, "120/1000 runs (12%)  30.0 runs/s  3 failures  ~29s left"},
		{1, 4, 1, time.Second, "1/4 runs (25%)  1.0 runs/s  1 failure  ~3s left"},
		{0, 10, 0, 0, "0/10 runs (0%)  0.0 runs/s  0 failures  time left unknown"},
		{500, 1000, 0, 50 * time.Second, "500/1000 runs (50%)  10.0 runs/s  0 failures  ~50s left"},
		{7, 0, 0, time.Second, "7 runs  7.0 runs/s  0 failures  time left unknown"},
	} {
		if got := Line(tc.done, tc.total, tc.failures, tc.elapsed); got != tc.want {
			t.Errorf("Line(%d, %d, %d, %s) = %q, want %q", tc.done, tc.total, tc.failures, tc.elapsed, got, tc.want)
		}
	}
}

func TestShorterLineWipesTheLongerOne(t *testing.T) {
	var b bytes.Buffer
	clock := &fakeClock{t: time.Unix(0, 0)}
	bar := newBar(&b, 10, true, clock.now)
	clock.advance(time.Second)
	bar.Set(9, 12) // long line
	clock.advance(time.Second)
	bar.Set(10, 0)
	parts := strings.Split(b.String(), "\r")
	if len(parts) != 3 || len(parts[2]) < len(parts[1]) {
		t.Errorf("the second line must be padded to cover the first: %q", b.String())
	}
}

// CI is what the environment's CI variable says; only "true" counts.
func TestCI(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  bool
	}{{"true", true}, {"false", false}, {"", false}, {"1", false}} {
		t.Setenv("CI", tc.value)
		if got := CI(); got != tc.want {
			t.Errorf("CI=%q: CI() = %v, want %v", tc.value, got, tc.want)
		}
	}
}
