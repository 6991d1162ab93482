package check

import (
	"cmp"
	"slices"
	"time"

	"github.com/syncsim/syncsim/trace"
)

// burstSpan is how close to a burst's first notification the others must be (MESH-6: "within 1 s").
const burstSpan = time.Second

// fetchGrace is how long after a burst's last notification a new fetch round still counts for it: the
// reference mesh fetches at the latest 1 s after the first pending notification, and one more second
// allows for a fetch started by that last notification (MESH-5).
const fetchGrace = 2 * time.Second

// BoundedFetches is P6 (MESH-6): a burst of notifications within 1 s leads to at most 2 platform
// fetches. A burst is a maximal run of mesh.accept records each within 1 s of the run's first. Its
// fetches are the mesh.fetch records with attempt=1 (new rounds; retries are MESH-4's business) from
// the burst's first accept to 2 s after its last one, cut at the next burst's first accept so that no
// fetch counts for two bursts. Only bursts of 2 or more notifications are judged.
func BoundedFetches(in Input) (v Verdict) {
	v = newVerdict(PropP6)
	defer failOnMalformed(&v)
	var vs violations
	accepts, fetches := meshRecords(in.Trace.Records)
	bursts := splitBursts(accepts)
	sorted := slices.IsSortedFunc(fetches, func(a, b *trace.Record) int { return cmp.Compare(a.At, b.At) })
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
		in := fetchesIn(fetches, sorted, b[0].At, until, cut)
		if len(in) > 2 {
			vs.add(cite("burst of ", itoa(len(b)), " notifications ", b[0], " .. ", b[len(b)-1],
				" led to ", trace.F("fetches", len(in)), " fetches; the third: ", happensAt(in[2])))
		}
	}
	vs.judge(&v, "burst(s) with more than 2 fetches")
	return v
}

func meshRecords(recs []trace.Record) (accepts, fetches []*trace.Record) {
	for i := range recs {
		r := &recs[i]
		switch {
		case r.Kind == trace.KindMeshAccept:
			accepts = append(accepts, r)
		case r.Kind == trace.KindMeshFetch && must(trace.AsMeshFetch, r).Attempt == 1:
			fetches = append(fetches, r)
		}
	}
	return accepts, fetches
}

func splitBursts(accepts []*trace.Record) [][]*trace.Record {
	var out [][]*trace.Record
	for _, a := range accepts {
		if n := len(out); n > 0 && a.At-out[n-1][0].At <= burstSpan {
			out[n-1] = append(out[n-1], a)
			continue
		}
		out = append(out, []*trace.Record{a})
	}
	return out
}

// fetchesIn selects the fetches in [from, until], and before cut when cut >= 0, in trace order. When
// the fetches are in time order (sorted), it reads only those from the first at or after from.
func fetchesIn(fetches []*trace.Record, sorted bool, from, until, cut time.Duration) []*trace.Record {
	var out []*trace.Record
	i := 0
	if sorted {
		i, _ = slices.BinarySearchFunc(fetches, from, func(f *trace.Record, t time.Duration) int { return cmp.Compare(f.At, t) })
	}
	for _, f := range fetches[i:] {
		if sorted && (f.At > until || (cut >= 0 && f.At >= cut)) {
			break
		}
		if f.At >= from && f.At <= until && (cut < 0 || f.At < cut) {
			out = append(out, f)
		}
	}
	return out
}
