package check

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/syncsim/syncsim/trace"
)

// CallerToldTruth is P20 (PROTOCOL.md section 7, SYNC-6, SYNC-7, MSG-4, HOST-2): what a sync reports
// is what the platform took, in every mode. The oracle is section 7's rule applied to the answers the
// platform gave on the wire (http.result), not the host's account of them: a sync's deciding publish
// is its first (MSG-1 in frontend and additive mode, MSG-2 in platform, signal-all and platform-ack
// mode); a 2xx to it means the platform took the payload and the sync succeeded, whatever a later,
// best-effort step (additive mode's MSG-2) met. Two judgements:
//   - a span whose deciding publish got a 2xx ends with success (P9 judges the converse: a failed
//     deciding publish reported as a success);
//   - every MSG-4 answer with a sync's status (200 or 500) is given by a sync span that the request
//     started on the instance that answers, after that span ended, with 200 exactly when the span's
//     owed result is success (its deciding publish's 2xx when it published, else its own sync.end).
//
// A success told for a sync that never ran, a success told before the publish's result was known,
// and a failure told for a payload the platform took all fail here. The key API's answer reports the
// key, which the site stores before its controller syncs (the sync it starts is P21's and P1's), so
// only MSG-4's answers are judged.
func CallerToldTruth(in Input) (v Verdict) {
	v = newVerdict(PropP20)
	defer failOnMalformed(&v)
	var vs violations
	x := indexAdmin(in.Trace.Records)
	for _, s := range sortedSpans(x) {
		d, ok := s.deciding()
		if !ok || s.end == nil || failed(d) {
			continue
		}
		v.Checked++
		if e := must(trace.AsSyncEnd, s.end); !e.Success {
			vs.add(cite("span ", itoa(e.Span), " on ", s.end.Party, " ended with success=false at ", happensAt(s.end),
				" (", quoted("error", e.Error), ") although its deciding publish ", s.publishes[0], " got ",
				trace.F("status", must(trace.AsHTTPResult, d).Status), " at ", d, ": the platform took the payload (PROTOCOL.md section 7)"))
		}
	}
	for _, a := range x.requests {
		if a.kind != trace.MsgMSG4 {
			continue
		}
		spans := x.spansOf(a)
		used := make([]bool, len(spans))
		for _, answer := range a.answers {
			if told := orZero(must(trace.AsNetSend, answer).Status); told == 200 || told == 500 {
				v.Checked++
				judgeToldAnswer(a, answer, spans, used, &vs)
			}
		}
	}
	vs.judge(&v, "sync result(s) told that the platform's answers do not support")
	return v
}

// judgeToldAnswer checks one MSG-4 answer against the span that must give it: the first of the
// request's spans (a duplicated delivery starts one each) that ended before the answer and gave no
// earlier answer.
func judgeToldAnswer(a *adminRequest, answer *trace.Record, spans []*spanRecords, used []bool, vs *violations) {
	told := orZero(must(trace.AsNetSend, answer).Status)
	var s *spanRecords
	for i, c := range spans {
		if !used[i] && c.end != nil && c.end.Seq < answer.Seq {
			s, used[i] = c, true
			break
		}
	}
	switch {
	case len(spans) == 0:
		vs.add(cite("MSG-4 (route ", a.route, ") answered ", trace.F("status", strconv.Itoa(told)), " by ", a.instance, " at ",
			happensAt(answer), " without a sync span of its own: the caller is told a result no sync produced"))
		return
	case s == nil:
		vs.add(cite("MSG-4 (route ", a.route, ") answered ", trace.F("status", strconv.Itoa(told)), " at ", happensAt(answer),
			" before its span ", itoa(must(trace.AsSyncCall, a.call).Span), " (called at ", a.call, ") ended: the caller is told a result not yet known"))
		return
	}
	end := must(trace.AsSyncEnd, s.end)
	owed := end.Success
	basis := []any{"the span's own result at ", s.end}
	if d, ok := s.deciding(); ok {
		owed = !failed(d)
		basis = []any{"its deciding publish's answer ", trace.F("status", must(trace.AsHTTPResult, d).Status), " at ", d}
	}
	if owed == (told == 200) {
		return
	}
	want := "500"
	if owed {
		want = "200"
	}
	vs.add(cite("MSG-4 (route ", a.route, ") answered ", trace.F("status", strconv.Itoa(told)), " at ", happensAt(answer),
		" for span ", itoa(end.Span), " on ", a.instance, ", which owed ", want, " by ", basis))
}

// sortedSpans lists the index's spans in the order of their sync.call (or first record).
func sortedSpans(x *adminIndex) []*spanRecords {
	out := make([]*spanRecords, 0, len(x.spans))
	for _, s := range x.spans {
		out = append(out, s)
	}
	first := func(s *spanRecords) int {
		switch {
		case s.call != nil:
			return s.call.Seq
		case s.end != nil:
			return s.end.Seq
		case len(s.publishes) > 0:
			return s.publishes[0].Seq
		case len(s.results) > 0:
			return s.results[0].Seq
		}
		return 0
	}
	slices.SortFunc(out, func(a, b *spanRecords) int { return cmp.Compare(first(a), first(b)) })
	return out
}
