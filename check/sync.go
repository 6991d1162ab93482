package check

import (
	"regexp"
	"strings"

	"github.com/syncsim/syncsim/trace"
)

// NoRedundantPublish is P5: a background sync whose hash equals the blob, or whose read of the hash
// blob failed, publishes nothing (SYNC-5: equal hash or read error, stop with success). A background
// span's hash "equals the blob" when its sync.hashread found last == current; a span without a
// hashread is judged on the hash blob's value when it entered (the last blob.write before its
// sync.enter). Decided here: the hashread, the host's own comparison, wins over the blob's value at
// entry, since another instance may write the blob in between. Whether the read failed is judged on
// the trace's own records, never on the host's log or belief (failedHashReads).
func NoRedundantPublish(in Input) (v Verdict) {
	v = newVerdict(PropP5)
	defer failOnMalformed(&v)
	var vs violations
	failed := failedHashReads(in.Trace.Records)
	for _, s := range collectSpans(in.Trace.Records) {
		if !s.background() {
			continue
		}
		why, judged := failed[partyKey{s.party, s.id}], true
		if why != nil {
			why = []any{"its hash read failed: ", why}
		} else {
			why, judged = hashEqualsBlob(s)
		}
		if !judged {
			continue
		}
		v.Checked++
		if len(s.publishes) > 0 {
			vs.add(cite(s.name(), " published at ", s.publishes[0], " although ", why))
		}
	}
	vs.judge(&v, "background span(s) published although the hash blob held their hash or could not be read")
	return v
}

// hashRead is one Exists or Download of the hash blob (BLOB-1, BLOB-2) sent during a background
// span's exclusive part.
type hashRead struct {
	span, op string
	req      *trace.Record
	done     bool // the instance got its answer, or its timeout, already
}

// failedHashReads finds the background spans whose SYNC-5 read of the hash blob failed, keyed by
// party and span, with the evidence's parts. A read is the instance's blob.request for the hash blob
// (op exists or download) while a background span of it is between sync.enter and sync.end; its
// outcome is what reached the instance first: storage's answer (the net.send of the blob.response,
// whose status is the blob op's result) when the instance's net.deliver of it comes first, or the
// instance's blob.timeout (no answer in time). Failed is any status outside 2xx, except an Exists'
// 404, which means the blob is missing (changed, not an error). A trace without network records (a
// live run) judges no read.
func failedHashReads(recs []trace.Record) map[partyKey][]any {
	open := map[string]string{}           // party -> the background span in its exclusive part
	reads := map[partyKey]*hashRead{}     // party, request id -> the read
	answers := map[uint64]*trace.Record{} // msg -> storage's blob.response
	out := map[partyKey][]any{}
	for i := range recs {
		r := &recs[i]
		switch r.Kind {
		case trace.KindSyncEnter:
			if e := must(trace.AsSyncEnter, r); e.Background {
				open[r.Party] = itoa(e.Span)
			}
		case trace.KindSyncEnd:
			if sp, ok := open[r.Party]; ok && sp == itoa(must(trace.AsSyncEnd, r).Span) {
				delete(open, r.Party)
			}
		case trace.KindInstanceDelete:
			delete(open, r.Party)
		case trace.KindNetSend:
			send := must(trace.AsNetSend, r)
			switch send.Kind {
			case trace.MsgBlobRequest:
				if sp, ok := open[r.Party]; ok && isHashBlob(send.Blob) {
					if op := send.Op; op == "exists" || op == "download" {
						reads[partyKey{r.Party, itoa(send.ID)}] = &hashRead{span: sp, op: op, req: r}
					}
				}
			case trace.MsgBlobResponse:
				if r.Party == trace.PartyStorage {
					answers[send.Msg] = r
				}
			}
		case trace.KindNetDeliver:
			d := must(trace.AsNetDelivery, r)
			if d.Kind != trace.MsgBlobResponse {
				continue
			}
			a := answers[d.Msg]
			if a == nil {
				continue
			}
			answer := must(trace.AsNetSend, a)
			rd := reads[partyKey{r.Party, itoa(answer.ID)}]
			if rd == nil || rd.done {
				continue
			}
			rd.done = true
			if st := orZero(answer.Status); (st < 200 || st > 299) && !(rd.op == "exists" && st == 404) {
				out[partyKey{r.Party, rd.span}] = []any{"storage answered its ", rd.op, " of the hash blob (", rd.req,
					") with ", trace.F("status", st), " (", a, ")"}
			}
		case trace.KindBlobTimeout:
			rd := reads[partyKey{r.Party, itoa(must(trace.AsBlobTimeout, r).ID)}]
			if rd == nil || rd.done {
				continue
			}
			rd.done = true
			out[partyKey{r.Party, rd.span}] = []any{"its ", rd.op, " of the hash blob (", rd.req, ") got no answer in time (", r, ")"}
		}
	}
	return out
}

// partyKey names a span or a request of one party (an instance's span id, its request id).
type partyKey struct{ party, id string }

// isHashBlob reports whether a blob is BLOB-1's hash blob, synctriggers/{hostId}/last.
func isHashBlob(name string) bool {
	return strings.HasPrefix(name, "synctriggers/") && strings.HasSuffix(name, "/last")
}

// hashEqualsBlob reports whether a span's payload hash equalled the hash blob, and why (evidence parts).
func hashEqualsBlob(s *span) ([]any, bool) {
	if h := s.hashread; h != nil {
		read := must(trace.AsSyncHashRead, h)
		return []any{"its hash read ", h, " found the blob equal (", hashValue("current", read.Current), ")"},
			read.Last != "" && read.Last == read.Current
	}
	if s.enter == nil || s.blobAtEnter == "" {
		return nil, false
	}
	return []any{"the hash blob held its hash ", hashValue("blob", s.blobAtEnter), " when it entered at ", s.enter},
		s.blobAtEnter == must(trace.AsSyncEnter, s.enter).Hash
}

// NoEmptyBackgroundPublish is P10 (SYNC-4): no sync.publish with background=true and triggers=0.
func NoEmptyBackgroundPublish(in Input) (v Verdict) {
	v = newVerdict(PropP10)
	defer failOnMalformed(&v)
	var vs violations
	for i := range in.Trace.Records {
		r := &in.Trace.Records[i]
		if r.Kind != trace.KindSyncPublish {
			continue
		}
		p := must(trace.AsSyncPublish, r)
		if !p.Background {
			continue
		}
		v.Checked++
		if p.Triggers == 0 {
			vs.add(cite("background span ", itoa(p.Span), " published an empty trigger set at ", r,
				" (target ", p.Target, ")"))
		}
	}
	vs.judge(&v, "empty background publish(es)")
	return v
}

// The SYNC-7 and SYNC-1 failure texts a span may end with.
var (
	failureTexts = map[string]bool{
		"Invalid environment for SyncTriggers operation.": true,
		"Failed to notify triggers changed.":              true,
		"SyncTriggers operation failed.":                  true,
	}
	statusFailure = regexp.MustCompile(`^SyncTriggers call failed \(StatusCode=[A-Za-z0-9]+\)\.$`)
)

func isFailureText(s string) bool { return failureTexts[s] || statusFailure.MatchString(s) }

// failed reports whether an http.result is a failure (MSG-1, MSG-2: anything but 2xx; 0 is no answer).
func failed(r *trace.Record) bool { n := must(trace.AsHTTPResult, r).Status; return n < 200 || n > 299 }
