package mesh

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

// A step's effects are the caller's: a later step never writes into them unless they were handed
// back (Recycle), whose array is cleared and appended into by a later step.
func TestRecycledEffects(t *testing.T) {
	m := newMesh()
	_, first := m.Notify(t0, notifyReq())
	if len(first) == 0 {
		t.Fatal("a notification has no effects")
	}
	keep := slices.Clone(first)
	_, second := m.Notify(t0.Add(time.Millisecond), notifyReq())
	if !reflect.DeepEqual(first, keep) {
		t.Fatal("a later step changed effects that were not handed back")
	}
	m.Recycle(second)
	for i, e := range second[:cap(second)] {
		if e != nil {
			t.Fatalf("a recycled array still holds effect %d: %#v", i, e)
		}
	}
	at := t0.Add(time.Second)
	kept := testing.AllocsPerRun(50, func() { at = at.Add(time.Millisecond); m.Notify(at, notifyReq()) })
	recycled := testing.AllocsPerRun(50, func() {
		at = at.Add(time.Millisecond)
		_, effs := m.Notify(at, notifyReq())
		m.Recycle(effs)
	})
	if recycled >= kept {
		t.Fatalf("a notification allocates %v times with its effects handed back, %v without", recycled, kept)
	}
}
