package sim

import (
	"fmt"
	"time"
)

// Epoch is virtual time zero: every run starts at 2026-01-01T00:00:00Z (DESIGN.md principle 3).
var Epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Clock is the minimal view of virtual time that step machines and checkers need.
type Clock interface {
	// Now is the current virtual instant.
	Now() time.Time
	// Elapsed is the virtual time since Epoch.
	Elapsed() time.Duration
}

// FormatElapsed renders a virtual offset as HH:MM:SS.mmm, the form traces and timelines use.
func FormatElapsed(d time.Duration) string {
	neg := ""
	if d < 0 {
		neg, d = "-", -d
	}
	h := d / time.Hour
	m := (d % time.Hour) / time.Minute
	s := (d % time.Minute) / time.Second
	ms := (d % time.Second) / time.Millisecond
	us := (d % time.Millisecond) / time.Microsecond
	if us != 0 {
		return fmt.Sprintf("%s%02d:%02d:%02d.%03d%03d", neg, h, m, s, ms, us)
	}
	return fmt.Sprintf("%s%02d:%02d:%02d.%03d", neg, h, m, s, ms)
}
