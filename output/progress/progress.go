// Package progress is the terminal progress line of sweeps and conformance suites: runs done of the
// total, the rate, failures so far and the time left, redrawn in place ("\r") at most five times a
// second. It prints nothing when its writer is not a terminal (a file, a pipe, a CI log) or when the
// environment says CI=true, so logs stay clean.
//
//	bar := progress.New(os.Stderr, total)
//	for each finished run { bar.Add(failures) }
//	bar.Done()
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// minInterval is the shortest time between two redraws (at most five a second).
const minInterval = 200 * time.Millisecond

// Bar is one progress line. Its methods may be called from several goroutines.
type Bar struct {
	mu       sync.Mutex
	w        io.Writer
	quiet    bool
	now      func() time.Time
	total    int
	done     int
	failures int
	start    time.Time
	last     time.Time
	width    int
	finished bool
}

// New returns a progress line for total runs on w; it is quiet unless w is a terminal and CI is not
// "true".
func New(w io.Writer, total int) *Bar {
	return newBar(w, total, IsTerminal(w) && !CI(), time.Now)
}

// CI reports whether the environment says the process runs in CI (CI=true, as GitHub Actions,
// Azure Pipelines and GitLab set it). Progress of every kind is quiet there: the line and the
// progress notes a command would print beside it, so that CI logs hold results only.
func CI() bool { return os.Getenv("CI") == "true" }

func newBar(w io.Writer, total int, terminal bool, now func() time.Time) *Bar {
	t := now()
	return &Bar{w: w, quiet: !terminal, now: now, total: total, start: t}
}

// IsTerminal reports whether w is a character device (a terminal), as os.File.Stat tells; a writer
// that wraps another (the CLI's redacting writer) is judged by the one it wraps.
func IsTerminal(w io.Writer) bool {
	for {
		u, ok := w.(interface{ Unwrap() io.Writer })
		if !ok {
			break
		}
		w = u.Unwrap()
	}
	f, ok := w.(*os.File)
	if !ok || f == nil {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Quiet reports whether the bar prints nothing.
func (b *Bar) Quiet() bool { return b.quiet }

// Add counts one finished run with its number of failures (gating verdicts; 0 for a clean run).
func (b *Bar) Add(failures int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done++
	b.failures += failures
	b.draw(false)
}

// Set sets the counts directly, for callers that learn them in batches.
func (b *Bar) Set(done, failures int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done, b.failures = done, failures
	b.draw(false)
}

// Done draws the final line and ends it with a newline; later calls do nothing.
func (b *Bar) Done() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.finished {
		return
	}
	b.draw(true)
	b.finished = true
	if !b.quiet {
		fmt.Fprint(b.w, "\n")
	}
}

// draw redraws the line unless the last redraw is under minInterval old (the final one always).
func (b *Bar) draw(final bool) {
	if b.quiet || b.finished {
		return
	}
	now := b.now()
	if !final && !b.last.IsZero() && now.Sub(b.last) < minInterval {
		return
	}
	b.last = now
	line := Line(b.done, b.total, b.failures, now.Sub(b.start))
	pad := ""
	if n := b.width - len(line); n > 0 {
		pad = strings.Repeat(" ", n) // wipe the rest of a longer previous line
	}
	b.width = len(line)
	fmt.Fprint(b.w, "\r"+line+pad)
}

// Line renders the progress text: "120/1000 runs (12%)  35.2 runs/s  3 failures  ~25s left".
func Line(done, total, failures int, elapsed time.Duration) string {
	var parts []string
	if total > 0 {
		parts = append(parts, fmt.Sprintf("%d/%d runs (%d%%)", done, total, done*100/total))
	} else {
		parts = append(parts, fmt.Sprintf("%d runs", done))
	}
	rate := 0.0
	if elapsed > 0 {
		rate = float64(done) / elapsed.Seconds()
	}
	parts = append(parts, fmt.Sprintf("%.1f runs/s", rate))
	switch failures {
	case 1:
		parts = append(parts, "1 failure")
	default:
		parts = append(parts, fmt.Sprintf("%d failures", failures))
	}
	switch {
	case total > 0 && done >= total:
		parts = append(parts, "done in "+round(elapsed).String())
	case rate > 0 && total > 0:
		left := time.Duration(float64(total-done) / rate * float64(time.Second))
		parts = append(parts, "~"+round(left).String()+" left")
	default:
		parts = append(parts, "time left unknown")
	}
	return strings.Join(parts, "  ")
}

func round(d time.Duration) time.Duration {
	if d < 10*time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Second)
}
