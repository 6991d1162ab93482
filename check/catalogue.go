package check

// The property catalogue (DESIGN.md "Properties"): IDs, names, levels and statements exactly as the
// table gives them. IDs are stable.
var (
	PropP1 = Property{ID: "P1", Name: "eventual-convergence", Level: Must,
		Statement: "at the end of the settle window the platform store holds the site's expected payload (PAY-5)"}
	PropP2 = Property{ID: "P2", Name: "no-stale-overwrite", Level: Must,
		Statement: "the platform store's revision never decreases"}
	PropP3 = Property{ID: "P3", Name: "sync-exclusion", Level: Must,
		Statement: "within one instance no two sync spans overlap (SYNC-2); judged on spans, so a mode without a lock can fail it"}
	PropP4 = Property{ID: "P4", Name: "hash-implies-published", Level: Must,
		Statement: "whenever the hash blob holds the hash of the expected payload, the store holds that payload, or an accepted notification or publish that will deliver it has not yet been completed or abandoned"}
	PropP5 = Property{ID: "P5", Name: "no-redundant-publish", Level: Should,
		Statement: "a background sync whose hash equals the blob publishes nothing"}
	PropP6 = Property{ID: "P6", Name: "bounded-fetches", Level: Should,
		Statement: "a burst of notifications within 1 s leads to at most 2 platform fetches (MESH-6)"}
	PropP7 = Property{ID: "P7", Name: "duplicate-harmless", Level: Must,
		Statement: "a duplicated delivery never changes the store's content or revision"}
	PropP8 = Property{ID: "P8", Name: "no-invalid-token-accepted", Level: Must,
		Statement: "no request with an invalid token is accepted; unfaulted reference senders always send valid tokens"}
	PropP9 = Property{ID: "P9", Name: "error-surfaced", Level: Must,
		Statement: "a failed foreground sync returns Success=false with the SYNC-7 text; no failure is silent in the log"}
	PropP10 = Property{ID: "P10", Name: "no-empty-background-publish", Level: Must,
		Statement: "a background sync never publishes an empty trigger set"}
	PropP11 = Property{ID: "P11", Name: "secrets-redacted", Level: Must,
		Statement: "no secret or token appears in logs, traces, reports, evidence or errors (PAY-4)"}
	PropP12 = Property{ID: "P12", Name: "deterministic", Level: Must,
		Statement: "re-running the same scenario, mode and seed in-process gives the same trace; on failure, the first differing record"}
	PropP13 = Property{ID: "P13", Name: "convergence-latency", Level: Should,
		Statement: "time from the last content change to convergence, per run; gated by the scenario's bound"}
	PropP14 = Property{ID: "P14", Name: "background-sync-on-primary-only", Level: Must,
		Statement: "every background sync span starts on an instance holding an unexpired primary lease, per storage's lease records (SYNC-8)"}
	PropP15 = Property{ID: "P15", Name: "at-most-one-primary", Level: Must,
		Statement: "at no moment do two instances hold the primary lease: no second grant, every renewal extends the lease, no background sync while another instance holds it"}
	PropP16 = Property{ID: "P16", Name: "fetch-within-max-wait", Level: Should,
		Statement: "after each accepted notification a fetch that started after it starts within 1 s, or 1 s after the fetch in flight ends (MESH-6's max-wait)"}
	PropP17 = Property{ID: "P17", Name: "fetch-completes", Level: Must,
		Statement: "after each accepted notification a fetch that started after it completes with 200 within 30 s when the site answers (MESH-2)"}
	PropP18 = Property{ID: "P18", Name: "no-republish-without-change", Level: Should,
		Statement: "no publish stores a payload semantically equal to the store's, in other text, with no content change since (PAY-2; #9255)"}
	PropP19 = Property{ID: "P19", Name: "admin-authorization", Level: Must,
		Statement: "every admin answer to a request with a token is what the token owes by the contract's oracle: MSG-3 grants only a valid Legion token (403 to a valid token of another issuer), MSG-4 any valid TOK-5 token, 401 otherwise (TOK-4, TOK-5; PR #11697)"}
	PropP20 = Property{ID: "P20", Name: "caller-told-truth", Level: Must,
		Statement: "a sync whose deciding publish got a 2xx succeeds, and every MSG-4 answer is its own sync's result by PROTOCOL.md section 7, given after that sync ended (best-effort steps never fail it)"}
	PropP21 = Property{ID: "P21", Name: "admin-served-where-routed", Level: Must,
		Statement: "every admin request routed to an instance whose host runs is served there, primary or not, early or late: MSG-4 and the key API start a sync on it, MSG-3 with a granted token is not answered 503"}
	PropP22 = Property{ID: "P22", Name: "timing-under-retries", Level: Should,
		Statement: "under a stream of notifications and failing fetches, a notification that finds no fetch in flight gets one within 1 s (MESH-6), and each retry waits at least 100 ms after the failure (MESH-4)"}
)

// The checkers refer to their own entries for ID, name and level, so the links are made here.
func init() {
	PropP1.Check = EventualConvergence
	PropP2.Check = NoStaleOverwrite
	PropP3.Check = SyncExclusion
	PropP4.Check = HashImpliesPublished
	PropP5.Check = NoRedundantPublish
	PropP6.Check = BoundedFetches
	PropP7.Check = DuplicateHarmless
	PropP8.Check = NoInvalidTokenAccepted
	PropP9.Check = ErrorSurfaced
	PropP10.Check = NoEmptyBackgroundPublish
	PropP11.Check = SecretsRedacted
	PropP13.Check = ConvergenceLatency
	PropP14.Check = BackgroundOnPrimaryOnly
	PropP15.Check = AtMostOnePrimary
	PropP16.Check = NotificationToFetch
	PropP17.Check = FetchCompletes
	PropP18.Check = NoRepublishWithoutChange
	PropP19.Check = AdminAuthorization
	PropP20.Check = CallerToldTruth
	PropP21.Check = AdminServedWhereRouted
	PropP22.Check = TimingUnderRetries
}

// Catalogue lists the properties syncsim judges on every run, in ID order.
func Catalogue() []Property {
	return []Property{PropP1, PropP2, PropP3, PropP4, PropP5, PropP6, PropP7, PropP8, PropP9, PropP10, PropP11, PropP12, PropP13, PropP14, PropP15, PropP16, PropP17, PropP18, PropP19, PropP20, PropP21, PropP22}
}

// Lookup finds a property by ID.
func Lookup(id string) (Property, bool) {
	for _, p := range Catalogue() {
		if p.ID == id {
			return p, true
		}
	}
	return Property{}, false
}

// TraceCheckers are the properties judged from a single trace.
func TraceCheckers() []Property {
	var out []Property
	for _, p := range Catalogue() {
		if p.Check != nil {
			out = append(out, p)
		}
	}
	return out
}
