// Package live runs a scenario over real HTTP: the same step machines as the simulator (the reference
// host, the mesh, the front end) driven by goroutines, the real clock and net/http, with the hash blob
// and the primary lease in a real Azure Storage endpoint (Azurite) through the azblob SDK. It writes the
// same trace records as the simulator, so the same checkers judge live runs. It is an Env of
// site and nothing more: the instances and the site router are the simulator's
// site.Fleet and site.Router (start limit, names, host config, faults at creation, start and fault
// points, drains, pins, routes), which own the instances' lifecycle and hosts. They run on one
// live/realtime party (run.fleetMu), whose lock keeps them single-threaded; live gives them the
// real clock and HTTP and Azure Storage as their transport through that party (fleetEnv: its timers,
// a realtime server with its realtime.Waits per instance, and a goroutine of the party per publish,
// storage call or forwarded request). The platform is live/realtime's platform adapter (the one
// the reference servers use). The timeline, the site and the fault decisions are the simulator's
// too; which faults apply live is the catalogue's Live (scenarios/faults). Every goroutine it starts
// is joined by the run's shutdown (run.goroutine, a timer's or a realtime party's count in the run,
// a server's close).
//
// Time is scaled: with TimeScale 0.01 a scenario minute takes 0.6 s, and every timer of the reference
// parts (background delay, the primary lease's duration, renewal and retry, retry budget, debounce,
// timeouts) shrinks alike. The service takes no lease under 15 s, so the storage adapter acquires
// that and keeps the scaled expiry itself: it breaks a lease whose holder has not renewed within the
// scaled duration when another instance asks for it (storage.go). Real time keeps a few floors, each
// stated where it is set: the mesh's debounce and max-wait (platform.go) and a real timer's lateness,
// which run.start's mesh_max_wait counts so that P16 and P22 judge the mesh by what it really waits.
// Where the simulator's network orders a hash blob write before the answer of a fetch (one hop
// against two), a live MSG-3 answer waits for the serving host's hash writes to reach storage
// (hashWrites in storage.go), as loopback HTTP outruns Azurite; and what is due at one scenario
// time runs in the order it was scheduled (dueAt in timeline.go). FIDELITY.md, "Live runs", lists
// each of these with its effect on verdicts.
//
//	inst, _ := azurite.Start(ctx, azurite.Options{})
//	defer inst.Stop()
//	res, err := live.Run(ctx, sc, host.ModePlatform, 1, live.Options{ConnectionString: inst.ConnectionString})
package live
