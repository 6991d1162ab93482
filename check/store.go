package check

import (
	"strconv"

	"github.com/syncsim/syncsim/trace"
)

// held is what a store.write or store.snapshot record says the store holds.
type held struct {
	hash, canonical string
	revision        int
	empty           bool // a snapshot of an empty store: no hash, no revision
}

// heldBy reads a store.write or store.snapshot record.
func heldBy(r *trace.Record) held {
	if r.Kind == trace.KindStoreSnapshot {
		s := must(trace.AsStoreSnapshot, r)
		return held{s.Hash, s.Canonical, s.Revision, s.Empty}
	}
	w := must(trace.AsStoreWrite, r)
	return held{w.Hash, w.Canonical, w.Revision, false}
}

// revisionText is the revision as the record has it ("" for an empty store's snapshot, which has none).
func (h held) revisionText() string {
	if h.empty {
		return ""
	}
	return itoa(h.revision)
}

// msgOf is the simulated message that carried a front end's store write, "" when none is named.
func msgOf(w trace.StoreWriteRecord) string {
	if w.Msg == nil {
		return ""
	}
	return strconv.FormatUint(*w.Msg, 10)
}

// NoStaleOverwrite is P2: the platform store's revision never decreases, and the store keeps what it
// acknowledged. The revision it holds is read from store.snapshot records (the store's own Get) when
// the trace has them, else from the store.write records (the live driver). Decided here: a write whose
// next snapshot does not hold the write's hash and revision is a P2 failure too, since the entry the
// store kept instead is a stale one that the acknowledged write should have replaced (a lost update).
func NoStaleOverwrite(in Input) (v Verdict) {
	v = newVerdict(PropP2)
	defer failOnMalformed(&v)
	var vs violations
	var prev, write *trace.Record
	snapshots := hasKind(in.Trace.Records, trace.KindStoreSnapshot)
	for i := range in.Trace.Records {
		r := &in.Trace.Records[i]
		if r.Kind == trace.KindStoreSnapshot && write != nil {
			v.Checked++
			now, w := heldBy(r), must(trace.AsStoreWrite, write)
			if now.hash != w.Hash || now.revisionText() != itoa(w.Revision) {
				vs.add(cite("store write at ", write, " (via ", w.Via, ") acknowledged revision ", revisionOf("revision", write),
					" hash ", hashValue("hash", w.Hash), " but the store then held revision ", revisionOf("held_revision", r),
					" hash ", hashValue("held", now.hash), " (", r, ")"))
			}
			write = nil
		}
		if r.Kind == trace.KindStoreWrite {
			write = r
		}
		if !(snapshots && r.Kind == trace.KindStoreSnapshot && !heldBy(r).empty) && !(!snapshots && r.Kind == trace.KindStoreWrite) {
			continue
		}
		if prev != nil {
			v.Checked++
			if heldBy(r).revision < heldBy(prev).revision {
				vs.add(cite("revision went down from ", revisionOf("from", prev), " (", prev, ") to ", revisionOf("to", r), " at ", happensAt(r)))
			}
		}
		prev = r
	}
	vs.judge(&v, "store write(s) lowered the revision or were not kept")
	return v
}

// revisionOf is a store record's revision, compared under key.
func revisionOf(key string, r *trace.Record) trace.Field {
	return trace.Field{Key: key, Value: heldBy(r).revisionText()}
}

func hasKind(recs []trace.Record, kind trace.Kind) bool {
	for i := range recs {
		if recs[i].Kind == kind {
			return true
		}
	}
	return false
}

// DuplicateHarmless is P7: a duplicated delivery never changes the store's content or revision.
//
// Front-end path: a delivery is a duplicate when the FE marks it so (duplicate=true, an injected
// duplication) or when its msg was already stored once; either must leave the store's hash and
// revision as they were. Decided here: a duplicate=true write whose msg had not been stored yet is the
// message's first arrival (the copy overtook the original); it is not judged, and the original's later
// arrival is.
//
// Mesh path: a duplicated MSG-2 (a net.deliver of a msg2.request to the mesh that an earlier delivery
// of the same msg was already accepted from) is a notification of its own (mesh.accept); a mesh
// store.write whose newly covered notifications were all accepted from duplicates must leave the store
// as it was. Decided here: a copy delivered after the mesh refused every earlier copy of the message
// (MESH-1 answered non-2xx, no mesh.accept) is the message's first accepted arrival, not a repeat: the
// notification it carries is owed to the sender, and its fetch may change the store. A duplicated
// MSG-3 answer (msg3.response) (its second delivery) must store nothing new: a mesh store.write in
// that delivery must not change the store. Each duplicated delivery to the mesh counts as one
// situation examined.
func DuplicateHarmless(in Input) (v Verdict) {
	v = newVerdict(PropP7)
	defer failOnMalformed(&v)
	var vs violations
	var prev *trace.Record
	stored := map[string]*trace.Record{}
	var mp meshDuplicates
	for i := range in.Trace.Records {
		r := &in.Trace.Records[i]
		if mp.observe(r) {
			v.Checked++
			continue
		}
		if r.Kind != trace.KindStoreWrite {
			continue
		}
		if why, judged := mp.judge(r); judged {
			if changed(prev, r) {
				vs.add(cite(why, " at ", happensAt(r), " changed the store from ", storeState(prev), " to revision ",
					revisionOf("revision", r), " hash ", hashValue("hash", heldBy(r).hash)))
			}
		} else if first, dup := duplicateOf(r, stored); dup {
			v.Checked++
			if changed(prev, r) {
				vs.add(duplicateEvidence(r, first, prev))
			}
		}
		if m := msgOf(must(trace.AsStoreWrite, r)); m != "" && stored[m] == nil {
			stored[m] = r
		}
		prev = r
	}
	vs.judge(&v, "duplicate deliveries changed the store")
	return v
}

