package plant

import (
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/syncsim/syncsim/host"
)

// The host's planted defects: a host.Wrapper where an input's short cut or an effect's rewrite
// produces the defect exactly, else a function for one decision of host.Seams.
var (
	// NoLock skips SYNC-2's per-instance lock: spans run concurrently (P3).
	NoLock Interceptor = func(s *Set) { s.Host.Exclusive = func(host.Mode) bool { return false } }
	// GlobalRequestIDs draws MSG-1's request ids from a process-wide counter instead of the run's
	// seed, the classic leak of state across runs (DESIGN.md principle 3; P12).
	GlobalRequestIDs Interceptor = func(s *Set) { s.Host.RequestID = leakedRequestID }
	// PublishUnchanged publishes a background sync although its hash equals the blob's (SYNC-5; P5).
	PublishUnchanged Interceptor = func(s *Set) { s.Host.Unchanged = func(string, string) bool { return false } }
	// PublishEmptyBackground skips SYNC-4: a background sync publishes an empty trigger set (P10).
	PublishEmptyBackground Interceptor = func(s *Set) { s.Host.SkipsEmpty = func(bool, int) bool { return false } }
	// SwallowPublishError reports a failed publish as a success, silently (SYNC-7; P9, HOST-2).
	SwallowPublishError Interceptor = func(s *Set) { s.Host.FailureSurfaced = func(host.HTTPResult) bool { return false } }
	// SecretInLog writes the host master key into MSG-1's request log line (PAY-4; P11).
	SecretInLog Interceptor = func(s *Set) { s.Host.RequestContent = func(k host.Keys) string { return "master=" + k.Master } }
	// HashBeforePublish writes the hash blob before publishing instead of after its success
	// (SYNC-6; P4).
	HashBeforePublish Interceptor = func(s *Set) { s.Host.HashFirst = func() bool { return true } }
	// HashAfterFailedPublish writes the hash blob after a failed publish too (SYNC-6; P4).
	HashAfterFailedPublish Interceptor = func(s *Set) { s.Host.HashAfterFailure = func(host.HTTPResult) bool { return true } }
	// ReadErrorAsChanged treats a hash read error as "changed" instead of "unchanged" (SYNC-5; P5).
	ReadErrorAsChanged Interceptor = func(s *Set) { s.Host.ReadErrorUnchanged = func(host.BlobResult) bool { return false } }
	// HashOnForeground makes foreground syncs read and write the hash blob too (#11875's suggested
	// fix, here as a deviation from SYNC-5/SYNC-6).
	HashOnForeground Interceptor = func(s *Set) { s.Host.ReadsHash = func(bool) bool { return true } }
	// TokenWithoutExpiry issues TOK-3 tokens without an exp claim (TOK-2; P8): MSG-1's token is
	// replaced as the send leaves the machine.
	TokenWithoutExpiry Interceptor = func(s *Set) { s.HostWrapper.Effects = withoutExpiry }
	// AudiencePrefix makes the admin API's validator take an audience that merely starts with one
	// of TOK-5's, such as https://{site}.azurewebsites.net.evil (TOK-5; P8).
	AudiencePrefix Interceptor = func(s *Set) { s.Host.AudienceMatch = matchOrPrefix }
	// BackgroundOnEveryInstance skips SYNC-8's primary check: every instance runs the background
	// sync (P14).
	BackgroundOnEveryInstance Interceptor = func(s *Set) { s.Host.RunsBackground = func(bool) bool { return true } }
	// PayloadKeysInMapOrder writes the payload object's keys in the order a map's iteration gives
	// them (drawn from the instance's seeded stream on every build), not PAY-1's fixed order: the
	// same content hashes differently from one build to the next (PAY-2; P18).
	PayloadKeysInMapOrder Interceptor = func(s *Set) { s.Host.KeyOrder = func(r *rand.Rand) int { return r.IntN(4) } }

	// Authorization (TOK-5, TOK-6, MSG-3, MSG-4, PR #11697; P19).

	// PlatformClaimAppService grants MSG-3's platform claim to a valid token issued by App
	// Service, not only to Legion's (TOK-4).
	PlatformClaimAppService Interceptor = func(s *Set) {
		s.Host.GrantsPlatform = func(_ host.Site, c host.TokenClaims) bool {
			return c.Platform || strings.EqualFold(c.Issuer, host.IssuerAppService)
		}
	}
	// PlatformClaimSiteIssuer grants MSG-3's platform claim to a valid token issued by the site
	// itself or its scm site.
	PlatformClaimSiteIssuer Interceptor = func(s *Set) {
		s.Host.GrantsPlatform = func(site host.Site, c host.TokenClaims) bool {
			return c.Platform || strings.EqualFold(c.Issuer, site.URL()) ||
				strings.EqualFold(c.Issuer, "https://"+site.Name+".scm.azurewebsites.net")
		}
	}
	// ForbiddenAsUnauthorized answers MSG-3 401, not TOK-5's 403, to a valid token without the
	// platform claim: the machine's 403 is rewritten as it leaves.
	ForbiddenAsUnauthorized Interceptor = func(s *Set) { s.HostWrapper.Admin = forbiddenAsUnauthorized }
	// SyncNeedsPlatformClaim refuses MSG-4 (403) to a valid TOK-5 token without the platform claim
	// when no admin key came with it, before the machine sees the request.
	SyncNeedsPlatformClaim Interceptor = func(s *Set) { s.HostWrapper.Admin = syncNeedsPlatformClaim }

	// The caller's truth (PROTOCOL.md section 7, MSG-4; P20).

	// AdditiveNotifyFails fails an additive sync whose best-effort MSG-2 failed after MSG-1
	// succeeded.
	AdditiveNotifyFails Interceptor = func(s *Set) { s.Host.AdditiveNotifyFails = func(host.HTTPResult) bool { return true } }
	// AnswerWhileLocked answers a MSG-4 that finds the sync lock held with success at once and
	// runs no sync of its own ("the running sync will publish").
	AnswerWhileLocked Interceptor = func(s *Set) { s.Host.AdminSyncRuns = func(_, locked bool) bool { return !locked } }
	// AnswerAtPublish answers MSG-4 with success as soon as the publish is sent, not when its
	// result is known.
	AnswerAtPublish Interceptor = func(s *Set) { s.Host.AnswersAtPublish = func() bool { return true } }

	// Routing: the admin API works on every instance (P21).

	// AdminSyncPrimaryOnly makes MSG-4 on an instance that is not primary answer success without
	// syncing ("the primary syncs").
	AdminSyncPrimaryOnly Interceptor = func(s *Set) { s.Host.AdminSyncRuns = func(primary, _ bool) bool { return primary } }
	// TriggersPrimaryOnly makes MSG-3 on an instance that is not primary answer 503, before the
	// machine serves it.
	TriggersPrimaryOnly Interceptor = func(s *Set) { s.HostWrapper.Admin = triggersPrimaryOnly }
	// KeysSyncPrimaryOnly makes the key API's foreground sync run on the primary only: the input
	// does not reach the machine elsewhere.
	KeysSyncPrimaryOnly Interceptor = func(s *Set) { s.HostWrapper.Sync = keysSyncPrimaryOnly }
)

