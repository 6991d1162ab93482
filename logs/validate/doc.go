// Package validate checks that a log (and optionally the platform's logs) is a behaviour the model
// allows, as CCF and etcd-raft validate real traces against their specifications: every entry is
// read with importer.Read (any format package logs reads) and classified by the catalogue, the host
// step machines (package host, one per instance) and the platform machine (fakes/mesh) are driven
// from the state the earlier lines put them in, and each line must be one of the steps the model
// can take next: a line the model already owes (a log line of the same step), the answer to a
// pending request or blob call, a timer that is due, or an input that may arrive (a host start, a
// deletion, a deploy, a key change, a foreground sync, a lost primary lease). The caller's side
// (Core Tools, pipelines, Kudu) is judged against MSG-4: a retry follows an answer other than 200,
// attempts count up, and each answer is one MSG-4 gives.
//
// What the log does not say, the checker chooses: the site's content is symbolic (a revision per
// deploy; the log's PAY-3 hashes are bound one to one to the model's hashes of those revisions), the
// platform's retry timing is free within MESH-4, its log may be sampled, and a real log is an
// excerpt: an instance it never shows starting joins running, the lines of a step under way are
// caught up with, and a kind of line the log never carries is taken as filtered out of it. A
// whole run's log (opening with the harness's Site settings line) must show every line.
//
// It never passes vacuously: the Result counts the lines explained, the sync steps among them and
// the lines skipped by reason (no time, unknown message, other category, ...); its Verdict is
// Explained only when at least one sync step was explained and no line failed, Inconclusive when
// nothing was a sync step it could judge.
//
//	res, err := validate.Validate(validate.Options{}, validate.Source{Name: "host.log", R: f})
//	if err == nil {
//		fmt.Println(res.Summary()) // explained 12 of 14 lines (5 sync steps); skipped 2 (by reason: unknown message 2)
//		if res.Failure != nil {
//			fmt.Println(res.Failure) // host.log:12: ...: the model cannot take this step from ...; it could: ...
//		}
//	}
package validate
