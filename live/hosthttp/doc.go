// Package hosthttp serves the admin API of one reference host (package host's Machine) over real
// HTTP: GET /admin/host/triggers (MSG-3, HOST-1) and POST /admin/host/synctriggers (MSG-4, HOST-2).
// The goroutines, timers, lock and HTTP plumbing are live/realtime's host adapter (realtime.Host
// on a Party of the server's own, the adapter the live runtime's instances share), and the machine's
// effects go through the one interpreter every driver uses (site's Host); this package
// adds the admin API's handler, the publishes' HTTP client, the storage calls (answered within the
// step that made them) and the log. What a host talks to comes from its HostConfig: the storage
// behind the primary lease and the hash blob (Storage), and the front end or mesh it publishes to
// (their URLs, or StartPeer to start them). It knows none of the fakes: package serve assembles the
// standalone host, with the in-memory blob model and a reference front end or mesh in process, so
// that a sync succeeds standalone.
//
// Planted defects (HostConfig.Defects: names in package plant's HostServer table) each
// break exactly one rule, for the conformance suites. The server knows none of them: a defect is a
// wrapper or seam function of the machine (host.Wrapper, host.Seams) or a middleware around the
// admin API.
//
//	srv := serve.NewHost(hosthttp.HostConfig{Site: site})
//	url, stop, err := srv.Serve("127.0.0.1:0")
//	if err != nil { ... }
//	defer stop()
//	// GET url + "/admin/host/triggers" with a TOK-4 token answers the payload.
//
// Request bodies over 1 MiB are answered 413; headers over net/http's 1 MiB default, 431.
package hosthttp
