// Package explore is bounded exhaustive exploration (simrun explore): stateless model checking over
// the same step machines and properties as the simulator's runs.
//
// A schedule is the set of decisions of a run at which the non-default choice is taken, under the
// enumerating strategy sim.Explore: a fault opportunity that fires (its firing key label@place#n);
// at a choice point of k events due within 1 ms, which of candidates 1..k-1 fires first (choice#n,
// choice#n:j: k branches, so every order of events due together is reachable over successive
// choice points); and a message whose delivery window holds another in-flight message's due time
// at the same receiver given its link's lower or upper delay bound (choice#n:lo, choice#n:hi). Each
// schedule is run from the start (as Coyote and CHESS do); schedules are explored breadth-first by
// their number of non-default choices, so the first counterexample of a property is a shortest one.
//
// At each event choice point after a schedule's last non-default choice the world's state is hashed
// (digestWorld says what the digest covers and abstracts, and how instance names are made
// canonical); a state seen before with at least as much budget left on both counts, depth and
// faults, is not explored again. A schedule that reaches such a state halts there: the digest covers
// all its future depends on, so its default completion is the earlier visit's, and it takes the
// verdicts of the run that first reached the state (liveness, P1, included). Its own prefix is
// judged too: when the prefix fails a property the earlier run did not, the schedule runs again to
// the end and is judged on its whole trace. Config.FullRuns runs every schedule to its end.
//
// No partial-order reduction: two candidates of different parties are still ordered both ways,
// because the world's handlers share the network, the blob store and the router's random stream,
// and independence is not established soundly.
//
// Example:
//
//	rep, err := explore.Explore(explore.Config{Scenario: sc, Mode: host.ModePlatform, Seed: 1, MaxDepth: 1, MaxFaults: 1})
//	// rep.Findings[0].Schedule is P1's shortest counterexample; rep.Result is the run object.
package explore
