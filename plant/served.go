package plant

// The served reference parts' defect tables, by name, for `simrun serve ... --defect NAME` and the
// conformance suites. Each breaks exactly one rule of PROTOCOL.md section 8; a defect that a
// simulated run also plants is the same interceptor (sync-ignores-failure is the
// swallowed-publish-error mutant, no-retry mesh-without-retry, lose-during-fetch
// debounce-drops-mid-fetch, fetch-per-notification the mutant of that name, accept-bad-token
// fe-accepts-bad-signature).
var (
	// HostServer is the reference host server's table (HOST-1, HOST-2).
	HostServer = map[string]Defect{
		"triggers-without-token": {"HOST-1", "answers GET /admin/host/triggers with 200 when the request has no token", TriggersWithoutToken},
		"triggers-stale-payload": {"HOST-1", "serves the minimal form of the payload, whose hash differs from what a sync publishes", TriggersStalePayload},
		"sync-ignores-failure":   {"HOST-2", "answers POST /admin/host/synctriggers 200 success even when the publish fails", SwallowPublishError},
	}
	// MeshServer is the reference mesh server's table (MESH-1..MESH-9).
	MeshServer = map[string]Defect{
		"slow-accept":            {"MESH-1", "answers a notification after 6 s", SlowAccept},
		"no-fetch":               {"MESH-2", "accepts notifications but never fetches", MeshNoFetch},
		"no-token":               {"MESH-3", "fetches without a token", MeshNoToken},
		"no-retry":               {"MESH-4", "gives up after the first failed fetch", MeshNoRetry},
		"lose-during-fetch":      {"MESH-5", "drops a notification that arrives while a fetch is under way", DropMidFetch},
		"fetch-per-notification": {"MESH-6", "fetches once per notification, with no coalescing", FetchPerNotification},
		"accept-malformed":       {"MESH-7", "answers 200 to malformed notifications (empty body, missing operation, ...) and fetches", AcceptMalformed},
		"serialize":              {"MESH-8", "handles one request at a time with a 100 ms pause; 503 when 8 are waiting", Serialize},
		"reject-unknown-field":   {"MESH-9", "answers 400 when a field other than operation is present", RejectUnknownField},
	}
	// FrontEndServer is the reference front-end server's table (FE-1..FE-5).
	FrontEndServer = map[string]Defect{
		"reject-valid":     {"FE-1", "answers 500 to a valid MSG-1 (and stores nothing)", FrontEndRejectsValid},
		"accept-bad-token": {"FE-2", "accepts and stores a body whatever its token", AcceptAnyToken},
		"accept-non-json":  {"FE-3", "answers 200 to a body that is not JSON, and stores it", FrontEndAcceptsNonJSON},
		"store-rejected":   {"FE-5", "stores the bodies it rejects", FrontEndStoresRejected},
	}
)
