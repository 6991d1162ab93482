package sim

import "time"

// Epoch is virtual time zero: every run starts at 2026-01-01T00:00:00Z (DESIGN.md principle 3).
var Epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Clock is the minimal view of virtual time that step machines and checkers need.
type Clock interface {
	// Now is the current virtual instant.
	Now() time.Time
	// Elapsed is the virtual time since Epoch.
	Elapsed() time.Duration
}
