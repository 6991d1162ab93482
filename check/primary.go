package check

import (
	"time"

	"github.com/syncsim/syncsim/trace"
)

// leaseDuration is the primary lease's length (PROTOCOL.md section 1: a 15 s lease, renewed every
// 12 s, as upstream's PrimaryHostCoordinator runs it).
const leaseDuration = 15 * time.Second

// leaseTrack replays the primary lock blob's lease from storage's `lease` records, which the world
// writes from the blob model's own state after every lease operation: who holds it and until when.
// It never reads the hosts' `primary` records, which are only what a host believes.
type leaseTrack struct {
	seen    bool
	holder  string
	expires time.Duration // virtual time the holder's lease ends (exclusive)
	last    *trace.Record // the lease record that set the current state
	// broken marks instances whose lease an injected fault broke and that have not renewed or
	// acquired since: they cannot know yet (they learn it at their next renewal, 12 s at most).
	broken map[string]bool
}

// apply folds one lease record in; it returns false for other records.
func (l *leaseTrack) apply(r *trace.Record) bool {
	if r.Kind != trace.KindLease {
		return false
	}
	l.seen = true
	if l.broken == nil {
		l.broken = map[string]bool{}
	}
	lease := must(trace.AsLease, r)
	prevHolder := l.holder
	l.last = r
	if lease.State == "leased" {
		l.holder, l.expires = lease.Holder, time.Duration(orZero(lease.ExpiresMs))*time.Millisecond
		delete(l.broken, l.holder)
		return true
	}
	if lease.Op == "break-lease" && prevHolder != "" {
		l.broken[prevHolder] = true
	}
	l.holder, l.expires = "", 0
	return true
}

// holds reports whether party holds an unexpired lease at t (expiry is inclusive, as in Azurite).
func (l *leaseTrack) holds(party string, t time.Duration) bool {
	return l.holder != "" && l.holder == party && t < l.expires
}

// validHolder is the instance holding an unexpired lease at t, or "".
func (l *leaseTrack) validHolder(t time.Duration) string {
	if l.holder != "" && t < l.expires {
		return l.holder
	}
	return ""
}

// describe says who holds the lease at t, as evidence parts citing the lease record that says so.
func (l *leaseTrack) describe(t time.Duration) []any {
	if l.last == nil {
		return []any{"no lease was ever granted"}
	}
	if h := l.validHolder(t); h != "" {
		return []any{"the lease is held by ", trace.Field{Key: "holder", Value: h}, " until ", trace.FormatElapsed(l.expires), " (", l.last, ")"}
	}
	if l.holder != "" {
		return []any{"the lease of ", trace.Field{Key: "holder", Value: l.holder}, " expired at ", trace.FormatElapsed(l.expires), " (", l.last, ")"}
	}
	return []any{"the lease is ", trace.F("state", must(trace.AsLease, l.last).State), " (", l.last, ")"}
}

func isBackgroundCall(r *trace.Record) bool {
	return r.Kind == trace.KindSyncCall && must(trace.AsSyncCall, r).Background
}

// BackgroundOnPrimaryOnly is P14 (SYNC-8): every background sync span starts (sync.call with
// background=true) on an instance that holds an unexpired primary lease at that moment, per storage's
// lease records. Decided here: a span on an instance whose lease an injected fault
// (primary-lease-lost) broke, and which has not renewed since, is not judged: the host cannot know
// before its next renewal. A trace without lease records (a live run, or an older trace) judges
// nothing.
func BackgroundOnPrimaryOnly(in Input) (v Verdict) {
	v = newVerdict(PropP14)
	defer failOnMalformed(&v)
	var vs violations
	var l leaseTrack
	for i := range in.Trace.Records {
		r := &in.Trace.Records[i]
		if l.apply(r) || !isBackgroundCall(r) || !l.seen || l.broken[r.Party] {
			continue
		}
		v.Checked++
		if !l.holds(r.Party, r.At) {
			vs.add(cite("background sync span ", itoa(must(trace.AsSyncCall, r).Span), " of ", r.Party, " started at ", r,
				" without the primary lease: ", l.describe(r.At)))
		}
	}
	vs.judge(&v, "background sync span(s) on an instance without the primary lease")
	return v
}

// AtMostOnePrimary is P15 (PROTOCOL.md section 1 "primary", BLOB-3): at no moment do two instances
// hold the primary lease. Judged on storage's lease records and the background syncs:
//   - storage never grants a lease while another instance's lease is unexpired (BLOB-3's 409
//     LeaseAlreadyPresent);
//   - every successful acquire or renew holds the lease for its duration from that moment, so that a
//     primary renewing every 12 s (3 s before its 15 s run out) keeps it while its renewals arrive in
//     time;
//   - an instance acts as primary only while no other instance holds the lease: a background sync
//     that starts while another instance holds an unexpired lease is a second primary.
//
// Decided here: an instance that still believes it is primary after its lease expired (it learns so
// at its next renewal) is not a violation until it acts as one, and the only act of a primary is the
// background sync (SYNC-8).
func AtMostOnePrimary(in Input) (v Verdict) {
	v = newVerdict(PropP15)
	defer failOnMalformed(&v)
	var vs violations
	var l leaseTrack
	for i := range in.Trace.Records {
		r := &in.Trace.Records[i]
		switch {
		case r.Kind == trace.KindLease:
			before, prevHolder, prevExpires, prevRec := l.validHolder(r.At), l.holder, l.expires, l.last
			l.apply(r)
			judgeGrant(&v, &vs, r, before, prevHolder, prevExpires, prevRec)
		case isBackgroundCall(r) && l.seen:
			v.Checked++
			if h := l.validHolder(r.At); h != "" && h != r.Party {
				vs.add(cite("background sync span ", itoa(must(trace.AsSyncCall, r).Span), " of ", r.Party, " started at ", r,
					" acting as primary while ", l.describe(r.At)))
			}
		}
	}
	vs.judge(&v, "moment(s) with two primaries")
	return v
}

// judgeGrant checks a lease record after a successful acquire or renew.
func judgeGrant(v *Verdict, vs *violations, r *trace.Record, before, prevHolder string, prevExpires time.Duration, prevRec *trace.Record) {
	lease := must(trace.AsLease, r)
	op, status := lease.Op, lease.Status
	if (op != "acquire-lease" && op != "renew-lease") || status < 200 || status > 299 {
		return
	}
	v.Checked++
	holder := lease.Holder
	if lease.State != "leased" {
		vs.add(cite(op, " at ", r, " succeeded but left the lease ", trace.F("state", lease.State)))
		return
	}
	if before != "" && before != holder {
		vs.add(cite("storage granted the lease to ", trace.Field{Key: "holder", Value: holder}, " at ", r, " while ",
			trace.Field{Key: "previous_holder", Value: prevHolder}, " held it until ", trace.FormatElapsed(prevExpires), " (", prevRec, ")"))
	}
	d := leaseDuration
	if lease.Duration > 0 {
		d = lease.Duration
	}
	if until := time.Duration(orZero(lease.ExpiresMs)) * time.Millisecond; until < r.At+d-time.Millisecond {
		vs.add(cite(op, " by ", lease.Instance, " at ", r, " succeeded but the lease ends at ",
			trace.FormatElapsed(until), ", not ", d.String(), " later: the renewal did not extend it"))
	}
}
