package check

import (
	"time"

	"github.com/syncsim/syncsim/trace"
)

// retryGapFloor is MESH-4's least wait between a failed fetch and its retry.
const retryGapFloor = 100 * time.Millisecond

// TimingUnderRetries is P22 (MESH-4, MESH-6, SHOULD): the mesh's timing bounds hold under a steady
// stream of notifications and retries, where P16 does not look (it leaves out every notification
// within 32 s of an injected fault, so a run whose fetches keep failing is not judged there):
//   - a notification accepted while no fetch is in flight (the mesh idle, or waiting to retry a
//     failed one) gets a fetch that starts after it within MESH-6's 1 s max-wait, whatever faults
//     fired nearby: starting a fetch is the mesh's own timer, which no fault of the site, the network
//     or storage delays, and a retry's backoff is no reason to hold a new notification back;
//   - a retry (an attempt after a failed one that covers no notification the failed one did not)
//     starts at least 100 ms after that failure, however many retries came before (MESH-4).
//
// A notification that arrives while a fetch is in flight is owed a fetch that starts after it
// (MESH-5), with no bound when that fetch fails: the retry that covers it comes after the backoff.
func TimingUnderRetries(in Input) (v Verdict) {
	v = newVerdict(PropP22)
	defer failOnMalformed(&v)
	var vs violations
	recs := in.Trace.Records
	rounds := fetchRounds(recs)
	starts := newFirstAfter(rounds)
	inFlight := newFlightIndex(rounds)
	end, bound := traceEnd(recs), startBound(recs)
	for i := range recs {
		a := &recs[i]
		if a.Kind != trace.KindMeshAccept || inFlight.undoneBefore(a.At) {
			continue
		}
		if done, ok := inFlight.lastDoneBefore(a.At); ok && done >= a.At {
			continue // a fetch was in flight: MESH-5, no bound when it fails
		}
		by := a.At + bound
		if by > end {
			continue
		}
		v.Checked++
		first := starts.at(a.At)
		if first != nil && first.start.At <= by {
			continue
		}
		what := []any{"no fetch started after it"}
		if first != nil {
			what = []any{"the first fetch after it started at ", first.start, ", ", (first.start.At - a.At).String(), " later"}
		}
		vs.add(cite("notification ", itoa(must(trace.AsMeshAccept, a).Notification), " accepted at ", a, " while no fetch was in flight: ", what,
			"; MESH-6's max-wait owes one by ", trace.FormatElapsed(by)))
	}
	for i, f := range rounds {
		start := must(trace.AsMeshFetch, f.start)
		if i == 0 || start.Attempt < 2 {
			continue
		}
		prev := rounds[i-1]
		if prev.done == nil || must(trace.AsMeshFetchDone, prev.done).Status == 200 || must(trace.AsMeshFetch, prev.start).Cover != start.Cover {
			continue
		}
		v.Checked++
		if gap := f.start.At - prev.done.At; gap < retryGapFloor {
			vs.add(cite("retry ", f.start, " (attempt ", itoa(start.Attempt), ") started ", gap.String(), " after the failure ",
				prev.done, " of the attempt before it; MESH-4 owes at least 100 ms"))
		}
	}
	vs.judge(&v, "timing bound(s) broken under notifications and retries")
	return v
}
