package faults

// PointDoc says where each fault point of Points sits in a sync span (PROTOCOL.md section 6).
var PointDoc = map[string]string{
	"before-gate":      "a sync span starts, before SYNC-1's environment gate",
	"after-lock":       "the span holds the sync lock (SYNC-2)",
	"after-payload":    "the payload is built (SYNC-3)",
	"after-hash-read":  "a background sync read the hash blob (SYNC-5)",
	"after-publish":    "between the publish's 2xx and SYNC-6's hash write",
	"after-hash-write": "after SYNC-6's hash write, before the platform's fetch arrives",
	"mid-fetch":        "while the host serves the platform's fetch (MSG-3)",
}
