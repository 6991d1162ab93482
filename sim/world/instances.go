package world

import (
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/sim"
	"github.com/syncsim/syncsim/site"
	"github.com/syncsim/syncsim/trace"
)

// messages between a host and the platform or storage
type httpRequest struct {
	node string
	send host.Send
}

type httpResponse struct {
	id     int
	status int
	target string
}

type blobRequest struct {
	node string
	call host.BlobCall
}

type blobResponse struct {
	id     int
	result host.BlobResult
}

// fleetEnv is the simulator's site.FleetEnv: the kernel's clock and timers, the run's trace, and
// the simulated network as the transport between the instances, the platform, storage and the
// site router. The awaited answers' timeouts are the network's: it arms them and registers them
// with the instance (Member.Await) under -id for a send and id for a blob call.
type fleetEnv struct{ w *World }

var _ site.FleetEnv = fleetEnv{}

func (e fleetEnv) Now() time.Time                              { return e.w.now() }
func (e fleetEnv) After(d time.Duration, fn func()) site.Timer { return e.w.k.After(d, fn) }
func (e fleetEnv) Record(party string, ev trace.Event)         { e.w.k.Trace.Put(party, ev) }

// Configure gives a host the simulated platform's addresses and the run's planted defects.
func (e fleetEnv) Configure(m *site.Member, cfg *host.Config) {
	cfg.FrontEndURL, cfg.MeshURL = "https://"+e.w.sc.Site.Name+".scm.azurewebsites.net", "http://mesh.local/"
	cfg.Seams, cfg.Wrapper = e.w.opts.Plant.Host, e.w.opts.Plant.HostWrapper
}

func (e fleetEnv) Attach(m *site.Member) (string, error) {
	e.w.net.Attach(m.Party(), func(msg sim.Message) { e.w.onInstance(m, msg) })
	return "", nil
}

func (e fleetEnv) Detach(m *site.Member) { e.w.net.Detach(m.Party()) }

// Send sends MSG-1 to the front end or MSG-2 to the mesh, with the host's timeout.
func (e fleetEnv) Send(m *site.Member, s host.Send) {
	w := e.w
	to, kind := trace.PartyFrontEnd, trace.MsgMSG1
	if s.Target == host.TargetMesh {
		to, kind = trace.PartyMesh, trace.MsgMSG2
	}
	id := s.ID
	m.Await(-id, w.k.After(s.Timeout, func() {
		if m.Alive() && m.Expire(-id) {
			m.HTTPTimeout(id)
		}
	}))
	w.net.Send(sim.Message{From: m.Party(), To: to, Kind: kind, Body: httpRequest{node: m.Name(), send: s},
		Fields: []trace.Field{trace.F("id", id), trace.F("body", trace.SecretDigest(s.Body)), trace.F("bytes", len(s.Body))}})
}

// Blob sends a storage call, with the blob client's timeout.
func (e fleetEnv) Blob(m *site.Member, c host.BlobCall) {
	w := e.w
	id, op := c.ID, c.Op // the timeout holds these, not the whole call
	m.Await(id, w.k.After(blobTimeout, func() {
		if m.Alive() && m.Expire(id) {
			m.BlobTimeout(id, op)
		}
	}))
	w.net.Send(sim.Message{From: m.Party(), To: trace.PartyStorage, Kind: trace.MsgBlobRequest, Body: blobRequest{node: m.Name(), call: c},
		Fields: []trace.Field{trace.F("id", id), trace.F("op", string(c.Op)), trace.F("blob", c.Blob)}})
}

// Respond sends the host's answer to the router.
func (e fleetEnv) Respond(m *site.Member, r host.Respond) {
	e.w.net.Send(sim.Message{From: m.Party(), To: trace.PartyRouter, Kind: kindInstanceResponse,
		Body:   instanceResponse{route: r.ReqID, resp: r.Response, revision: r.Revision, span: r.Span},
		Fields: []trace.Field{trace.F("route", r.ReqID), trace.F("status", r.Response.Status), trace.F("body", trace.SecretDigest(r.Response.Body))}})
}

// Forward sends the router's request to its instance.
func (e fleetEnv) Forward(r *site.Route) {
	e.w.net.Send(sim.Message{From: trace.PartyRouter, To: r.To.Party(), Kind: r.Call.Kind,
		Body: routedRequest{route: r.ID, kind: r.Call.Kind, req: r.Call.Req, tokenFault: r.TokenFault}, Fields: []trace.Field{trace.F("route", r.ID)}})
}

// onInstance delivers a message to an instance: an answer it still awaits, or a routed request.
func (w *World) onInstance(m *site.Member, msg sim.Message) {
	if !m.Alive() {
		return
	}
	switch b := msg.Body.(type) {
	case httpResponse:
		if m.Settle(-b.id) {
			m.HTTPDone(b.id, host.HTTPResult{Status: b.status})
		}
	case blobResponse:
		if m.Settle(b.id) {
			m.BlobDone(b.id, b.result)
		}
	case routedRequest:
		m.Request(b.route, b.kind, b.req, b.tokenFault)
	}
}
