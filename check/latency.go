package check

import (
	"cmp"
	"slices"
	"time"

	"github.com/syncsim/syncsim/trace"
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
		if d := must(trace.AsRunStart, &recs[i]).MeshMaxWait; d+50*time.Millisecond > fetchStartBound {
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
	inFlight := newFlightIndex(rounds)
	var out []owedFetch
	for i := range recs {
		a := &recs[i]
		if a.Kind != trace.KindMeshAccept || nearFault(faultsAt, a.At) {
			continue
		}
		bound := a.At + fetchStartBound
		if inFlight.undoneBefore(a.At) {
			continue // a fetch in flight never ended: the bound is past the trace
		}
		if done, ok := inFlight.lastDoneBefore(a.At); ok && done >= a.At {
			bound = max(bound, done+fetchStartBound)
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

// flightIndex answers, for a moment t, which fetch rounds were in flight then (started before t and
// not done before t), in O(log n): the rounds by start, with the latest completion among those
// started so far.
type flightIndex struct {
	starts      []time.Duration // the rounds' starts, ascending
	latestDone  []time.Duration // latestDone[i]: the latest done among the rounds of starts[:i+1] (-1: none)
	firstUndone time.Duration   // the earliest start of a round that never ended (-1: none)
}

func newFlightIndex(rounds []*fetchRound) flightIndex {
	x := flightIndex{firstUndone: -1}
	sorted := slices.Clone(rounds)
	slices.SortStableFunc(sorted, func(a, b *fetchRound) int { return cmp.Compare(a.start.At, b.start.At) })
	latest := time.Duration(-1)
	for _, f := range sorted {
		if f.done == nil {
			if x.firstUndone < 0 {
				x.firstUndone = f.start.At
			}
		} else {
			latest = max(latest, f.done.At)
		}
		x.starts = append(x.starts, f.start.At)
		x.latestDone = append(x.latestDone, latest)
	}
	return x
}

// undoneBefore reports whether a round that never ended started before t.
func (x flightIndex) undoneBefore(t time.Duration) bool {
	return x.firstUndone >= 0 && x.firstUndone < t
}

// lastDoneBefore is the latest end of the rounds started before t (ok false: none ended).
func (x flightIndex) lastDoneBefore(t time.Duration) (time.Duration, bool) {
	n, _ := slices.BinarySearch(x.starts, t) // the rounds starts[:n] started before t
	if n == 0 || x.latestDone[n-1] < 0 {
		return 0, false
	}
	return x.latestDone[n-1], true
}

// NotificationToFetch is P16 (MESH-6's max-wait, SHOULD): after each accepted notification (mesh.accept)
// a fetch that started after it starts within 1 s, or within 1 s of the end of the fetch in flight when
// it arrived. See owedFetches for which notifications are judged.
func NotificationToFetch(in Input) (v Verdict) {
	v = newVerdict(PropP16)
	defer failOnMalformed(&v)
	var vs violations
	rounds := fetchRounds(in.Trace.Records)
	starts := newFirstAfter(rounds)
	for _, o := range owedFetches(in.Trace.Records, rounds) {
		v.Checked++
		a := o.accept
		first := starts.at(a.At)
		if first != nil && first.start.At <= o.bound {
			continue
		}
		what := []any{"no fetch started after it"}
		if first != nil {
			what = []any{"the first fetch after it started at ", first.start, ", ", (first.start.At - a.At).String(), " later"}
		}
		vs.add(cite("notification ", itoa(must(trace.AsMeshAccept, a).Notification), " accepted at ", a, ": ", what,
			"; MESH-6's max-wait owes one by ", trace.FormatElapsed(o.bound)))
	}
	vs.judge(&v, "notification(s) without a fetch within the max-wait")
	return v
}

// FetchCompletes is P17 (MESH-2, MUST): after each accepted notification a fetch that started after it
// completes with 200 within 30 s of P16's start bound, when the site answers (some host ran throughout).
func FetchCompletes(in Input) (v Verdict) {
	v = newVerdict(PropP17)
	defer failOnMalformed(&v)
	var vs violations
	rounds := fetchRounds(in.Trace.Records)
	completions := newFirstAfter(completed(rounds))
	for _, o := range owedFetches(in.Trace.Records, rounds) {
		if o.deadline == 0 {
			continue
		}
		v.Checked++
		if done := completions.at(o.accept.At); done == nil || done.done.At > o.deadline {
			vs.add(cite("notification ", itoa(must(trace.AsMeshAccept, o.accept).Notification), " accepted at ", o.accept,
				": no fetch that started after it completed with 200 by ", trace.FormatElapsed(o.deadline),
				" although the site had a running host throughout (MESH-2)"))
		}
	}
	vs.judge(&v, "notification(s) without a completed fetch within 30 s")
	return v
}

func fetchRounds(recs []trace.Record) []*fetchRound {
	var out []*fetchRound
	byID := map[int]*fetchRound{}
	for i := range recs {
		r := &recs[i]
		switch r.Kind {
		case trace.KindMeshFetch:
			f := &fetchRound{start: r}
			byID[must(trace.AsMeshFetch, r).Fetch] = f
			out = append(out, f)
		case trace.KindMeshFetchDone:
			if f := byID[must(trace.AsMeshFetchDone, r).Fetch]; f != nil && f.done == nil {
				f.done = r
			}
		}
	}
	return out
}

// firstAfter finds, among rounds in trace order, the first whose start is at or after a moment, in
// O(log n): the running maximum of the starts reaches t first at that round.
type firstAfter struct {
	rounds  []*fetchRound
	highest []time.Duration // highest[i]: the latest start among rounds[:i+1]
}

func newFirstAfter(rounds []*fetchRound) firstAfter {
	x := firstAfter{rounds: rounds, highest: make([]time.Duration, len(rounds))}
	for i, f := range rounds {
		x.highest[i] = f.start.At
		if i > 0 {
			x.highest[i] = max(x.highest[i], x.highest[i-1])
		}
	}
	return x
}

// at is the first round, in trace order, that started at or after t (nil: none).
func (x firstAfter) at(t time.Duration) *fetchRound {
	if i, _ := slices.BinarySearch(x.highest, t); i < len(x.rounds) {
		return x.rounds[i]
	}
	return nil
}

// completed are the rounds that completed with 200, in trace order.
func completed(rounds []*fetchRound) []*fetchRound {
	var out []*fetchRound
	for _, f := range rounds {
		if f.done != nil && must(trace.AsMeshFetchDone, f.done).Status == 200 {
			out = append(out, f)
		}
	}
	return out
}

// faultTimes are the moments faults fired, ascending.
func faultTimes(recs []trace.Record) []time.Duration {
	var out []time.Duration
	for i := range recs {
		if recs[i].Kind == trace.KindFaultFire {
			out = append(out, recs[i].At)
		}
	}
	slices.Sort(out)
	return out
}

// nearFault reports whether a fault (faults ascending) fired within faultMargin of t.
func nearFault(faults []time.Duration, t time.Duration) bool {
	i, _ := slices.BinarySearch(faults, t-faultMargin)
	return i < len(faults) && faults[i] <= t+faultMargin
}

func traceEnd(recs []trace.Record) time.Duration {
	if len(recs) == 0 {
		return 0
	}
	return recs[len(recs)-1].At
}

// hostSpans are the intervals in which at least one instance's host ran and took requests
// (host.start to host.stop, instance.drain or instance.delete: a draining instance's host runs on
// but the router no longer sends it a fetch), by start (ascending), each with the latest end among the intervals started so
// far (an interval still open at the end of the trace ends never).
type hostSpans struct{ from, latestEnd []time.Duration }

func runningHosts(recs []trace.Record) hostSpans {
	var from, to []time.Duration
	up := map[string]bool{}
	n := 0
	for i := range recs {
		r := &recs[i]
		switch r.Kind {
		case trace.KindHostStart:
			if !up[r.Party] {
				up[r.Party] = true
				if n++; n == 1 {
					from = append(from, r.At)
				}
			}
		case trace.KindHostStop, trace.KindInstanceDelete, trace.KindInstanceDrain:
			if up[r.Party] {
				delete(up, r.Party)
				if n--; n == 0 {
					to = append(to, r.At)
				}
			}
		}
	}
	type interval struct{ from, to time.Duration }
	ivs := make([]interval, len(from))
	for i, f := range from {
		ivs[i] = interval{f, 1 << 62}
		if i < len(to) {
			ivs[i].to = to[i]
		}
	}
	slices.SortStableFunc(ivs, func(a, b interval) int { return cmp.Compare(a.from, b.from) })
	hs := hostSpans{from: make([]time.Duration, len(ivs)), latestEnd: make([]time.Duration, len(ivs))}
	for i, iv := range ivs {
		hs.from[i], hs.latestEnd[i] = iv.from, iv.to
		if i > 0 {
			hs.latestEnd[i] = max(iv.to, hs.latestEnd[i-1])
		}
	}
	return hs
}

// throughout reports whether some host ran during all of [from, to]: some interval that started by
// from lasts to to exactly when the latest end among those intervals does.
func (hs hostSpans) throughout(from, to time.Duration) bool {
	n, found := slices.BinarySearch(hs.from, from)
	for found && n < len(hs.from) && hs.from[n] == from {
		n++ // the intervals hs.from[:n] started at or before from
	}
	return n > 0 && hs.latestEnd[n-1] >= to
}
