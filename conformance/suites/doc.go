// Package suites turns the conformance rules into Ginkgo v2 specs: one It per rule, labelled with
// the rule's ID, its level and the sync modes it concerns, asserting the rule's verdict. The specs
// hold no logic of their own: package conformance does the checking, here and in
// `simrun conformance`.
//
// The suites (conformance/suites/mesh, frontend, host, system) run under `go test` and under the
// ginkgo CLI:
//
//	go test ./conformance/suites/...
//	ginkgo --label-filter='MESH-4' --junit-report=mesh.xml ./conformance/suites/mesh
//
// By default each spec starts our reference part, fresh, on 127.0.0.1:0. Environment variables
// point a suite at an endpoint under test instead (the specs then share it, in order, with the
// disruptive MESH-4 last): SYNCSIM_MESH_URL with SYNCSIM_SITE_LISTEN (the site URL the mesh was
// configured with), SYNCSIM_FRONTEND_URL and SYNCSIM_FRONTEND_READBACK, SYNCSIM_HOST_URL and
// SYNCSIM_HOST_EXPECTED_HASH; SYNCSIM_KEY (required with an endpoint), SYNCSIM_SITE,
// SYNCSIM_OBSERVE (MESH-4's window, default 20s), SYNCSIM_FULL=true, SYNCSIM_STRICT=true.
package suites
