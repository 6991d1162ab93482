package check

import "github.com/syncsim/syncsim/internal/trace"

// siteState is the platform-side state of a site as a trace tells it, record by record.
type siteState struct {
	expected, blob, store string
	// expectedCanon and storeCanon are the canonical hashes (canonical.go) of the expected payload and
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
		s.expected, s.expectedCanon, s.expectedRev, s.lastContent = r.Get("expected_hash"), r.Get("expected_canonical"), r.Int("revision"), r
	case trace.KindBlobWrite:
		s.blob, s.lastBlob = r.Get("value"), r
	case trace.KindStoreWrite:
		s.store, s.storeCanon, s.storeRev, s.lastStore = r.Get("hash"), r.Get("canonical"), r.Int("revision"), r
		if r.Has("cover") {
			s.covered = max(s.covered, r.Int("cover"))
		}
	case trace.KindStoreSnapshot:
		// What the store's Get returned overrides what a write reported (a lost update shows here).
		s.store, s.storeCanon, s.storeRev, s.lastStore = r.Get("hash"), r.Get("canonical"), r.Int("revision"), r
	case trace.KindMeshAccept:
		s.accepted, s.lastAccept = max(s.accepted, r.Int("notification")), r
	case trace.KindMeshAbandon:
		s.covered, s.lastAbandon = max(s.covered, r.Int("cover")), r
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
			" (", trace.Field{Key: "reason", Value: s.lastAbandon.Get("reason")}, ")")
	}
	return out
}