// meshDuplicates follows duplicated deliveries to the mesh for P7.
type meshDuplicates struct {
	dupOnly  map[int]bool  // notifications accepted from a duplicated MSG-2 only
	covered  int           // the newest notification delivered or abandoned so far
	delivery *trace.Record // the repeated delivery whose records are being read, if any
	current  *trace.Record // the delivery to the mesh whose records are being read, repeated or not
	// delivered are the msg3.response messages delivered to the mesh so far, accepted the
	// msg2.request messages a delivery of which the mesh accepted (mesh.accept).
	delivered, accepted map[uint64]bool
}

// observe folds a record in and reports whether it is a duplicated delivery to the mesh.
func (m *meshDuplicates) observe(r *trace.Record) bool {
	if m.current != nil && (r.At != m.current.At || r.Kind == trace.KindNetDeliver) {
		m.current, m.delivery = nil, nil
	}
	switch r.Kind {
	case trace.KindNetDeliver:
		d := must(trace.AsNetDelivery, r)
		k := d.Kind
		if r.Party != trace.PartyMesh || (k != trace.MsgMSG2 && k != trace.MsgMSG3Response) {
			break
		}
		if m.delivered == nil {
			m.delivered, m.accepted = map[uint64]bool{}, map[uint64]bool{}
		}
		m.current = r
		// The repeat is whichever copy arrives second (a copy that overtook its original is the
		// message's first arrival, as on the front-end path); for MSG-2, second after a copy the
		// mesh accepted.
		msg := d.Msg
		if (k == trace.MsgMSG2 && !m.accepted[msg]) || (k == trace.MsgMSG3Response && !m.delivered[msg]) {
			m.delivered[msg] = true
			break
		}
		m.delivery = r
		return true
	case trace.KindMeshAccept:
		if m.current != nil {
			if c := must(trace.AsNetDelivery, m.current); c.Kind == trace.MsgMSG2 {
				m.accepted[c.Msg] = true
			}
		}
		if m.delivery != nil && must(trace.AsNetDelivery, m.delivery).Kind == trace.MsgMSG2 {
			if m.dupOnly == nil {
				m.dupOnly = map[int]bool{}
			}
			m.dupOnly[must(trace.AsMeshAccept, r).Notification] = true
		}
	case trace.KindMeshAbandon:
		m.covered = max(m.covered, must(trace.AsMeshAbandon, r).Cover)
	}
	return false
}

// judge reports whether a store.write is judged as the effect of a duplicated delivery to the mesh,
// and what that delivery was (evidence parts).
func (m *meshDuplicates) judge(r *trace.Record) ([]any, bool) {
	w := must(trace.AsStoreWrite, r)
	if w.Via != trace.PartyMesh {
		return nil, false
	}
	from, to := m.covered, orZero(w.Cover)
	m.covered = max(m.covered, to)
	if m.delivery != nil && must(trace.AsNetDelivery, m.delivery).Kind == trace.MsgMSG3Response {
		return []any{"a duplicated fetch answer (", m.delivery, ") stored again"}, true
	}
	if to <= from {
		return nil, false
	}
	for n := from + 1; n <= to; n++ {
		if !m.dupOnly[n] {
			return nil, false
		}
	}
	return []any{"a fetch owed only to duplicated notifications ", itoa(from + 1), "..", itoa(to)}, true
}

// storeState is what prev left the store holding, as evidence parts.
func storeState(prev *trace.Record) []any {
	if prev == nil {
		return []any{"an empty store"}
	}
	return []any{"revision ", revisionOf("previous_revision", prev), " hash ", hashValue("previous", heldBy(prev).hash), " (", prev, ")"}
}

