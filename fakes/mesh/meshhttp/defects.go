package meshhttp

import (
	"fmt"
	"slices"
	"strings"
)

// Defect is a planted defect: the contract rule it breaks and what it does.
type Defect struct {
	Rule        string
	Description string
}

// MeshDefects are the reference mesh's planted defects, by name. Each breaks exactly one rule.
var MeshDefects = map[string]Defect{
	"slow-accept":            {"MESH-1", "answers a notification after 6 s"},
	"no-fetch":               {"MESH-2", "accepts notifications but never fetches"},
	"no-token":               {"MESH-3", "fetches without a token"},
	"no-retry":               {"MESH-4", "gives up after the first failed fetch"},
	"lose-during-fetch":      {"MESH-5", "drops a notification that arrives while a fetch is under way"},
	"fetch-per-notification": {"MESH-6", "fetches once per notification, with no coalescing"},
	"accept-malformed":       {"MESH-7", "answers 200 to malformed notifications (empty body, missing operation, ...) and fetches"},
	"serialize":              {"MESH-8", "handles one request at a time with a 100 ms pause; 503 when 8 are waiting"},
	"reject-unknown-field":   {"MESH-9", "answers 400 when a field other than operation is present"},
}

// FrontEndDefects are the reference front end's planted defects, by name.
var FrontEndDefects = map[string]Defect{
	"reject-valid":     {"FE-1", "answers 500 to a valid MSG-1 (and stores nothing)"},
	"accept-bad-token": {"FE-2", "accepts and stores a body whatever its token"},
	"accept-non-json":  {"FE-3", "answers 200 to a body that is not JSON, and stores it"},
	"store-rejected":   {"FE-5", "stores the bodies it rejects"},
}

// DefectNames lists a defect table's names, sorted.
func DefectNames(known map[string]Defect) []string {
	return slices.Sorted(func(yield func(string) bool) {
		for k := range known {
			if !yield(k) {
				return
			}
		}
	})
}

// ParseDefects checks names against a defect table and returns them as a set; an unknown name is an
// error that lists the known ones.
func ParseDefects(known map[string]Defect, names []string) (map[string]bool, error) {
	set := map[string]bool{}
	for _, n := range names {
		if _, ok := known[n]; !ok {
			return nil, fmt.Errorf("meshhttp: unknown defect %q (known: %s)", n, strings.Join(DefectNames(known), ", "))
		}
		set[n] = true
	}
	return set, nil
}
