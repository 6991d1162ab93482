// Package conformance holds the contract rules of PROTOCOL.md section 8 as a library: MESH-1..9 for
// a mesh endpoint, FE-1..5 for a front end, HOST-1..2 for a host's admin API. Each Rule drives the
// endpoint of an Env over real HTTP and returns a check.Verdict (pass, fail with evidence, or
// inconclusive when there is no evidence either way), with the rule's RFC 2119 level and the
// number of situations it examined.
//
// For mesh rules the harness plays the site (PROTOCOL.md section 9): a Site serves
// GET /admin/host/triggers with a known payload to a valid TOK-4 token (401 otherwise), records
// every fetch with its time and token validity, and can fail fetches for a window (503, a reset
// connection, 404) to play "instance deleted".
//
// Rules are isolated from each other's traffic, so that a rule reaches the same verdict alone as
// in a full Run: before each rule the Env drains the mesh (it waits out the debounce while the site
// answers every fetch 200, ending an open retry round), and MESH-6 and MESH-7 count only the fetches
// their own notifications can have caused, not retries of a failed fetch (401s and 403s included).
// A well-formed notification answered late or not 2xx breaks MESH-1 in whichever rule sends it.
// testdata/meshes holds meshes written apart from ours (Python, Node), correct and broken, that
// the tests run every rule against, alone and in the suite.
//
// The Ginkgo suites under conformance/suites and `simrun conformance` are thin wrappers over this
// package:
//
//	site := conformance.NewSite("myapp", key)
//	siteURL, _ := site.Listen("127.0.0.1:0")
//	defer site.Close()
//	// ... start the mesh under test, configured with siteURL and key ...
//	env := &conformance.Env{MeshURL: meshURL, Key: keyText, SiteName: "myapp", Site: site}
//	verdicts := conformance.Run(ctx, env, conformance.MeshRules(), nil)
//	code := conformance.ExitCode(verdicts, env.Strict)
//
// RunSuite is the whole of `simrun conformance` as one call: it prepares the target, runs a suite's
// rules while writing each verdict, writes the JSON, JUnit and HTML files asked for and returns the
// Report, whose Exit is the command's exit code:
//
//	rep, err := conformance.RunSuite(ctx, conformance.Config{Suite: "frontend", Observe: conformance.DefaultObserve, Out: os.Stdout, Log: os.Stderr})
//
// Evidence names requests, answers and times, never a token, a key or a payload's secrets
// (PAY-4): payloads appear by their PAY-3 hash only.
package conformance