// leakedRequests is the process-wide counter behind GlobalRequestIDs. Deliberately global: the
// defect is state that leaks from one run into the next.
var leakedRequests atomic.Uint64

func leakedRequestID(*rand.Rand) string {
	n := strconv.FormatUint(leakedRequests.Add(1), 16)
	return "00000000-0000-4000-8000-" + strings.Repeat("0", max(0, 12-len(n))) + n
}

// withoutExpiry replaces the TOK-3 token of every MSG-1 a step sends with one that has no exp
// claim, signed as the machine signs it (same key, issuer, audience, iat and nbf).
func withoutExpiry(m *host.Machine, now time.Time, effects []host.Effect) []host.Effect {
	for _, e := range effects {
		send, ok := e.(host.Send)
		if !ok || send.Target != host.TargetFrontEnd || send.Headers["x-ms-site-token"] == "" {
			continue
		}
		site := m.Site()
		key, err := host.ParseKey(site.EncryptionKey)
		if err != nil {
			continue
		}
		tok, err := host.IssueToken(key, host.TokenClaims{Issuer: site.URL(), Audience: host.IssuerAppService, IssuedAt: now, NotBefore: now})
		if err == nil {
			// Headers is the send's own map, built for this send.
			send.Headers["x-ms-site-token"] = tok
		}
	}
	return effects
}

// forbiddenAsUnauthorized rewrites MSG-3's 403 (TOK-5) to 401.
func forbiddenAsUnauthorized(_ *host.Machine, _ time.Time, reqID int, req host.AdminRequest, next func() []host.Effect) []host.Effect {
	effects := next()
	if req.Path != host.PathTriggers {
		return effects
	}
	for i, e := range effects {
		if r, ok := e.(host.Respond); ok && r.ReqID == reqID && r.Response.Status == 403 {
			r.Response.Status = 401
			effects[i] = r
		}
	}
	return effects
}

// syncNeedsPlatformClaim answers 403 to a MSG-4 without an admin key whose TOK-5 token is valid
// but carries no platform claim; the machine would have run a sync for it (HOST-2).
func syncNeedsPlatformClaim(m *host.Machine, now time.Time, reqID int, req host.AdminRequest, next func() []host.Effect) []host.Effect {
	if req.Path == host.PathSyncTriggers && req.Method == "POST" && headerOf(req.Headers, "x-functions-key") == "" {
		if c, err := host.ValidateRequestToken(now, m.Site(), req); err == nil && !c.Platform {
			return []host.Effect{host.Respond{ReqID: reqID, Response: host.AdminResponse{Status: 403}}}
		}
	}
	return next()
}

// triggersPrimaryOnly answers a GET of the triggers on a running instance that is not primary with
// the 503 of a host that is not running, after the mid-fetch fault point that begins every MSG-3 of
// the machine, so that the fault points stay where the reference has them.
func triggersPrimaryOnly(m *host.Machine, _ time.Time, reqID int, req host.AdminRequest, next func() []host.Effect) []host.Effect {
	if req.Path == host.PathTriggers && req.Method == "GET" && m.Running() && !m.Primary() {
		return []host.Effect{host.Point{Name: "mid-fetch"}, host.Respond{ReqID: reqID, Response: host.HostNotRunningResponse()}}
	}
	return next()
}

// keysSyncPrimaryOnly drops the key API's foreground sync on an instance that is not primary.
func keysSyncPrimaryOnly(m *host.Machine, _ time.Time, origin string, next func() []host.Effect) []host.Effect {
	if origin == "keys" && !m.Primary() {
		return nil
	}
	return next()
}

// headerOf looks a header up as the machine does: an exact match first, else the first
// case-insensitive match in sorted order.
func headerOf(h map[string]string, name string) string {
	if v, ok := h[name]; ok {
		return v
	}
	names := slices.Sorted(maps.Keys(h))
	for _, n := range names {
		if strings.EqualFold(n, name) {
			return h[n]
		}
	}
	return ""
}

// matchOrPrefix takes an audience equal to one accepted (case-insensitively) or merely starting
// with one.
func matchOrPrefix(accepted []string, aud string) bool {
	for _, v := range accepted {
		if strings.EqualFold(v, aud) || strings.HasPrefix(aud, v) {
			return true
		}
	}
	return false
}
