package check

import (
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/syncsim/syncsim/trace"
)

// P6, P16 and P17 answer their per-notification questions (the fetches of a burst, the fetch in
// flight, the first fetch after, a fault nearby, a host running throughout) by binary search instead
// of a scan per notification. On random traces, in time order and shuffled, they give the verdicts
// the scans gave: the reference implementations below are the scans.
func TestMeshLatencyCheckersMatchTheirScans(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for n := 0; n < 300; n++ {
		recs := randomMeshTrace(rng, 10+rng.IntN(120), n%2 == 1)
		if n%3 == 2 {
			rng.Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
		}
		for i := range recs {
			recs[i].Seq = i + 1
		}
		in := Input{Trace: &trace.Trace{Records: recs}, Complete: true}
		for _, c := range []struct {
			got, want func(Input) Verdict
		}{{BoundedFetches, refBoundedFetches}, {NotificationToFetch, refNotificationToFetch}, {FetchCompletes, refFetchCompletes}} {
			got, want := c.got(in), c.want(in)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("trace %d: %s\n got %+v\nwant %+v", n, got.ID, got, want)
			}
		}
	}
}

// randomMeshTrace is a trace of notifications, fetch rounds (some never ending, some failing),
// faults and hosts starting and stopping, at random moments (bursty: half of them close together),
// in time order.
func randomMeshTrace(rng *rand.Rand, n int, bursty bool) []trace.Record {
	var recs []trace.Record
	at := time.Duration(0)
	fetches, notes := 0, 0
	var open []int
	rec := func(party string, kind trace.Kind, fields ...trace.Field) {
		recs = append(recs, complete(trace.Record{At: at, Party: party, Kind: kind, Fields: fields}))
	}
	for range n {
		step := 3000
		if bursty && rng.IntN(2) == 0 {
			step = 200
		}
		at += time.Duration(rng.IntN(step)) * time.Millisecond
		switch k := rng.IntN(20); {
		case k < 6:
			notes++
			rec(trace.PartyMesh, trace.KindMeshAccept, trace.F("notification", notes))
		case k < 11:
			fetches++
			open = append(open, fetches)
			rec(trace.PartyMesh, trace.KindMeshFetch, trace.F("fetch", strconv.Itoa(fetches)), trace.F("attempt", 1+rng.IntN(2)))
		case k < 15 && len(open) > 0:
			i := rng.IntN(len(open))
			status := []int{200, 200, 503}[rng.IntN(3)]
			rec(trace.PartyMesh, trace.KindMeshFetchDone, trace.F("fetch", strconv.Itoa(open[i])), trace.F("status", status))
			open = append(open[:i], open[i+1:]...)
		case k == 15:
			rec(trace.PartyWorld, trace.KindFaultFire, trace.F("fault", "fetch-status"))
		case k < 18:
			rec("instance/i"+strconv.Itoa(rng.IntN(3)), trace.KindHostStart)
		default:
			rec("instance/i"+strconv.Itoa(rng.IntN(3)), []trace.Kind{trace.KindHostStop, trace.KindInstanceDelete}[rng.IntN(2)])
		}
	}
	return recs
}

// The scans P6, P16 and P17 made before they searched (the reference for the test above).

func refBoundedFetches(in Input) Verdict {
	v := newVerdict(PropP6)
	var vs violations
	accepts, fetches := meshRecords(in.Trace.Records)
	bursts := splitBursts(accepts)
	for i, b := range bursts {
		if len(b) < 2 {
			continue
		}
		v.Checked++
		until := b[len(b)-1].At + fetchGrace
		cut := time.Duration(-1)
		if i+1 < len(bursts) {
			cut = bursts[i+1][0].At
		}
		var in []*trace.Record
		for _, f := range fetches {
			if f.At >= b[0].At && f.At <= until && (cut < 0 || f.At < cut) {
				in = append(in, f)
			}
		}
		if len(in) > 2 {
			vs.add(cite("burst of ", itoa(len(b)), " notifications ", b[0], " .. ", b[len(b)-1],
				" led to ", trace.F("fetches", len(in)), " fetches; the third: ", happensAt(in[2])))
		}
	}
	vs.judge(&v, "burst(s) with more than 2 fetches")
	return v
}

func refOwedFetches(recs []trace.Record, rounds []*fetchRound) []owedFetch {
	var faultsAt []time.Duration
	for _, r := range recs {
		if r.Kind == trace.KindFaultFire {
			faultsAt = append(faultsAt, r.At)
		}
	}
	nearFault := func(t time.Duration) bool {
		for _, f := range faultsAt {
			if f >= t-faultMargin && f <= t+faultMargin {
				return true
			}
		}
		return false
	}
	var from, to []time.Duration
	up := map[string]bool{}
	n := 0
	for _, r := range recs {
		switch r.Kind {
		case trace.KindHostStart:
			if !up[r.Party] {
				up[r.Party] = true
				if n++; n == 1 {
					from = append(from, r.At)
				}
			}
		case trace.KindHostStop, trace.KindInstanceDelete:
			if up[r.Party] {
				delete(up, r.Party)
				if n--; n == 0 {
					to = append(to, r.At)
				}
			}
		}
	}
	throughout := func(a, b time.Duration) bool {
		for i, f := range from {
			end := time.Duration(1 << 62)
			if i < len(to) {
				end = to[i]
			}
			if f <= a && end >= b {
				return true
			}
		}
		return false
	}
	end, bound0 := traceEnd(recs), startBound(recs)
	var out []owedFetch
	for i := range recs {
		a := &recs[i]
		if a.Kind != trace.KindMeshAccept || nearFault(a.At) {
			continue
		}
		bound := a.At + bound0
		for _, f := range rounds {
			if f.start.At < a.At && (f.done == nil || f.done.At >= a.At) {
				if f.done == nil {
					bound = end + 1
				} else {
					bound = max(bound, f.done.At+bound0)
				}
			}
		}
		if bound > end {
			continue
		}
		o := owedFetch{accept: a, bound: bound}
		if d := bound + fetchCompleteBound; d <= end && throughout(a.At, d) {
			o.deadline = d
		}
		out = append(out, o)
	}
	return out
}

func refNotificationToFetch(in Input) Verdict {
	v := newVerdict(PropP16)
	var vs violations
	rounds := fetchRounds(in.Trace.Records)
	for _, o := range refOwedFetches(in.Trace.Records, rounds) {
		v.Checked++
		a := o.accept
		var first *fetchRound
		for _, f := range rounds {
			if f.start.At >= a.At {
				first = f
				break
			}
		}
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

func refFetchCompletes(in Input) Verdict {
	v := newVerdict(PropP17)
	var vs violations
	rounds := fetchRounds(in.Trace.Records)
	for _, o := range refOwedFetches(in.Trace.Records, rounds) {
		if o.deadline == 0 {
			continue
		}
		v.Checked++
		var done *fetchRound
		for _, f := range rounds {
			if f.start.At >= o.accept.At && f.done != nil && f.done.Int("status") == 200 {
				done = f
				break
			}
		}
		if done == nil || done.done.At > o.deadline {
			vs.add(cite("notification ", o.accept.Get("notification"), " accepted at ", o.accept,
				": no fetch that started after it completed with 200 by ", trace.FormatElapsed(o.deadline),
				" although the site had a running host throughout (MESH-2)"))
		}
	}
	vs.judge(&v, "notification(s) without a completed fetch within 30 s")
	return v
}
