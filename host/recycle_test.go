package host

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

// A step's effects are the caller's: a later step never writes into them unless they were handed
// back (Recycle), whose array is cleared; handed back, later steps allocate less.
func TestRecycledEffects(t *testing.T) {
	r := newRig(t, ModeFrontend, nil)
	first := r.start(testFunctions(), true)
	keep := slices.Clone(first)
	at := t0
	tick := func() []Effect {
		at = at.Add(time.Second)
		return r.m.Timer(at, timerLease)
	}
	for range 3 {
		tick()
	}
	if !reflect.DeepEqual(first, keep) {
		t.Fatal("a later step changed effects that were not handed back")
	}
	renew := tick()
	r.m.Recycle(renew)
	for i, e := range renew[:cap(renew)] {
		if e != nil {
			t.Fatalf("a recycled array still holds effect %d: %#v", i, e)
		}
	}
	kept := testing.AllocsPerRun(50, func() { tick() })
	recycled := testing.AllocsPerRun(50, func() { r.m.Recycle(tick()) })
	if recycled >= kept {
		t.Fatalf("a lease tick allocates %v times with its effects handed back, %v without", recycled, kept)
	}
}
