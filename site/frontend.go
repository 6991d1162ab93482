package site

import (
	"github.com/syncsim/syncsim/fakes/mesh"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/trace"
)

// FrontEnd is the site's front end with the one interpreter of its answers, for every driver: it
// answers MSG-1 and writes token.check (P8) and store.write or fe.reject by the front end's party.
type FrontEnd struct {
	fe   *mesh.FrontEnd
	site host.Site
	env  FrontEndEnv
}

// NewFrontEnd drives front end fe of site (its name and key: token.check decodes tokens with it)
// through env.
func NewFrontEnd(fe *mesh.FrontEnd, site host.Site, env FrontEndEnv) *FrontEnd {
	return &FrontEnd{fe: fe, site: site, env: env}
}

// SetTriggers answers MSG-1 req from sender, and tells what the front end did (a reference server
// logs and persists it). fault is the firing key of an injected token-invalid fault that replaced
// the request's token ("" when none); d names the simulated network's message (nil live).
func (f *FrontEnd) SetTriggers(req mesh.Request, sender, fault string, d *trace.Delivery) (mesh.Response, mesh.Outcome) {
	now := f.env.Now()
	resp, out := f.fe.SetTriggers(now, req)
	f.env.Record(trace.PartyFrontEnd, TokenCheckEvent("frontend", f.site, sender, req.Headers, now, resp.Status != 401 && resp.Status != 403, fault))
	f.env.Record(trace.PartyFrontEnd, FrontEndEvent(resp.Status, out, sender, d))
	if out.Stored {
		f.env.Stored()
	}
	return resp, out
}
