package check

import "github.com/syncsim/syncsim/trace"

// siteState is the platform-side state of a site as a trace tells it, record by record.
type siteState struct {
	expected, blob, store string
	// expectedCanon and storeCanon are the canonical hashes (trace/canonical) of the expected payload and
	// of the store's, when the trace carries them ("" otherwise).
	expectedCanon, storeCanon string
	expectedRev, storeRev     int
	// accepted is the newest accepted notification; covered the newest one a fetch completed or the
	// mesh abandoned. Notifications in (covered, accepted] are still under way.
	accepted, covered int

	lastContent, lastBlob, lastStore, lastAccept, lastAbandon *trace.Record
}

// apply folds one record in and reports whether the state it tracks changed.
func (s *siteState) apply(r *trace.Record) bool {
	switch r.Kind {
	case trace.KindContentChange:
		c := must(trace.AsContentChange, r)
		s.expected, s.expectedCanon, s.expectedRev, s.lastContent = c.ExpectedHash, c.ExpectedCanonical, c.Revision, r
	case trace.KindBlobWrite:
		s.blob, s.lastBlob = must(trace.AsBlobWrite, r).Value, r
	case trace.KindStoreWrite:
		w := must(trace.AsStoreWrite, r)
		s.store, s.storeCanon, s.storeRev, s.lastStore = w.Hash, w.Canonical, w.Revision, r
		if w.Cover != nil { // a fetch's write delivers the notifications it covers
			s.covered = max(s.covered, *w.Cover)
		}
	case trace.KindStoreSnapshot:
		// What the store's Get returned overrides what a write reported (a lost update shows here).
		sn := must(trace.AsStoreSnapshot, r)
		s.store, s.storeCanon, s.storeRev, s.lastStore = sn.Hash, sn.Canonical, sn.Revision, r
	case trace.KindMeshAccept:
		s.accepted, s.lastAccept = max(s.accepted, must(trace.AsMeshAccept, r).Notification), r
	case trace.KindMeshAbandon:
		s.covered, s.lastAbandon = max(s.covered, must(trace.AsMeshAbandon, r).Cover), r
	default:
		return false
	}
	return true
}

// storeMatches reports whether the store holds the expected payload: semantically (equal canonical
// hashes) when the trace carries canonical hashes for both, else byte for byte (equal PAY-3 hashes).
func (s *siteState) storeMatches() bool {
	if s.storeCanon != "" && s.expectedCanon != "" {
		return s.storeCanon == s.expectedCanon
	}
	return s.store == s.expected
}

// textOnly reports whether the store holds the expected payload semantically but in other text.
func (s *siteState) textOnly() bool { return s.storeMatches() && s.store != s.expected }

// underway reports whether an accepted notification has been neither completed nor abandoned.
func (s *siteState) underway() bool { return s.accepted > s.covered }

// context lists the records that explain the state, for evidence.
func (s *siteState) context() []Evidence {
	var out []Evidence
	add := func(what string, r *trace.Record, detail ...any) {
		if r != nil {
			out = append(out, cite(what, ": ", r, " ", detail))
		}
	}
	add("expected payload", s.lastContent, "revision ", trace.F("expected_revision", s.expectedRev), " hash ", hashValue("expected", s.expected))
	add("hash blob", s.lastBlob, "value ", hashValue("blob", s.blob))
	add("store", s.lastStore, "revision ", trace.F("store_revision", s.storeRev), " hash ", hashValue("store", s.store))
	if s.lastStore == nil {
		out = append(out, Note("store: never written"))
	}
	add("last accepted notification", s.lastAccept, "notification ", trace.F("notification", s.accepted))
	if s.lastAbandon != nil {
		add("last abandoned fetch", s.lastAbandon, "covering notifications up to ", trace.F("cover", s.covered),
			" (", trace.F("reason", must(trace.AsMeshAbandon, s.lastAbandon).Reason), ")")
	}
	return out
}
