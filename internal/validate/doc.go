// Package validate checks that a real host log (and optionally the platform's logs) is a behaviour
// the model allows, as CCF and etcd-raft validate real traces against their specifications: every
// logged line is mapped to a model step with the importer's parser, the host step machines (package
// host, one per instance) and the platform machine (fakes/mesh) are driven from the state the
// earlier lines put them in, and each line must be one of the steps the model can take next: an
// effect the model already owes (a log line of the same synchronous step), the answer to a pending
// request or blob call, a timer that is due, or an input that may arrive (a host start, a deletion,
// a deploy, a key change, a foreground sync).
//
// What the log does not say, the checker chooses: the site's content is symbolic (a revision per
// deploy; the log's PAY-3 hashes are bound one to one to the model's hashes of those revisions), the
// platform's retry timing is free within MESH-4, and the platform's log may be sampled. What the log
// does say is held to the model: the order of each instance's steps, the hash blob's value across
// instances (BLOB-2), the background timer's 30 s (SYNC-8), the primary lease, and the platform's
// fetch outcomes against which instances were running.
//
//	res, err := validate.Validate(validate.Options{}, validate.Source{Name: "host.log", R: f})
//	if err == nil && res.Failure != nil {
//		fmt.Println(res.Failure) // host.log:12: ...: the model cannot take this step from ...; it could: ...
//	}
package validate
