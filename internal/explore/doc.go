// Package explore is bounded exhaustive exploration (simrun explore): stateless model checking over
// the same step machines and properties as the simulator's runs.
//
// A schedule is the set of decisions of a run at which the non-default choice is taken: a fault
// opportunity that fires (its firing key label@place#n) or a scheduling choice point at which the
// second due event fires first (its choice key choice#n, under sim.Explore). Each schedule is run
// from the start (as Coyote and CHESS do); schedules are explored breadth-first by their number of
// non-default choices, so the first counterexample of a property is a shortest one. At each
// scheduling choice point after a schedule's last non-default choice the world's state is hashed
// (digestWorld says what the digest covers and abstracts, and how instance names are made
// canonical); a state seen before with at least as much fault budget left is not explored again.
// Every run continues to the end of its settle window with default choices, and is judged there by
// every checker, liveness (P1) included.
//
// Example:
//
//	rep, err := explore.Explore(explore.Config{Scenario: sc, Mode: host.ModePlatform, Seed: 1, MaxDepth: 1, MaxFaults: 1})
//	// rep.Findings[0].Schedule is P1's shortest counterexample; rep.Result is the run object.
package explore
