package check

import (
	"strings"

	"github.com/syncsim/syncsim/trace"
)

// span is one sync span of one instance (sync.call to sync.end), as the trace tells it.
type span struct {
	party, id             string
	call, enter, hashread *trace.Record
	end                   *trace.Record // nil when the instance was deleted first or the run ended
	publishes, results    []*trace.Record
	blobAtEnter           string // the hash blob's value when the span entered (last blob.write)
	warned                bool   // the instance logged a SYNC-7/SYNC-1 failure text at Warning or Error during the span
	deleted               bool
}

func (s *span) background() bool {
	switch {
	case s.enter != nil:
		return must(trace.AsSyncEnter, s.enter).Background
	case s.call != nil:
		return must(trace.AsSyncCall, s.call).Background
	case s.end != nil:
		return must(trace.AsSyncEnd, s.end).Background
	}
	return false
}

func (s *span) name() string { return s.party + " span " + s.id }

// spanIndex folds a trace into spans. An http.result names no span: it answers the oldest publish of
// its instance to the same target that has no answer yet (within a span, publishes are sequential).
type spanIndex struct {
	all     []*span
	byKey   map[string]*span
	open    map[string][]*span // by party: spans called and not yet ended
	pending map[string][]pendingPublish
	blob    string
}

type pendingPublish struct {
	s *span
	i int
}

func collectSpans(recs []trace.Record) []*span {
	x := spanIndex{byKey: map[string]*span{}, open: map[string][]*span{}, pending: map[string][]pendingPublish{}}
	for i := range recs {
		x.apply(&recs[i])
	}
	return x.all
}

func (x *spanIndex) apply(r *trace.Record) {
	switch r.Kind {
	case trace.KindSyncCall:
		x.get(r, must(trace.AsSyncCall, r).Span).call = r
	case trace.KindSyncEnter:
		s := x.get(r, must(trace.AsSyncEnter, r).Span)
		s.enter, s.blobAtEnter = r, x.blob
	case trace.KindSyncHashRead:
		x.get(r, must(trace.AsSyncHashRead, r).Span).hashread = r
	case trace.KindSyncPublish:
		s := x.get(r, must(trace.AsSyncPublish, r).Span)
		s.publishes, s.results = append(s.publishes, r), append(s.results, nil)
		x.pending[r.Party] = append(x.pending[r.Party], pendingPublish{s, len(s.publishes) - 1})
	case trace.KindHTTPResult:
		x.answer(r)
	case trace.KindSyncEnd:
		s := x.get(r, must(trace.AsSyncEnd, r).Span)
		s.end = r
		x.close(s)
	case trace.KindLog:
		x.log(r)
	case trace.KindInstanceDelete:
		for _, s := range x.open[r.Party] {
			s.deleted = true
		}
		delete(x.open, r.Party)
	case trace.KindBlobWrite:
		x.blob = must(trace.AsBlobWrite, r).Value
	}
}

// get is the span of r's party numbered id, new when the trace has not named it yet.
func (x *spanIndex) get(r *trace.Record, id int) *span {
	key := r.Party + "\x00" + itoa(id)
	if s, ok := x.byKey[key]; ok {
		return s
	}
	s := &span{party: r.Party, id: itoa(id)}
	x.byKey[key] = s
	x.all = append(x.all, s)
	x.open[r.Party] = append(x.open[r.Party], s)
	return s
}

func (x *spanIndex) close(s *span) {
	open := x.open[s.party]
	for i, o := range open {
		if o == s {
			x.open[s.party] = append(open[:i:i], open[i+1:]...)
			return
		}
	}
}

// answer links an http.result to its publish: by the span it names, else (older traces) to the
// oldest unanswered publish to the same target on that instance.
func (x *spanIndex) answer(r *trace.Record) {
	res := must(trace.AsHTTPResult, r)
	pend := x.pending[r.Party]
	for i, p := range pend {
		if must(trace.AsSyncPublish, p.s.publishes[p.i]).Target == res.Target && (res.Span == nil || itoa(*res.Span) == p.s.id) {
			p.s.results[p.i] = r
			x.pending[r.Party] = append(pend[:i:i], pend[i+1:]...)
			return
		}
	}
}

// log marks the instance's open spans as surfaced by a line that says a sync failed: a Warning or
// Error whose message is a SYNC-7 or SYNC-1 failure text (PROTOCOL.md section 6). Another Warning
// (the oversize fallback's, a hash read error) says nothing of the span's failure.
func (x *spanIndex) log(r *trace.Record) {
	l := must(trace.AsLog, r)
	switch strings.ToLower(l.Level) {
	case "warning", "warn", "error", "critical":
		if !isFailureText(l.Text) {
			return
		}
		for _, s := range x.open[r.Party] {
			s.warned = true
		}
	}
}
