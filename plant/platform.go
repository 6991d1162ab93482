package plant

import (
	"strings"
	"time"

	"github.com/syncsim/syncsim/fakes/mesh"
)

// The platform's and the blob model's planted defects, each replacing one decision of mesh.Seams,
// mesh.FrontEndSeams, mesh.StoreSeams or blob.Seams.
var (
	// MeshNoRetry makes the mesh give up after a fetch's first failure: a retry budget of nothing
	// (MESH-4; P1, P4).
	MeshNoRetry Interceptor = func(s *Set) { s.Mesh.RetryBudget = func(time.Duration) time.Duration { return 0 } }
	// ShortRetryBudget makes the mesh give up retrying after 4 minutes instead of its configured
	// budget (MESH-4's 10 minutes; P1 on scenarios/retry-budget.yaml).
	ShortRetryBudget Interceptor = func(s *Set) { s.Mesh.RetryBudget = func(time.Duration) time.Duration { return 4 * time.Minute } }
	// DropMidFetch makes the mesh drop notifications that arrive while a fetch is in flight
	// (MESH-5; P1).
	DropMidFetch Interceptor = func(s *Set) { s.Mesh.DropDuringFetch = func() bool { return true } }
	// FetchPerNotification makes the mesh fetch once per notification, with no coalescing
	// (MESH-6; P6).
	FetchPerNotification Interceptor = func(s *Set) { s.Mesh.FetchAtOnce = func() bool { return true } }
	// NoMaxWait makes the debounce wait for a quiet period only: a steady trickle of notifications
	// postpones the fetch for as long as it lasts (MESH-6's max-wait; P16, P17).
	NoMaxWait Interceptor = func(s *Set) {
		s.Mesh.DebounceWait = func(_, _ time.Time, debounce, _ time.Duration, _ int) time.Duration { return debounce }
	}
	// MaxWaitGrowsPerNotification doubles the max-wait with every notification pending in a round
	// (an "adaptive" debounce): one notification is fetched within 1 s, a steady stream is not
	// (MESH-6).
	MaxWaitGrowsPerNotification Interceptor = func(s *Set) {
		s.Mesh.DebounceWait = func(now, first time.Time, debounce, maxWait time.Duration, pending int) time.Duration {
			return min(debounce, first.Add(maxWait<<min(max(pending-1, 0), 20)).Sub(now))
		}
	}
	// NotificationWaitsForRetry makes a notification that arrives while a failed fetch waits for
	// its retry wait for that retry, however long the backoff has grown, instead of a fetch within
	// the max-wait (MESH-6, MESH-5).
	NotificationWaitsForRetry Interceptor = func(s *Set) { s.Mesh.WaitsForRetry = func() bool { return true } }
	// RetryBackoffShrinks halves the backoff with every retry of a round instead of doubling it,
	// and keeps the 100 ms floor for the first retry only: one retry waits long enough, a stream of
	// them comes ever faster (MESH-4's 100 ms).
	RetryBackoffShrinks Interceptor = func(s *Set) {
		s.Mesh.Backoff = func(jittered, least time.Duration, attempts int) time.Duration {
			if attempts > 1 {
				return least >> min(attempts-1, 20)
			}
			return max(jittered, 100*time.Millisecond)
		}
	}
	// MeshNoFetch makes the mesh accept notifications and never fetch (MESH-2).
	MeshNoFetch Interceptor = func(s *Set) { s.Mesh.Owed = func() bool { return false } }
	// MeshNoToken makes the mesh fetch without a token (MESH-3, TOK-4): the token is taken off
	// every fetch as it leaves the mesh.
	MeshNoToken Interceptor = func(s *Set) { s.MeshWrapper.Effects = withoutFetchToken }

	// AcceptAnyToken makes the front end store MSG-1 bodies whatever their token (FE-2; P8).
	AcceptAnyToken Interceptor = func(s *Set) { s.FrontEnd.TokenRefused = func(error) bool { return false } }
	// FrontEndIgnoresNotBefore makes the front end take a token whose only fault the validator
	// reports is "not yet valid", as if the nbf check had been left out (FE-2, TOK-2; P8).
	FrontEndIgnoresNotBefore Interceptor = func(s *Set) {
		s.FrontEnd.TokenRefused = func(err error) bool { return err != nil && !strings.HasSuffix(err.Error(), "not yet valid") }
	}
	// FrontEndAcceptsNonJSON makes the front end answer 200 to a body that is not JSON, and store
	// it (FE-3).
	FrontEndAcceptsNonJSON Interceptor = func(s *Set) { s.FrontEnd.ValidBody = func([]byte) bool { return true } }
	// FrontEndRejectsValid makes the front end answer 500 to a valid MSG-1 and store nothing (FE-1).
	FrontEndRejectsValid Interceptor = func(s *Set) {
		s.FrontEnd.Verdict = func(r mesh.Response, o mesh.Outcome) (mesh.Response, bool) {
			if o.Reason == "" {
				return mesh.Response{Status: 500, Body: []byte("internal error (defect reject-valid)")}, false
			}
			return r, false
		}
	}
	// FrontEndStoresRejected makes the front end store the bodies it rejects (FE-5).
	FrontEndStoresRejected Interceptor = func(s *Set) {
		s.FrontEnd.Verdict = func(r mesh.Response, _ mesh.Outcome) (mesh.Response, bool) { return r, true }
	}

	// StoreLosesEveryOtherWrite makes the platform store acknowledge every second write to a site
	// with the new entry but keep the old one, as a write-back cache that loses its dirty entry
	// would (P2, P1).
	StoreLosesEveryOtherWrite Interceptor = func(s *Set) {
		s.Store.Keeps = func(_, next mesh.Entry) bool { return next.Writes%2 != 0 }
	}
	// StoreDropsEqualRevision makes the platform store treat a write of the revision it already
	// holds as a replay: acknowledged, not kept, so a corrected payload of the same revision never
	// lands (P2, P1).
	StoreDropsEqualRevision Interceptor = func(s *Set) {
		s.Store.Keeps = func(prev, next mesh.Entry) bool { return prev.Writes == 0 || next.Revision != prev.Revision }
	}

	// RenewKeepsExpiry makes the blob model answer a lease renewal with success without restarting
	// the lease's duration, so a primary that renews on time still loses its lease 15 s after
	// acquiring it (P15).
	RenewKeepsExpiry Interceptor = func(s *Set) {
		s.Blob.RenewedExpiry = func(_, expires time.Time, _ time.Duration) time.Time { return expires }
	}
)

// withoutFetchToken takes the TOK-4 token off every MSG-3 fetch; the headers are each fetch's own.
func withoutFetchToken(_ *mesh.Mesh, effects []mesh.Effect) []mesh.Effect {
	for _, e := range effects {
		if f, ok := e.(mesh.Fetch); ok {
			delete(f.Headers, "x-ms-site-token")
		}
	}
	return effects
}
