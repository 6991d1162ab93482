// Package sim is syncsim's deterministic kernel: an event queue ordered by (virtual time, sequence), a
// virtual clock that starts at 2026-01-01T00:00:00Z, per-subsystem random streams derived from one
// seed, a network of named parties with per-link delay, drop, duplication and reordering, instance
// lifecycle, the site router's choice, exploration strategies, a trace recorder and run budgets.
//
// Nothing here reads the wall clock, starts a goroutine or touches the network: a run is a pure
// function of its inputs and its seed, so the same seed always gives the same trace.
//
//	k := sim.NewKernel(42, sim.Budget{MaxEvents: 1000, MaxTime: time.Hour})
//	k.After(30*time.Second, func() { k.Trace.Add("host", "timer.fire", trace.F("name", "background")) })
//	outcome := k.Run(time.Hour)
//	fmt.Println(outcome.Reason, k.Trace.Len())
package sim
