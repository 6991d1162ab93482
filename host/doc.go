// Package host is the reference Azure Functions host for sync triggers: the sync manager
// (PROTOCOL.md SYNC-1..8) as a step machine, the payload and its hash (PAY-1..3), the tokens
// (TOK-1..6) and the admin API (MSG-3, MSG-4) as pure request-to-response functions.
//
// A Machine is one instance's host. Its driver (the simulator, or the live runtime) calls one method
// at a time with the current time and performs the returned effects in order: HTTP sends, blob calls,
// timers, responses, log lines, span events and fault points. Nothing here reads a clock, starts a
// goroutine or does I/O.
//
// Config.Wrapper wraps the machine's inputs (Sync, Admin) and its effects from outside the steps;
// Config.Seams names the decision points inside them that no such wrapper reaches (SYNC-2's lock,
// SYNC-5's comparison, TOK-5's audience match, ...), one function each. Their zero values are the
// reference host. Package plant plants a defect by supplying a wrapper or a seam function:
// nothing here knows the defects.
//
//	m := host.NewMachine(host.Config{Site: site, Mode: host.ModePlatform, ContainerName: "pod-a7f3",
//		MeshURL: "http://mesh/", Secrets: secrets, Rand: rng})
//	effects := m.HostStarted(now, host.Loaded{Functions: fns, Revision: 1})
//	for _, e := range effects { /* perform */ }
package host
