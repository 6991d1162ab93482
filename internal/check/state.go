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
	case "content.change":
		s.expected, s.expectedCanon, s.expectedRev, s.lastContent = r.Get("expected_hash"), r.Get("expected_canonical"), r.Int("revision"), r
	case "blob.write":
		s.blob, s.lastBlob = r.Get("value"), r
	case "store.write":
		s.store, s.storeCanon, s.storeRev, s.lastStore = r.Get("hash"), r.Get("canonical"), r.Int("revision"), r
		if r.Has("cover") {
			s.covered = max(s.covered, r.Int("cover"))
		}
	case "store.snapshot":
		// What the store's Get returned overrides what a write reported (a lost update shows here).
		s.store, s.storeCanon, s.storeRev, s.lastStore = r.Get("hash"), r.Get("canonical"), r.Int("revision"), r
	case "mesh.accept":
		s.accepted, s.lastAccept = max(s.accepted, r.Int("notification")), r
	case "mesh.abandon":
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
func (s *siteState) context() []string {
	var out []string
	add := func(what string, r *trace.Record, detail string) {
		if r != nil {
			out = append(out, what+": "+ref(*r)+" "+detail)
		}
	}
	add("expected payload", s.lastContent, "revision "+itoa(s.expectedRev)+" hash "+short(s.expected))
	add("hash blob", s.lastBlob, "value "+short(s.blob))
	add("store", s.lastStore, "revision "+itoa(s.storeRev)+" hash "+short(s.store))
	if s.lastStore == nil {
		out = append(out, "store: never written")
	}
	add("last accepted notification", s.lastAccept, "notification "+itoa(s.accepted))
	if s.lastAbandon != nil {
		add("last abandoned fetch", s.lastAbandon, "covering notifications up to "+itoa(s.covered)+" ("+s.lastAbandon.Get("reason")+")")
	}
	return out
}
