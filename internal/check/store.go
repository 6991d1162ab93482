package check

import "github.com/syncsim/syncsim/sim"

// NoStaleOverwrite is P2: the platform store's revision never decreases. Every store.write (FE and
// mesh paths alike) after the first is compared with the revision the store held just before it.
func NoStaleOverwrite(in Input) Verdict {
	v := newVerdict(PropP2)
	var vs violations
	var prev *sim.Record
	for i := range in.Trace.Records {
		r := &in.Trace.Records[i]
		if r.Kind != "store.write" {
			continue
		}
		if prev != nil {
			v.Checked++
			if r.Int("revision") < prev.Int("revision") {
				vs.add("revision went down from " + prev.Get("revision") + " (" + ref(*prev) + ", via " + prev.Get("via") +
					") to " + r.Get("revision") + " at " + ref(*r) + " (via " + r.Get("via") + ")")
			}
		}
		prev = r
	}
	vs.judge(&v, "store write(s) lowered the revision")
	return v
}

// DuplicateHarmless is P7: a duplicated delivery never changes the store's content or revision. A
// delivery is a duplicate when the FE marks it so (duplicate=true, an injected duplication) or when its
// msg was already stored once; either must leave the store's hash and revision as they were.
//
// Decided here: a duplicate=true write whose msg had not been stored yet is the message's first
// arrival (the copy overtook the original); it is not judged, and the original's later arrival is.
func DuplicateHarmless(in Input) Verdict {
	v := newVerdict(PropP7)
	var vs violations
	var prev *sim.Record
	stored := map[string]*sim.Record{}
	for i := range in.Trace.Records {
		r := &in.Trace.Records[i]
		if r.Kind != "store.write" {
			continue
		}
		if first, dup := duplicateOf(r, stored); dup {
			v.Checked++
			if changed(prev, r) {
				vs.add(duplicateEvidence(r, first, prev))
			}
		}
		if m := r.Get("msg"); m != "" && stored[m] == nil {
			stored[m] = r
		}
		prev = r
	}
	vs.judge(&v, "duplicate deliveries changed the store")
	return v
}

// duplicateOf reports whether a store write is a duplicate delivery, and the write that first stored
// the same message (nil when unknown).
func duplicateOf(r *sim.Record, stored map[string]*sim.Record) (*sim.Record, bool) {
	msg := r.Get("msg")
	if first := stored[msg]; msg != "" && first != nil {
		return first, true
	}
	// Without a msg field the flag alone decides; with one, a first arrival is not a duplicate.
	return nil, r.Get("via") == "frontend" && r.Get("duplicate") == "true" && msg == ""
}

// changed reports whether a write leaves the store different from the state prev left (no prev: empty).
func changed(prev, r *sim.Record) bool {
	if prev == nil {
		return true
	}
	return prev.Get("hash") != r.Get("hash") || prev.Get("revision") != r.Get("revision")
}

func duplicateEvidence(r, first, prev *sim.Record) string {
	what := "duplicate delivery"
	if m := r.Get("msg"); m != "" {
		what += " of msg " + m
	}
	if first != nil {
		what += " (first stored at " + ref(*first) + ")"
	}
	before := "an empty store"
	if prev != nil {
		before = "revision " + prev.Get("revision") + " hash " + short(prev.Get("hash")) + " (" + ref(*prev) + ")"
	}
	return what + " at " + ref(*r) + " changed the store from " + before + " to revision " + r.Get("revision") +
		" hash " + short(r.Get("hash"))
}

// ConvergenceLatency is P13: the time from the last content.change to convergence, the first
// store.write after it with the change's expected_hash that no store.write of another hash follows.
// Decided here: when the store already held that hash at the change and nothing overwrote it, the
// latency is 0. Metrics["convergence_ms"] is recorded whenever the store converged.
func ConvergenceLatency(in Input) Verdict {
	v := newVerdict(PropP13)
	change, held, conv := convergence(in.Trace.Records)
	if change == nil {
		return v
	}
	v.Checked = 1
	if conv == nil && !held {
		return notConverged(v, change, in.Complete)
	}
	at, what := change.At, "the store already held it"
	if conv != nil {
		at, what = conv.At, "converged at "+ref(*conv)
	}
	latency := at - change.At
	v.Metrics = map[string]int64{"convergence_ms": latency.Milliseconds()}
	if in.ConvergenceBound > 0 && latency > in.ConvergenceBound {
		v.Status = Fail
		v.Evidence = []string{"last content change " + ref(*change) + " (expected hash " + short(change.Get("expected_hash")) +
			"); " + what + ": latency " + latency.String() + " exceeds the scenario's bound " + in.ConvergenceBound.String()}
	}
	return v
}

// convergence finds the last content change, whether the store held its hash right then, and the
// store write from which the store held that hash to the end (nil when it did not end there).
func convergence(recs []sim.Record) (change *sim.Record, held bool, conv *sim.Record) {
	var store string
	for i := range recs {
		r := &recs[i]
		switch r.Kind {
		case "content.change":
			change, held, conv = r, store != "" && store == r.Get("expected_hash"), nil
		case "store.write":
			store = r.Get("hash")
			if change == nil {
				continue
			}
			if store != change.Get("expected_hash") {
				held, conv = false, nil
			} else if conv == nil && !held {
				conv = r
			}
		}
	}
	return change, held, conv
}

func notConverged(v Verdict, change *sim.Record, complete bool) Verdict {
	v.Evidence = []string{"last content change " + ref(*change) + " (expected hash " + short(change.Get("expected_hash")) +
		"): the store did not converge to it, so no convergence_ms is recorded"}
	if !complete {
		v.Status = Inconclusive
		v.Evidence = append(v.Evidence, "the run's budget ended it before the store converged")
		return v
	}
	v.Status = Fail
	v.Evidence = append(v.Evidence, "the store never converged by the end of the run (P1 fails too)")
	return v
}
