// Package meshhttp serves the reference platform of package mesh over real HTTP: the mesh
// (MSG-2 notifications, MSG-3 fetches with TOK-4 tokens, debounce, retries, latest wins) and the
// front end (MSG-1's settriggers, with the optional FE-5 read-back). Each server is a platform
// adapter of live/realtime (realtime.Platform: the store, the machine's interpreter from
// site, one lock, the timers and goroutines its stop waits for, the same adapter the live
// runtime's platform is), so that the mesh's effects go through site.Mesh and every MSG-1 is
// judged by site.FrontEnd, as in the simulator; this package adds the handlers, the status, the
// log, the data file and the planted defects.
//
// Limits and bad input: a request body over MaxBody (1 MiB, 1,048,576 bytes) is answered 413
// ("request body over 1 MiB"); headers over net/http's 1 MiB default are answered 431. The mesh
// answers 400 to a malformed notification (MESH-7) and 405 to a method other than POST on / or GET on
// /status; the front end answers 401 to a missing or bad token (FE-2), 415 to a Content-Type other
// than JSON, 400 to a body that is not UTF-8 JSON (FE-3), 405 to a method other than GET or POST;
// both answer 404 to an unknown path. Nothing answers 5xx for a client's mistake.
//
// Durability: with MeshConfig.DataFile or FrontEndConfig.DataFile (`simrun serve mesh|frontend
// --data FILE`), the platform store and the mesh's pending notifications live in a bbolt file,
// committed (fsynced) before the 2xx that acknowledges them; a server started on the same file after
// a crash serves the store again, and the mesh fetches for the notifications left pending (MESH-2).
// Only a path that does not exist starts an empty store: an existing file is checked before bbolt
// maps it (meta pages, size, every reachable page's bounds) and with bbolt's Check after, and a
// 0-byte, truncated, corrupt, foreign, oversized (DataFileMaxBytes) or held file is refused with a
// *DataFileError (ErrDataNotStore, ErrDataDamaged, ErrDataTooLarge, ErrDataInUse) naming the file
// and what to do.
//
// Connections: both servers are bounded by package httpbound (MeshConfig.Limits,
// FrontEndConfig.Limits): header, read, write and idle timeouts and a bound on the connections
// served at once.
//
// Planted defects (MeshConfig.Defects, FrontEndConfig.Defects: names in package plant's
// MeshServer and FrontEndServer tables) each break exactly one rule of PROTOCOL.md section 8, so that
// the conformance suites can show they catch it. The servers know none of them: a defect is a
// function for a seam of the mesh or the front end (mesh.Seams, mesh.FrontEndSeams) or a middleware
// around the server's handler.
//
//	srv := meshhttp.NewMesh(meshhttp.MeshConfig{Site: site, SiteURL: "http://127.0.0.1:8080"})
//	url, stop, err := srv.Serve("127.0.0.1:0")
//	if err != nil { ... }
//	defer stop()
//	// the host posts operation=update-triggers to url + "/"; GET url + "/status" shows the mesh.
package meshhttp
