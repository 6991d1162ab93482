package mesh

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/syncsim/syncsim/host"
)

// RevisionHeader carries the content revision a payload was built from. It is simulator metadata, not
// part of the contract: the store records it so that checkers can compare revisions (P2).
const RevisionHeader = "x-syncsim-revision"

// Request is an HTTP request as the platform's step machines see it. Header names are matched
// case-insensitively.
type Request struct {
	Method  string
	Path    string
	Headers map[string]string
	Body    []byte
}

// Header returns a header's value: an exact match of the name first, else the first
// case-insensitive match in sorted order, so that map order never decides.
func (r Request) Header(name string) string {
	if v, ok := r.Headers[name]; ok {
		return v
	}
	for _, k := range slices.Sorted(maps.Keys(r.Headers)) {
		if strings.EqualFold(k, name) {
			return r.Headers[k]
		}
	}
	return ""
}

// Response is an HTTP answer.
type Response struct {
	Status int
	Body   []byte
}

// FrontEnd is the reference FE: POST /operations/settriggers (MSG-1). It checks the TOK-3 token on
// the virtual clock, stores the body with its revision and answers 200.
type FrontEnd struct {
	Site  host.Site
	Store *Store
	Bugs  Bugs
}

// Bugs are planted defects of the reference platform, all off in a normal build.
type Bugs struct {
	// AcceptAnyToken makes the FE store MSG-1 bodies whatever their token (P8, FE-2).
	AcceptAnyToken bool
	// FetchPerNotification makes the mesh fetch once per notification, with no coalescing (P6, MESH-6).
	FetchPerNotification bool
	// NoRetry makes the mesh give up after a fetch's first failure (MESH-4; P1, P4).
	NoRetry bool
	// DropMidFetch makes the mesh drop notifications that arrive while a fetch is in flight (MESH-5; P1).
	DropMidFetch bool
	// NoMaxWait makes the debounce wait for a quiet period only: a steady trickle of notifications
	// postpones the fetch for as long as it lasts (MESH-6's max-wait; P16, P17).
	NoMaxWait bool
	// ShortRetryBudget makes the mesh give up retrying after 4 minutes instead of its configured
	// budget (MESH-4's 10 minutes; P1 on scenarios/retry-budget.yaml).
	ShortRetryBudget bool
	// FrontEndIgnoresNotBefore makes the FE take a token whose only fault the validator reports is
	// "not yet valid", as if the nbf check had been left out (FE-2, TOK-2; P8).
	FrontEndIgnoresNotBefore bool
	// StoreLosesEveryOtherWrite makes the store acknowledge every second write to a site with the new
	// entry but keep the old one, as a write-back cache that loses its dirty entry would (P2, P1).
	StoreLosesEveryOtherWrite bool
	// StoreDropsEqualRevision makes the store treat a write of the revision it already holds as a replay:
	// acknowledged, not kept, so a corrected payload of the same revision never lands (P2, P1).
	StoreDropsEqualRevision bool

	// Timing under a stream of notifications and retries (P16, P22).

	// NotificationWaitsForRetry makes a notification that arrives while a failed fetch waits for its
	// retry wait for that retry, however long the backoff has grown, instead of a fetch within the
	// max-wait (MESH-6, MESH-5).
	NotificationWaitsForRetry bool
	// MaxWaitGrowsPerNotification doubles the max-wait with every notification pending in a round
	// (an "adaptive" debounce): one notification is fetched within 1 s, a steady stream is not
	// (MESH-6).
	MaxWaitGrowsPerNotification bool
	// RetryBackoffShrinks halves the backoff with every retry of a round instead of doubling it, and
	// keeps the 100 ms floor for the first retry only: one retry waits long enough, a stream of them
	// comes ever faster (MESH-4's 100 ms).
	RetryBackoffShrinks bool
}

// Outcome tells the driver what a front-end request did, for the trace.
type Outcome struct {
	Stored bool
	Entry  Entry
	// Reason says why a request was refused ("" when stored).
	Reason string
}

// SetTriggers handles MSG-1.
func (f *FrontEnd) SetTriggers(now time.Time, req Request) (Response, Outcome) {
	if req.Method != "POST" {
		return Response{Status: 405}, Outcome{Reason: "method"}
	}
	key, err := host.ParseKey(f.Site.EncryptionKey)
	if err != nil {
		return Response{Status: 401}, Outcome{Reason: "no key"}
	}
	// FE-2 / TOK-5: exactly TOK-3's issuer and audience.
	if _, err := host.ValidateFrontEndToken(key, f.Site.Name, req.Header("x-ms-site-token"), now); err != nil && !f.Bugs.AcceptAnyToken &&
		!(f.Bugs.FrontEndIgnoresNotBefore && strings.HasSuffix(err.Error(), "not yet valid")) {
		return Response{Status: 401}, Outcome{Reason: "token"}
	}
	// FE-3: a body that is not JSON is a client's mistake.
	if !json.Valid(req.Body) {
		return Response{Status: 400}, Outcome{Reason: "not json"}
	}
	rev, _ := strconv.Atoi(req.Header(RevisionHeader))
	e := f.Store.Put(now, f.Site.Name, req.Body, host.HashOf(req.Body), rev, "frontend")
	return Response{Status: 200}, Outcome{Stored: true, Entry: e}
}