// duplicateOf reports whether a store write is a duplicate delivery, and the write that first stored
// the same message (nil when unknown).
func duplicateOf(r *trace.Record, stored map[string]*trace.Record) (*trace.Record, bool) {
	w := must(trace.AsStoreWrite, r)
	msg := msgOf(w)
	if first := stored[msg]; msg != "" && first != nil {
		return first, true
	}
	// Without a msg field the flag alone decides; with one, a first arrival is not a duplicate.
	return nil, w.Via == trace.PartyFrontEnd && w.Duplicate && msg == ""
}

// changed reports whether a write leaves the store different from the state prev left (no prev: empty).
func changed(prev, r *trace.Record) bool {
	if prev == nil {
		return true
	}
	p, n := heldBy(prev), heldBy(r)
	return p.hash != n.hash || p.revisionText() != n.revisionText()
}

func duplicateEvidence(r, first, prev *trace.Record) Evidence {
	what := []any{"duplicate delivery"}
	if m := msgOf(must(trace.AsStoreWrite, r)); m != "" {
		what = append(what, " of msg ", trace.Field{Key: "msg", Value: m})
	}
	if first != nil {
		what = append(what, " (first stored at ", first, ")")
	}
	return cite(what, " at ", happensAt(r), " changed the store from ", storeState(prev), " to revision ", revisionOf("revision", r),
		" hash ", hashValue("hash", heldBy(r).hash))
}

// ConvergenceLatency is P13: the time from the last content.change to convergence, the first
// store.write after it with the change's expected_hash that no store.write of another hash follows.
// Decided here: when the store already held that hash at the change and nothing overwrote it, the
// latency is 0. Metrics["convergence_ms"] is recorded whenever the store converged.
func ConvergenceLatency(in Input) (v Verdict) {
	v = newVerdict(PropP13)
	defer failOnMalformed(&v)
	change, held, conv := convergence(in.Trace.Records)
	if change == nil {
		return v
	}
	v.Checked = 1
	if conv == nil && !held {
		return notConverged(v, change, in.Complete)
	}
	at, what := change.At, any("the store already held it")
	if conv != nil {
		at, what = conv.At, []any{"converged at ", happensAt(conv)}
	}
	latency := at - change.At
	v.Metrics = map[string]int64{"convergence_ms": latency.Milliseconds()}
	if in.ConvergenceBound > 0 && latency > in.ConvergenceBound {
		v.Status = Fail
		v.Evidence = []Evidence{cite("last content change ", change, " (expected hash ", hashValue("expected", must(trace.AsContentChange, change).ExpectedHash),
			"); ", what, ": latency ", trace.F("latency", latency), " exceeds the scenario's bound ", trace.F("bound", in.ConvergenceBound))}
	}
	return v
}

// convergence finds the last content change, whether the store held its hash right then, and the
// store write from which the store held that hash to the end (nil when it did not end there).
// Like P1, it compares payloads semantically when the trace carries canonical hashes.
func convergence(recs []trace.Record) (change *trace.Record, held bool, conv *trace.Record) {
	var store *trace.Record
	for i := range recs {
		r := &recs[i]
		switch r.Kind {
		case trace.KindContentChange:
			change, held, conv = r, store != nil && holdsExpected(store, r), nil
		case trace.KindStoreWrite, trace.KindStoreSnapshot:
			// A snapshot is what the store's Get returned: it overrides what the write before it reported.
			store = r
			if change == nil {
				continue
			}
			if !holdsExpected(store, change) {
				held, conv = false, nil
			} else if conv == nil && !held {
				conv = r
			}
		}
	}
	return change, held, conv
}

// holdsExpected reports whether a store record holds a content change's expected payload: by
// canonical hash when both records carry one, else by PAY-3 hash.
func holdsExpected(store, change *trace.Record) bool {
	h, c := heldBy(store), must(trace.AsContentChange, change)
	if h.empty || h.hash == "" {
		return false
	}
	if h.canonical != "" && c.ExpectedCanonical != "" {
		return h.canonical == c.ExpectedCanonical
	}
	return h.hash == c.ExpectedHash
}

func notConverged(v Verdict, change *trace.Record, complete bool) Verdict {
	v.Evidence = []Evidence{cite("last content change ", change, " (expected hash ", hashValue("expected", must(trace.AsContentChange, change).ExpectedHash),
		"): the store did not converge to it, so no convergence_ms is recorded")}
	if !complete {
		v.Status = Inconclusive
		v.Evidence = append(v.Evidence, Note("the run's budget ended it before the store converged"))
		return v
	}
	v.Status = Fail
	v.Evidence = append(v.Evidence, Note("the store never converged by the end of the run (P1 fails too)"))
	return v
}
