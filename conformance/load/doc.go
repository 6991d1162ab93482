// Package load drives a mesh or a front end with many simulated instances over real HTTP, on the
// loopback interface only, bounded in count and time, and reports what came back: answers by
// status, latency percentiles, throughput, for the mesh the fetches its site received (coalescing,
// MESH-6, and "no fetch lost", MESH-2/MESH-5), and whether goroutines or file descriptors leaked.
//
// Without a Target it starts the reference server of package meshhttp in process on 127.0.0.1:0
// (with a test site answering the mesh's MSG-3 fetches). With a Target, the endpoint under test must
// listen on 127.0.0.1, localhost or [::1]; any other host is refused with ErrNotLoopback.
//
//	rep, err := load.Run(ctx, load.Config{Kind: load.Mesh, Instances: 100, Requests: 100})
//	if err != nil { ... }
//	rep.WriteText(os.Stdout)
//	if !rep.Passed { ... } // rep.Failures says why
package load
