package sim

import (
	"testing"
	"time"
)

// Events come from blocks: scheduling allocates less than once an event, and the events of one
// block stay apart: each fires, or is stopped, as its own.
func TestEventsFromBlocks(t *testing.T) {
	k := NewKernel(1, Budget{})
	fn := func() {}
	if a := testing.AllocsPerRun(10*eventBlock, func() { k.After(time.Second, fn) }); a >= 1 {
		t.Errorf("scheduling an event allocates %v times", a)
	}
	k = NewKernel(1, Budget{})
	fired := make([]bool, 3*eventBlock)
	var timers []Timer
	for i := range fired {
		timers = append(timers, k.After(time.Duration(i)*time.Millisecond, func() { fired[i] = true }))
	}
	for i := 0; i < len(timers); i += 3 {
		timers[i].Stop()
	}
	k.Run(time.Hour)
	for i, f := range fired {
		if f != (i%3 != 0) || timers[i].Active() {
			t.Fatalf("event %d: fired %t, active %t", i, f, timers[i].Active())
		}
	}
}
