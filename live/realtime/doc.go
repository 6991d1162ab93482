// Package realtime runs the step machines on the real clock: the one goroutine adapter per party
// that the live runtime (live), the reference servers (live/hosthttp, live/meshhttp,
// `simrun serve`) and the conformance suites share, as etcd-io/raft's node.go is the one adapter
// around RawNode. The machines and their interpreters (site) are thread-unsafe and read no
// clock; this package owns what they leave out:
//
//   - Party: one lock that every input of a party's machines is stepped under, its timers (Timers:
//     named ones, replaced on re-arming, and unnamed ones, After; each a Timer guarded so that a
//     timer replaced, cancelled or stopped after it fired never fires), and its goroutines (Group,
//     or the live run's Joiner), each counted so that a stop waits for every one it started;
//   - Host: an instance's host machine and site.Host behind a Party, with the admin requests
//     waiting for their answers (Admin) and the step follow-ups of storage answered at once (Defer);
//   - Waits: an instance's admin requests waiting for its host's answers, for Host and for a driver
//     whose instances' hosts another owner steps (the live runtime's site.Fleet);
//   - Platform: the platform store, the mesh and the front end with site.Mesh and site.FrontEnd
//     behind a Party, so that every MSG-1 is judged by the one front-end interpreter;
//   - the HTTP plumbing: Server (a listener bounded by internal/httpbound, started, closed and
//     waited for), ReadBody (a bounded request body, 413 past MaxBody), Headers, Do (a request with
//     a timeout and a bounded answer), Get (MSG-3) and Publish (MSG-1, MSG-2).
//
// A reference server holds a Party of its own and stops it with Shut and Wait; the live runtime
// counts its parties in the run (JoinParty), stops them with Shut and waits for them with the run.
// Its fleet's party carries the fleet's timers (After), the instances' servers (Serve, Waits) and
// their publishes, storage calls and forwarded requests (Go, Publish, Do).
//
//	p := realtime.NewPlatform(realtime.NewParty(), mesh.NewStore())
//	p.DriveMesh(mesh.New(cfg), env)   // env's SetTimer calls p.MeshTimer, its Fetch p.Fetch
//	srv, err := realtime.Listen("127.0.0.1:0", handler, httpbound.Limits{})
//	if err != nil { ... }
//	srv.Start()
//	stop := srv.Stop(func() { p.Shut(nil) }, func() error { p.Wait(); return nil })
//	defer stop()
//	resp, ok := p.Notify(req) // in handler: MSG-2, stepped under the party's lock
package realtime
