package planted

import (
	tm "time"
)

// Wait reads the wall clock through an alias and sleeps.
func Wait() tm.Duration {
	start := tm.Now()
	tm.Sleep(tm.Millisecond)
	since := tm.Since
	return since(start)
}
