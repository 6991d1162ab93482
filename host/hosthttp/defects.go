package hosthttp

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Defect is a planted defect: the rule it breaks and what it does.
type Defect struct {
	Rule        string
	Description string
}

// HostDefects are the reference host server's planted defects, by name. Each breaks one rule.
var HostDefects = map[string]Defect{
	"triggers-without-token": {Rule: "HOST-1", Description: "answers GET /admin/host/triggers with 200 when the request has no token"},
	"triggers-stale-payload": {Rule: "HOST-1", Description: "serves the minimal form of the payload, whose hash differs from what a sync publishes"},
	"sync-ignores-failure":   {Rule: "HOST-2", Description: "answers POST /admin/host/synctriggers 200 success even when the publish fails"},
}

// parseDefects checks names against HostDefects and returns them as a set; an unknown name is an
// error that lists the known ones.
func parseDefects(names []string) (map[string]bool, error) {
	set := map[string]bool{}
	for _, n := range names {
		if _, ok := HostDefects[n]; !ok {
			known := slices.Sorted(maps.Keys(HostDefects))
			return nil, fmt.Errorf("hosthttp: unknown defect %q (known: %s)", n, strings.Join(known, ", "))
		}
		set[n] = true
	}
	return set, nil
}
