// Package meshhttp serves the reference platform of package mesh over real HTTP: the mesh
// (MSG-2 notifications, MSG-3 fetches with TOK-4 tokens, debounce, retries, latest wins) and the
// front end (MSG-1's settriggers, with the optional FE-5 read-back). It is the adapter around the
// step machines: it owns the goroutines, the network and the wall clock, and a mutex makes the
// single-threaded machines safe to share.
//
// Planted defects (MeshDefects, FrontEndDefects) each break exactly one rule of PROTOCOL.md
// section 8, so that the conformance suites can show they catch it.
//
//	srv := meshhttp.NewMesh(meshhttp.MeshConfig{Site: site, SiteURL: "http://127.0.0.1:8080"})
//	url, stop, err := srv.Serve("127.0.0.1:0")
//	if err != nil { ... }
//	defer stop()
//	// the host posts operation=update-triggers to url + "/"; GET url + "/status" shows the mesh.
package meshhttp
