package host

import "time"

// Wrapper acts on a machine's inputs and effects from outside its steps: a planted defect that an
// input's short cut or an effect's rewrite can produce exactly is a Wrapper (package
// plant), and one that needs a decision inside a step is a Seams function. Each input
// field is called in place of the input of its name, with next as the reference step; Effects sees
// the effects of every step before the driver does. A nil field passes through, so the zero value
// is the reference machine.
type Wrapper struct {
	// Sync wraps a foreground sync (Machine.Sync).
	Sync func(m *Machine, now time.Time, origin string, next func() []Effect) []Effect
	// Admin wraps a request to the admin API (Machine.Admin, MSG-3 and MSG-4).
	Admin func(m *Machine, now time.Time, reqID int, req AdminRequest, next func() []Effect) []Effect
	// Effects rewrites a step's effects, in place or into another slice, in the order the driver
	// is to perform them.
	Effects func(m *Machine, now time.Time, effects []Effect) []Effect
}

func (w Wrapper) withReference() Wrapper {
	if w.Sync == nil {
		w.Sync = func(_ *Machine, _ time.Time, _ string, next func() []Effect) []Effect { return next() }
	}
	if w.Admin == nil {
		w.Admin = func(_ *Machine, _ time.Time, _ int, _ AdminRequest, next func() []Effect) []Effect { return next() }
	}
	if w.Effects == nil {
		w.Effects = func(_ *Machine, _ time.Time, effects []Effect) []Effect { return effects }
	}
	return w
}
