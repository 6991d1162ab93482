// Package check judges runs: each property of the catalogue (catalogue.go: DESIGN.md's P1-P13, and
// P14-P22, which the README's property table states) is a function from a trace to a Verdict with the
// number of situations it examined and, on failure, evidence naming the records that break it.
// Checkers read only the trace, so the simulator and the live runtime are judged by the same code.
//
// Checkers read records through their typed views (trace.AsSyncPublish, ...; trace/view.go),
// never by key: a renamed field is a compile error in the checker, and a record whose fields its view
// cannot read (a field missing, of the wrong type, or unknown to the view) fails the verdict: Status
// Fail, with one finding that cites the record (its seq, so it is where the property breaks) and
// quotes the decode error naming the field. It is never a silent pass: a checker that cannot read its
// trace cannot vouch for it. Inside the package a reading checker stops through must (a panic of an
// unexported type) and the deferred failOnMalformed of every exported checker turns it into that
// verdict (read.go). The canonical hash the checkers compare lives with the vocabulary, in
// trace/canonical, so that the drivers which record it need not import the checkers.
//
// P19-P22 each carry their own oracle, computed from the records and never from the code they judge:
// P19 (authz.go) the answer an admin request's token owes, from its recorded token facts; P20
// (truth.go) the result a sync owes by PROTOCOL.md section 7, from the platform's answers on the wire;
// P21 (routing.go) that the instance the router chose serves the request; P22 (retries.go) the mesh's
// timing under failing fetches. P19-P21 link each routed request to its delivery, token check,
// answer and sync span through the network's records (routes.go).
//
//	v := check.EventualConvergence(check.Input{Trace: tr, Complete: true})
//	fmt.Println(v.ID, v.Status, v.Checked)
package check
