package check

import (
	"time"

	"github.com/syncsim/syncsim/internal/trace"
)

// fetchStartBound is how soon after an accepted notification a fetch must start (MESH-6, decided in
// PROTOCOL.md: once no notification has come for 250 ms, or 1 s after the first pending one, whichever
// comes first). A scenario's `mesh.debounce` changes only the quiet period, which the 1 s max-wait
// caps, so the bound is 1 s whatever the scenario says; one more 50 ms covers the kernel's ordering of
// events due at the same moment.
const fetchStartBound = time.Second + 50*time.Millisecond

// startBound is fetchStartBound, or the max-wait a run.start record says its mesh runs with when that
// is longer (plus the same 50 ms): the live driver's mesh keeps a real-time floor under its timers,
// which at small time scales is more than MESH-6's 1 s of scenario time.
func startBound(recs []trace.Record) time.Duration {
	for i := range recs {
		if recs[i].Kind != trace.KindRunStart {
			continue
		}
		if d, err := time.ParseDuration(recs[i].Get("mesh_max_wait")); err == nil && d+50*time.Millisecond > fetchStartBound {
			return d + 50*time.Millisecond
		}
		break
	}
	return fetchStartBound
}

// fetchCompleteBound is MESH-2's: a fetch that started after the notification completes within 30 s
// when the site answers.
const fetchCompleteBound = 30 * time.Second

// faultMargin keeps P16 away from injected faults: a notification is judged only when no fault fired
// within this long before or after it (a fault can delay a fetch, lose the notification, or keep the
// site from answering, and the contract's bounds hold "when the site answers").
const faultMargin = fetchCompleteBound + 2*time.Second

// fetchRound is one MSG-3 attempt as the mesh's records tell it.
type fetchRound struct {
	start, done *trace.Record
}

// owedFetch is one judged notification: when a fetch must start by, and the deadline of its completion
// (0 when the completion is not judged).
type owedFetch struct {
	accept          *trace.Record
	bound, deadline time.Duration
}

// owedFetches lists the notifications P16 and P17 judge: accepted with no injected fault within 32 s
// either side, and with the start bound inside the trace. The start bound is 1 s after the
// notification, or 1 s after the end of a fetch that was in flight when it arrived (MESH-5: that one
// may not cover it). The completion is judged only when its deadline (30 s after the start bound) is in
// the trace and some host ran from the notification to that deadline (MESH-2's "when the site answers").
func owedFetches(recs []trace.Record, rounds []*fetchRound) []owedFetch {
	faultsAt, end, running := faultTimes(recs), traceEnd(recs), runningHosts(recs)
	fetchStartBound := startBound(recs)
	var out []owedFetch
	for i := range recs {
		a := &recs[i]
		if a.Kind != trace.KindMeshAccept || nearFault(faultsAt, a.At) {
			continue
		}
		bound := a.At + fetchStartBound
		for _, f := range rounds {
			if f.start.At < a.At && (f.done == nil || f.done.At >= a.At) {
				if f.done == nil {
					bound = end + 1
				} else {
					bound = max(bound, f.done.At+fetchStartBound)
				}
			}
		}
		if bound > end {
			continue
		}
		o := owedFetch{accept: a, bound: bound}
		if d := bound + fetchCompleteBound; d <= end && running.throughout(a.At, d) {
			o.deadline = d
		}
		out = append(out, o)
	}
	return out
}

// NotificationToFetch is P16 (MESH-6's max-wait, SHOULD): after each accepted notification (mesh.accept)
// a fetch that started after it starts within 1 s, or within 1 s of the end of the fetch in flight when
// it arrived. See owedFetches for which notifications are judged.
func NotificationToFetch(in Input) Verdict {
	v := newVerdict(PropP16)
	var vs violations
	rounds := fetchRounds(in.Trace.Records)
	for _, o := range owedFetches(in.Trace.Records, rounds) {
		v.Checked++
		a := o.accept
		first := firstStartAfter(rounds, a.At)
		if first != nil && first.start.At <= o.bound {
			continue
		}
		what := []any{"no fetch started after it"}
		if first != nil {
			what = []any{"the first fetch after it started at ", first.start, ", ", (first.start.At - a.At).String(), " later"}
		}
		vs.add(cite("notification ", a.Get("notification"), " accepted at ", a, ": ", what,
			"; MESH-6's max-wait owes one by ", trace.FormatElapsed(o.bound)))
	}
	vs.judge(&v, "notification(s) without a fetch within the max-wait")
	return v
}

