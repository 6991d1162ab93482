package check

// RuleJudge says what judges one contract rule of PROTOCOL.md: the simulator's properties, the
// conformance suites' rule, and, where no simulator property judges it, why not.
type RuleJudge struct {
	// ID is the rule's ID in PROTOCOL.md (PAY-1, MESH-6, ...).
	ID string
	// Level is the rule's RFC 2119 level; a rule that defines a term or a format is MUST, as the
	// parts that implement it owe it exactly.
	Level Level
	// Properties are the simulator properties (Catalogue IDs) whose verdicts break when the rule is
	// broken in a simulated run.
	Properties []string
	// Conformance is the conformance suites' rule (MESH-n, FE-n, HOST-n) that judges an endpoint against
	// this rule; "" when none does.
	Conformance string
	// Note says how the properties reach the rule, or, with no property, why none judges it and what
	// test does.
	Note string
}

// Rules maps every rule ID of PROTOCOL.md to what judges it, in the contract's order. It is the one
// place that says so: `simrun list rules` prints it, and tests hold it to PROTOCOL.md, Catalogue()
// and the conformance suites.
func Rules() []RuleJudge {
	return []RuleJudge{
		{ID: "PAY-1", Level: Must, Note: "no property: the payload's form is the reference host's output and the trace records payloads by hash only (PAY-4); host/payload_test.go holds the form and the 204,800 fallback"},
		{ID: "PAY-2", Level: Must, Properties: []string{"P12", "P18"}, Note: "a serializer whose output varies in-process gives a different payload hash on the rerun, a P12 difference; one whose output varies from build to build (#9255) republishes unchanged content under a new hash, a P18 failure; host/payload_test.go compares bytes"},
		{ID: "PAY-3", Level: Must, Conformance: "HOST-1", Note: "no property: the trace holds the hashes the host computed, not the bytes to hash them again; host/payload_test.go, and HOST-1 hashes a served body"},
		{ID: "PAY-4", Level: Must, Properties: []string{"P11"}},
		{ID: "PAY-5", Level: Must, Properties: []string{"P1", "P4", "P13"}, Note: "content.change records carry the expected payload's hash the properties compare against"},
		{ID: "BLOB-1", Level: Must, Note: "no property: the blob's name is a constant of the reference host that no fault changes; host/machine_test.go"},
		{ID: "BLOB-2", Level: Must, Properties: []string{"P4", "P5"}, Note: "P5 judges a read (equal or failed: publish nothing), P4 what a write after a publish implies"},
		{ID: "BLOB-3", Level: Must, Properties: []string{"P15"}, Note: "P15 judges the lease (a second acquire is refused); ETags and conditions are held to Azurite by fakes/blob/blobhttp's differential test"},
		{ID: "TOK-1", Level: Must, Note: "no property: the key is decoded before any token exists and the trace states only whether a signature verified; host/token tests"},
		{ID: "TOK-2", Level: Must, Properties: []string{"P8"}},
		{ID: "TOK-3", Level: Must, Properties: []string{"P8"}},
		{ID: "TOK-4", Level: Must, Properties: []string{"P8", "P19"}, Note: "P19: only Legion's issuer carries the platform claim MSG-3 needs (PR #11697)"},
		{ID: "TOK-5", Level: Must, Properties: []string{"P8", "P19"}, Note: "P8 no invalid token accepted; P19 the exact answer: a grant, 401, or 403 for a valid token without the claim"},
		{ID: "TOK-6", Level: Must, Conformance: "HOST-1", Note: "no property: the simulated platform fetches with tokens, never the admin key, so no run offers a key where MSG-3 must refuse it; host/token_matrix_test.go"},
		{ID: "MSG-1", Level: Must, Properties: []string{"P8", "P9"}, Note: "P8 the TOK-3 token, P9 that a non-2xx or no answer fails the sync; headers are held by the front end's HTTP tests"},
		{ID: "MSG-2", Level: Must, Properties: []string{"P4", "P9", "P20"}, Note: "P4 an accepted notification owes a delivery, P9 that a mesh non-2xx fails the sync, P20 that a 2xx makes it a success"},
		{ID: "MSG-3", Level: Must, Properties: []string{"P8", "P17", "P19", "P21"}, Conformance: "HOST-1", Note: "P17 the fetch completes with 200, P19 the token's answer (200, 401, 403), P21 that every instance serves it"},
		{ID: "MSG-4", Level: Must, Properties: []string{"P8", "P9", "P19", "P20", "P21"}, Conformance: "HOST-2", Note: "P8 the admin key or token, P9 the answer to a failed sync, P19 the token's answer, P20 that the answer is its own sync's result, P21 that every instance runs it"},
		{ID: "SYNC-1", Level: Must, Properties: []string{"P9"}},
		{ID: "SYNC-2", Level: Must, Properties: []string{"P3"}},
		{ID: "SYNC-3", Level: Must, Properties: []string{"P1", "P10"}, Note: "a payload built from the wrong host's content (the placeholder) converges the store to the wrong payload (P1) or publishes none (P10)"},
		{ID: "SYNC-4", Level: Must, Properties: []string{"P10"}},
		{ID: "SYNC-5", Level: Must, Properties: []string{"P5"}},
		{ID: "SYNC-6", Level: Must, Properties: []string{"P4", "P20"}, Note: "P20: the publish by mode decides the result (section 7)"},
		{ID: "SYNC-7", Level: Must, Properties: []string{"P9", "P20"}, Note: "P9 a failure is surfaced, P20 a success is not reported as a failure"},
		{ID: "SYNC-8", Level: Must, Properties: []string{"P14", "P15", "P21"}, Note: "P14/P15 the background sync on the primary only, P21 the foreground syncs on any instance"},
		{ID: "MESH-1", Level: Must, Conformance: "MESH-1", Note: "no property: the simulated mesh answers in the event that delivers the notification, so its answer time is the network's delay, not the mesh's"},
		{ID: "MESH-2", Level: Must, Properties: []string{"P17"}, Conformance: "MESH-2"},
		{ID: "MESH-3", Level: Must, Properties: []string{"P8"}, Conformance: "MESH-3"},
		{ID: "MESH-4", Level: Must, Properties: []string{"P1", "P4", "P22"}, Conformance: "MESH-4", Note: "judged by its outcome: a mesh that stops retrying early leaves the store stale (P1) and the hash unbacked (P4); P22 the 100 ms between a failure and its retry (SHOULD)"},
		{ID: "MESH-5", Level: Must, Properties: []string{"P16", "P17"}, Conformance: "MESH-5", Note: "each notification needs a fetch that started after it"},
		{ID: "MESH-6", Level: Should, Properties: []string{"P6", "P16", "P22"}, Conformance: "MESH-6", Note: "P6 the bound of 2 fetches per burst, P16 the 1 s max-wait, P22 the max-wait under failing fetches and retries"},
		{ID: "MESH-7", Level: Must, Conformance: "MESH-7", Note: "no property: the reference host never sends a malformed notification; the mesh's form handler is fuzzed in live/meshhttp"},
		{ID: "MESH-8", Level: Must, Conformance: "MESH-8", Note: "no property: concurrent connections are a live matter; the simulator delivers one event at a time"},
		{ID: "MESH-9", Level: Must, Conformance: "MESH-9", Note: "no property: only signal-all sends an extra field, and a mesh refusing it would show as P1 failures of that mode, not as this rule; fakes/mesh tests"},
		{ID: "FE-1", Level: Must, Properties: []string{"P1"}, Conformance: "FE-1", Note: "an unfaulted front end refusing a valid MSG-1 leaves the store stale; P8 notes the refusal as over-strict"},
		{ID: "FE-2", Level: Must, Properties: []string{"P8"}, Conformance: "FE-2"},
		{ID: "FE-3", Level: Must, Conformance: "FE-3", Note: "no property: the reference host always sends JSON; the front end's JSON handler is fuzzed in live/meshhttp"},
		{ID: "FE-4", Level: May, Conformance: "FE-4", Note: "no property: informational; the simulator injects 429 as a fault whose effect on the host P9 judges"},
		{ID: "FE-5", Level: Must, Properties: []string{"P2", "P7"}, Conformance: "FE-5", Note: "P2 the store keeps the last accepted write, P7 a duplicate changes nothing"},
		{ID: "HOST-1", Level: Must, Properties: []string{"P8", "P19", "P21"}, Conformance: "HOST-1", Note: "P8 judges the host's token checks on every simulated fetch, P19 the exact answer (401, 403, 200), P21 that every instance serves it"},
		{ID: "HOST-2", Level: Must, Properties: []string{"P9", "P19", "P20", "P21"}, Conformance: "HOST-2", Note: "as MSG-4"},
	}
}
