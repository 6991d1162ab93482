package check

import "github.com/syncsim/syncsim/trace"

// NoRepublishWithoutChange is P18 (PAY-2, PAY-3; #9255): a store write whose payload is semantically
// equal to what the store already held, with no content change since the store got it, but in other
// text, is a redundant publish. The new PAY-3 hash makes the platform take it for a trigger change
// (on every host start under #9255's nondeterministic serialization, restarting the app's workers each
// time), though nothing changed. The situations examined are the store writes that follow a write of
// the same content revision's payload (no content.change in between); payloads are compared by the
// canonical hashes of the store.write records (trace/canonical), so a trace without them examines
// nothing.
//
// Decided here: a write of the very same bytes (same PAY-3 hash) is not judged. The platform can tell
// it from a change by its hash, and the hash blob design re-sends identical payloads on purpose
// (foreground syncs skip SYNC-5, PROTOCOL.md section 6); P5 judges background spans the blob should
// have stopped. The level is SHOULD, as P5's: the store still ends holding the expected payload (P1
// passes), and the cost is the platform's needless restarts, not a wrong trigger set.
func NoRepublishWithoutChange(in Input) (v Verdict) {
	v = newVerdict(PropP18)
	defer failOnMalformed(&v)
	var vs violations
	var held *trace.Record // the store write whose payload the store holds, since the last content change
	for i := range in.Trace.Records {
		r := &in.Trace.Records[i]
		switch r.Kind {
		case trace.KindContentChange:
			held = nil
		case trace.KindStoreWrite:
			w := must(trace.AsStoreWrite, r)
			canon := w.Canonical
			if held != nil && canon != "" && must(trace.AsStoreWrite, held).Canonical != "" {
				h := must(trace.AsStoreWrite, held)
				v.Checked++
				if canon == h.Canonical && w.Hash != h.Hash {
					vs.add(cite("store write at ", r, " (via ", w.Via, publisher(w), ") replaced hash ",
						hashValue("held", h.Hash), " with ", hashValue("hash", w.Hash),
						", the same payload in other text (canonical ", hashValue("canonical", canon),
						"), with no content change since the store got it at ", held))
				}
			}
			held = r
		}
	}
	vs.judge(&v, "store write(s) republished an unchanged payload under a new hash")
	return v
}

// publisher names who sent a store write's payload, when the record says.
func publisher(w trace.StoreWriteRecord) string {
	if w.From != "" {
		return " from " + w.From
	}
	if w.Cover != nil {
		return ", a fetch covering notifications up to " + itoa(*w.Cover)
	}
	return ""
}
