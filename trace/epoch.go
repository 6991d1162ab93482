package trace

import "time"

// Epoch is time zero of every run: a record's time is its offset from it, and every simulated run
// starts at 2026-01-01T00:00:00Z (DESIGN.md principle 3).
var Epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
