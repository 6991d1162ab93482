package host

import (
	"math/rand/v2"

	"github.com/syncsim/syncsim/internal/ids"
)

// Seams are the machine's decision points that no rewrite of its inputs or effects (Wrapper) can
// reach: one function per decision, each documented with the rule it implements. A nil field is
// the reference decision, so the zero value is the reference host; NewMachine puts the reference
// functions in place of nil fields, and the machine calls every seam unconditionally. A planted
// defect (package plant) supplies another function for one field; nothing in this package
// knows the defects.
type Seams struct {
	// Exclusive is SYNC-2: whether a mode's syncs take the per-instance lock. Reference: every mode
	// but signal-all.
	Exclusive func(Mode) bool
	// RunsBackground is SYNC-8: whether the background sync runs on an instance that is, or is not,
	// primary. Reference: on the primary only.
	RunsBackground func(primary bool) bool
	// KeyOrder is PAY-1/PAY-2: the rotation of the payload object's keys on a build, drawn, if at
	// all, from the instance's stream. Reference: 0 without a draw (PAY-1's fixed order).
	KeyOrder func(*rand.Rand) int
	// SkipsEmpty is SYNC-4: whether a sync with no triggers stops with success and publishes
	// nothing. Reference: a background sync does.
	SkipsEmpty func(background bool, triggers int) bool
	// ReadsHash is SYNC-5/SYNC-6: whether a sync reads the hash blob before it publishes (and writes
	// it after). Reference: background syncs only.
	ReadsHash func(background bool) bool
	// ReadErrorUnchanged is SYNC-5: whether a failed read of the hash blob counts as unchanged (the
	// sync is skipped). Reference: it does.
	ReadErrorUnchanged func(BlobResult) bool
	// Unchanged is SYNC-5: whether the hash read equals the payload's, so that the sync stops.
	// Reference: byte equality.
	Unchanged func(last, current string) bool
	// HashFirst is SYNC-6: whether the hash blob is written before the publish instead of after its
	// success. Reference: never.
	HashFirst func() bool
	// HashAfterFailure is SYNC-6: whether a failed publish of a sync that read the hash still writes
	// it. Reference: never.
	HashAfterFailure func(HTTPResult) bool
	// FailureSurfaced is SYNC-7: whether a failed publish fails the sync (logged, Success=false).
	// Reference: always; otherwise the sync ends in silent success.
	FailureSurfaced func(HTTPResult) bool
	// AdditiveNotifyFails is PROTOCOL.md section 7 (additive) with SYNC-7: whether a failed
	// best-effort MSG-2 after MSG-1's success fails the sync. Reference: never.
	AdditiveNotifyFails func(HTTPResult) bool
	// AnswersAtPublish is MSG-4: whether a foreground sync's caller is answered when the publish is
	// sent, before its result is known. Reference: never; the caller hears the sync's end.
	AnswersAtPublish func() bool
	// RequestID is MSG-1's X-ARR-LOG-ID. Reference: a UUID from the instance's stream (DESIGN.md
	// principle 3).
	RequestID func(*rand.Rand) string
	// RequestContent is PAY-4: what MSG-1's request log line shows of the payload. Reference:
	// "[redacted]".
	RequestContent func(Keys) string
	// AudienceMatch is TOK-5: whether a token's audience is one of the accepted ones. Reference:
	// equal to one, case-insensitively.
	AudienceMatch func(accepted []string, audience string) bool
	// GrantsPlatform is TOK-4/MSG-3: whether a valid token's claims carry the platform claim.
	// Reference: Legion's issuer only (TokenClaims.Platform).
	GrantsPlatform func(Site, TokenClaims) bool
	// AdminSyncRuns is MSG-4: whether an authorized MSG-4 on a running host runs a sync of its own,
	// given whether the instance is primary and the sync lock is held. Reference: always; otherwise
	// it is answered success at once.
	AdminSyncRuns func(primary, locked bool) bool
}

// withReference fills every nil seam with the reference decision.
func (s Seams) withReference() Seams {
	if s.Exclusive == nil {
		s.Exclusive = Mode.usesLock
	}
	if s.RunsBackground == nil {
		s.RunsBackground = func(primary bool) bool { return primary }
	}
	if s.KeyOrder == nil {
		s.KeyOrder = func(*rand.Rand) int { return 0 }
	}
	if s.SkipsEmpty == nil {
		s.SkipsEmpty = func(background bool, triggers int) bool { return background && triggers == 0 }
	}
	if s.ReadsHash == nil {
		s.ReadsHash = func(background bool) bool { return background }
	}
	if s.ReadErrorUnchanged == nil {
		s.ReadErrorUnchanged = func(BlobResult) bool { return true }
	}
	if s.Unchanged == nil {
		s.Unchanged = func(last, current string) bool { return last == current }
	}
	if s.HashFirst == nil {
		s.HashFirst = func() bool { return false }
	}
	if s.HashAfterFailure == nil {
		s.HashAfterFailure = func(HTTPResult) bool { return false }
	}
	if s.FailureSurfaced == nil {
		s.FailureSurfaced = func(HTTPResult) bool { return true }
	}
	if s.AdditiveNotifyFails == nil {
		s.AdditiveNotifyFails = func(HTTPResult) bool { return false }
	}
	if s.AnswersAtPublish == nil {
		s.AnswersAtPublish = func() bool { return false }
	}
	if s.RequestID == nil {
		s.RequestID = ids.UUID
	}
	if s.RequestContent == nil {
		s.RequestContent = func(Keys) string { return "[redacted]" }
	}
	if s.AudienceMatch == nil {
		s.AudienceMatch = containsFold
	}
	if s.GrantsPlatform == nil {
		s.GrantsPlatform = func(_ Site, c TokenClaims) bool { return c.Platform }
	}
	if s.AdminSyncRuns == nil {
		s.AdminSyncRuns = func(bool, bool) bool { return true }
	}
	return s
}
