package sim

import "time"

// Clock is the minimal view of virtual time that step machines and checkers need.
type Clock interface {
	// Now is the current virtual instant.
	Now() time.Time
	// Elapsed is the virtual time since trace.Epoch.
	Elapsed() time.Duration
}
