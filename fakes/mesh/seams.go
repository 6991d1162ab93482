package mesh

import (
	"encoding/json"
	"time"
)

// Seams are the mesh's decision points that no rewrite of its effects (Wrapper) can reach: one
// function per decision, each documented with its rule. A nil field is the reference decision, so
// the zero value is the reference mesh; New puts the reference functions in place of nil fields. A
// planted defect (package plant) supplies another function; nothing in this package knows
// the defects.
type Seams struct {
	// FetchAtOnce is MESH-6: whether a notification gets a fetch of its own at once, alongside any
	// fetch in flight, instead of the debounce. Reference: never.
	FetchAtOnce func() bool
	// Owed is MESH-2: whether an accepted notification is owed a fetch at all. Reference: always.
	Owed func() bool
	// DropDuringFetch is MESH-5: whether a notification accepted while a fetch is in flight is
	// forgotten instead of owed a fetch of its own. Reference: never.
	DropDuringFetch func() bool
	// DebounceWait is MESH-6: how long after a notification the fetch waits, given the quiet period,
	// the max-wait, the first pending notification and how many are pending. Reference: the quiet
	// period, cut to end MaxWait after the first pending notification.
	DebounceWait func(now, firstPending time.Time, debounce, maxWait time.Duration, pending int) time.Duration
	// WaitsForRetry is MESH-5/MESH-6: whether a debounced notification that finds a failed fetch
	// waiting to retry waits for that retry instead of fetching now. Reference: it fetches now.
	WaitsForRetry func() bool
	// RetryBudget is MESH-4: how long a round retries after its first failure, given the
	// configured budget. Reference: the configured budget.
	RetryBudget func(configured time.Duration) time.Duration
	// Backoff is MESH-4: the wait before retry number attempts of a round, given the jittered
	// exponential backoff and its minimum. Reference: the jittered backoff, never under 100 ms.
	Backoff func(jittered, min time.Duration, attempts int) time.Duration
}

func (s Seams) withReference() Seams {
	if s.FetchAtOnce == nil {
		s.FetchAtOnce = func() bool { return false }
	}
	if s.Owed == nil {
		s.Owed = func() bool { return true }
	}
	if s.DropDuringFetch == nil {
		s.DropDuringFetch = func() bool { return false }
	}
	if s.DebounceWait == nil {
		s.DebounceWait = func(now, first time.Time, debounce, maxWait time.Duration, _ int) time.Duration {
			return min(debounce, first.Add(maxWait).Sub(now))
		}
	}
	if s.WaitsForRetry == nil {
		s.WaitsForRetry = func() bool { return false }
	}
	if s.RetryBudget == nil {
		s.RetryBudget = func(configured time.Duration) time.Duration { return configured }
	}
	if s.Backoff == nil {
		s.Backoff = func(jittered, _ time.Duration, _ int) time.Duration { return max(jittered, 100*time.Millisecond) }
	}
	return s
}

// FrontEndSeams are the front end's decision points (FE-1..FE-5), as Seams are the mesh's: the zero
// value is the reference front end.
type FrontEndSeams struct {
	// TokenRefused is FE-2/TOK-5: whether the token check's error refuses the request (401).
	// Reference: any error does.
	TokenRefused func(err error) bool
	// ValidBody is FE-3: whether a body is JSON. Reference: json.Valid.
	ValidBody func([]byte) bool
	// Verdict is FE-1/FE-5: the answer to a request the front end has judged, and whether its body
	// is stored. Reference: the judgement as it stands (a request is stored when it is accepted).
	Verdict func(Response, Outcome) (Response, bool)
}

func (s FrontEndSeams) withReference() FrontEndSeams {
	if s.TokenRefused == nil {
		s.TokenRefused = func(err error) bool { return err != nil }
	}
	if s.ValidBody == nil {
		s.ValidBody = json.Valid
	}
	if s.Verdict == nil {
		s.Verdict = func(r Response, o Outcome) (Response, bool) { return r, o.Reason == "" }
	}
	return s
}

// StoreSeams are the platform store's decision points (PROTOCOL.md section 1, platform store): the
// zero value is the reference store.
type StoreSeams struct {
	// Keeps is whether a write acknowledged with entry next, over the entry prev, is kept.
	// Reference: every write is.
	Keeps func(prev, next Entry) bool
}

func (s StoreSeams) withReference() StoreSeams {
	if s.Keeps == nil {
		s.Keeps = func(Entry, Entry) bool { return true }
	}
	return s
}
