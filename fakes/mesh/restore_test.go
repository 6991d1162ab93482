package mesh

import (
	"testing"
	"time"
)

// MESH-2 across a restart: notifications restored as pending get a fetch that starts after the
// restart and covers them all; the numbering continues.
func TestRestorePendingFetches(t *testing.T) {
	r := newRig(t)
	since := t0.Add(-10 * time.Second)
	r.absorb(r.m.Restore(r.now, since, 7, 4))
	if len(r.fetch) != 0 {
		t.Fatalf("fetched before the timer: %+v", r.fetch)
	}
	// MaxWait after since has long passed: the debounce fires at once.
	r.advance(0)
	if len(r.fetch) != 1 || r.fetch[0].Cover != 7 {
		t.Fatalf("fetches %+v, want one covering notification 7", r.fetch)
	}
	r.answer(200)
	if got := r.m.CoveredCount(); got != 7 {
		t.Fatalf("covered %d, want 7", got)
	}
	r.notify()
	if got := r.m.AcceptedCount(); got != 8 {
		t.Fatalf("accepted %d after a new notification, want 8", got)
	}
}

// A recent round waits out the debounce as a notification would (MESH-6).
func TestRestoreRecentRoundDebounces(t *testing.T) {
	r := newRig(t)
	r.absorb(r.m.Restore(r.now, r.now, 2, 0))
	r.advance(DefaultDebounce - time.Millisecond)
	if len(r.fetch) != 0 {
		t.Fatal("fetched before the debounce")
	}
	r.advance(time.Millisecond)
	if len(r.fetch) != 1 || r.fetch[0].Cover != 2 {
		t.Fatalf("fetches %+v, want one covering notification 2", r.fetch)
	}
}

// Nothing pending: no fetch, no timer.
func TestRestoreNothingPending(t *testing.T) {
	r := newRig(t)
	r.absorb(r.m.Restore(r.now, time.Time{}, 5, 5))
	r.advance(time.Minute)
	if len(r.fetch) != 0 || len(r.timers) != 0 {
		t.Fatalf("fetches %+v timers %v, want none", r.fetch, r.timers)
	}
	if r.m.AcceptedCount() != 5 || r.m.CoveredCount() != 5 {
		t.Fatal("counts not restored")
	}
}

func TestRestoreMisusePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("covered > accepted did not panic")
		}
	}()
	newMesh().Restore(t0, t0, 1, 2)
}
