package hosthttp

import "github.com/syncsim/syncsim/fakes/mesh/meshhttp"

// HostDefects are the reference host server's planted defects, by name. Each breaks one rule.
var HostDefects = map[string]meshhttp.Defect{
	"triggers-without-token": {Rule: "HOST-1", Description: "answers GET /admin/host/triggers with 200 when the request has no token"},
	"triggers-stale-payload": {Rule: "HOST-1", Description: "serves the minimal form of the payload, whose hash differs from what a sync publishes"},
	"sync-ignores-failure":   {Rule: "HOST-2", Description: "answers POST /admin/host/synctriggers 200 success even when the publish fails"},
}