// FetchCompletes is P17 (MESH-2, MUST): after each accepted notification a fetch that started after it
// completes with 200 within 30 s of P16's start bound, when the site answers (some host ran throughout).
func FetchCompletes(in Input) Verdict {
	v := newVerdict(PropP17)
	var vs violations
	rounds := fetchRounds(in.Trace.Records)
	for _, o := range owedFetches(in.Trace.Records, rounds) {
		if o.deadline == 0 {
			continue
		}
		v.Checked++
		if done := firstCompletedAfter(rounds, o.accept.At); done == nil || done.done.At > o.deadline {
			vs.add(cite("notification ", o.accept.Get("notification"), " accepted at ", o.accept,
				": no fetch that started after it completed with 200 by ", trace.FormatElapsed(o.deadline),
				" although the site had a running host throughout (MESH-2)"))
		}
	}
	vs.judge(&v, "notification(s) without a completed fetch within 30 s")
	return v
}

func fetchRounds(recs []trace.Record) []*fetchRound {
	var out []*fetchRound
	byID := map[string]*fetchRound{}
	for i := range recs {
		r := &recs[i]
		switch r.Kind {
		case trace.KindMeshFetch:
			f := &fetchRound{start: r}
			byID[r.Get("fetch")] = f
			out = append(out, f)
		case trace.KindMeshFetchDone:
			if f := byID[r.Get("fetch")]; f != nil && f.done == nil {
				f.done = r
			}
		}
	}
	return out
}

func firstStartAfter(rounds []*fetchRound, t time.Duration) *fetchRound {
	for _, f := range rounds {
		if f.start.At >= t {
			return f
		}
	}
	return nil
}

func firstCompletedAfter(rounds []*fetchRound, t time.Duration) *fetchRound {
	for _, f := range rounds {
		if f.start.At >= t && f.done != nil && f.done.Int("status") == 200 {
			return f
		}
	}
	return nil
}

func faultTimes(recs []trace.Record) []time.Duration {
	var out []time.Duration
	for _, r := range recs {
		if r.Kind == trace.KindFaultFire {
			out = append(out, r.At)
		}
	}
	return out
}

func nearFault(faults []time.Duration, t time.Duration) bool {
	for _, f := range faults {
		if f >= t-faultMargin && f <= t+faultMargin {
			return true
		}
	}
	return false
}

func traceEnd(recs []trace.Record) time.Duration {
	if len(recs) == 0 {
		return 0
	}
	return recs[len(recs)-1].At
}

// hostSpans are the intervals in which at least one instance's host ran (host.start to host.stop or
// instance.delete).
type hostSpans struct{ from, to []time.Duration }

func runningHosts(recs []trace.Record) hostSpans {
	var hs hostSpans
	up := map[string]bool{}
	n := 0
	for _, r := range recs {
		switch r.Kind {
		case trace.KindHostStart:
			if !up[r.Party] {
				up[r.Party] = true
				if n++; n == 1 {
					hs.from = append(hs.from, r.At)
				}
			}
		case trace.KindHostStop, trace.KindInstanceDelete:
			if up[r.Party] {
				delete(up, r.Party)
				if n--; n == 0 {
					hs.to = append(hs.to, r.At)
				}
			}
		}
	}
	return hs
}

// throughout reports whether some host ran during all of [from, to].
func (hs hostSpans) throughout(from, to time.Duration) bool {
	for i, f := range hs.from {
		end := time.Duration(1 << 62)
		if i < len(hs.to) {
			end = hs.to[i]
		}
		if f <= from && end >= to {
			return true
		}
	}
	return false
}
