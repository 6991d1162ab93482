package check

import (
	"strconv"

	"github.com/syncsim/syncsim/trace"
)

func itoa(n int) string { return strconv.Itoa(n) }

// EventualConvergence is P1: at the end of the settle window the platform store holds the expected
// payload (PAY-5), judged semantically: the canonical hashes (trace/canonical) of the store's and the
// expected payload when the trace carries them, else the exact PAY-3 hashes (older traces). A store
// that differs from the expected payload only in its text passes, and the evidence says so. A run cut
// short by its budget is inconclusive.
func EventualConvergence(in Input) (v Verdict) {
	v = newVerdict(PropP1)
	defer failOnMalformed(&v)
	var s siteState
	recs := in.Trace.Records
	for i := range recs {
		s.apply(&recs[i])
	}
	if !in.Complete {
		v.Status = Inconclusive
		v.Evidence = Notes("the run's budget ended it before the end of the settle window")
		return v
	}
	v.Checked = 1
	if s.textOnly() {
		// PAY-5 asks for the expected payload, not its bytes: key order and whitespace are the
		// serializer's (#9255), so a semantically equal store holds it; the evidence says so.
		v.Evidence = []Evidence{cite("the store holds the expected payload semantically (canonical hash ", hashValue("store_canonical", s.storeCanon),
			"); only the text differs: store hash ", hashValue("store", s.store), " (revision ", trace.F("store_revision", s.storeRev),
			"), expected payload's hash ", hashValue("expected", s.expected), " (revision ", trace.F("expected_revision", s.expectedRev), ")")}
		return v
	}
	if s.storeMatches() {
		return v
	}
	v.Status = Fail
	end := "end of run"
	if n := len(recs); n > 0 {
		end = trace.FormatElapsed(recs[n-1].At)
	}
	v.Evidence = append([]Evidence{cite("at the end of the settle window (", end, ") the store holds hash ", hashValue("store", s.store),
		" (revision ", trace.F("store_revision", s.storeRev), "), not the expected payload's hash ", hashValue("expected", s.expected),
		" (revision ", trace.F("expected_revision", s.expectedRev), ")")}, s.context()...)
	return v
}

// HashImpliesPublished is P4: whenever the hash blob holds the expected payload's hash, the store holds
// that payload, or a notification accepted earlier is still under way (neither completed nor
// abandoned). The property is examined after every record that changes the site's state.
func HashImpliesPublished(in Input) (v Verdict) {
	v = newVerdict(PropP4)
	defer failOnMalformed(&v)
	var s siteState
	violations := 0
	recs := in.Trace.Records
	for i := range recs {
		if !s.apply(&recs[i]) || s.blob == "" || s.blob != s.expected {
			continue
		}
		v.Checked++
		if s.store == s.expected || s.underway() {
			continue
		}
		violations++
		if violations == 1 {
			v.Evidence = append([]Evidence{cite("broken at ", &recs[i], ": the hash blob holds the expected payload's hash ",
				hashValue("expected", s.expected), " but the store holds ", hashValue("store", s.store),
				" and no accepted notification is under way")}, s.context()...)
		}
	}
	if violations > 0 {
		v.Status = Fail
		v.Evidence = append(v.Evidence, Note(itoa(violations)+" state change(s) with the property broken"))
	}
	return v
}

// SyncExclusion is P3 (SYNC-2): within one instance no two sync spans overlap. A span's exclusive part
// runs from sync.enter (after the lock, or right after the gate in a mode without one) to sync.end, or
// to the instance's deletion.
func SyncExclusion(in Input) (v Verdict) {
	v = newVerdict(PropP3)
	defer failOnMalformed(&v)
	open := map[string]*trace.Record{}
	violations := 0
	recs := in.Trace.Records
	for i := range recs {
		r := &recs[i]
		switch r.Kind {
		case trace.KindSyncEnter:
			v.Checked++
			enter := must(trace.AsSyncEnter, r)
			if prev, ok := open[r.Party]; ok {
				violations++
				if len(v.Evidence) < maxEvidence {
					v.Evidence = append(v.Evidence, cite("span ", itoa(enter.Span), " entered at ", r, " while span ",
						itoa(must(trace.AsSyncEnter, prev).Span), " (entered at ", prev, ") had not ended"))
				}
			}
			open[r.Party] = r
		case trace.KindSyncEnd:
			if prev, ok := open[r.Party]; ok && must(trace.AsSyncEnter, prev).Span == must(trace.AsSyncEnd, r).Span {
				delete(open, r.Party)
			} else if ok {
				// An overlapping span ended first; the other is still open.
				continue
			}
		case trace.KindInstanceDelete:
			delete(open, r.Party)
		}
	}
	if violations > 0 {
		v.Status = Fail
		v.Evidence = append(v.Evidence, Note(itoa(violations)+" overlapping span(s)"))
	}
	return v
}

// Determinism is P12: two runs of the same scenario, mode and seed must give the same records; on a
// difference the evidence names the first differing record of each.
func Determinism(first, second *trace.Trace) Verdict {
	v := newVerdict(PropP12)
	v.Checked = max(len(first.Records), len(second.Records))
	i := trace.FirstDifference(first.Records, second.Records)
	if i < 0 {
		return v
	}
	v.Status = Fail
	at := func(t *trace.Trace) any {
		if i < len(t.Records) {
			return wholeRecord{&t.Records[i]}
		}
		return "(no record: the run ended)"
	}
	v.Evidence = []Evidence{Note("first differing record is number " + itoa(i+1)), cite("first run:  ", at(first)), cite("second run: ", at(second))}
	return v
}
