package sim

import (
	"slices"
	"time"
)

// Pending is a scheduled event as a state digest sees it: when it is due relative to now, whose it
// is and what it carries. Its sequence number is left out on purpose: two schedules that reach the
// same state schedule the same events under different numbers; the order Pending returns keeps
// what the numbers decide (ties at the same instant fire in that order).
type Pending struct {
	In    time.Duration
	Party string
	Note  any
}

// Pending lists the live events still to fire, in (time, sequence) order, the candidates of a
// choice point being decided included (simrun explore hashes them at each choice point).
func (k *Kernel) Pending() []Pending {
	evs := make([]*Event, 0, len(k.queue.items)+len(k.offered))
	for _, e := range append(slices.Clip(k.queue.items), k.offered...) {
		if !e.stopped && e.Fire != nil {
			evs = append(evs, e)
		}
	}
	slices.SortFunc(evs, func(a, b *Event) int {
		if less(a, b) {
			return -1
		}
		if less(b, a) {
			return 1
		}
		return 0
	})
	out := make([]Pending, len(evs))
	for i, e := range evs {
		out[i] = Pending{In: e.At - k.now, Party: e.Party, Note: e.Note}
	}
	return out
}
