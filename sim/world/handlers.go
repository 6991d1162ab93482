package world

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/syncsim/syncsim/fakes/mesh"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/sim"
	"github.com/syncsim/syncsim/site"
	"github.com/syncsim/syncsim/trace"
)

// requests through the site router
type adminCall struct {
	kind     string
	callerID int
	req      host.AdminRequest
	// pin asks the router for one instance (concurrent syncs inside an instance).
	pin string
}

type adminAnswer struct {
	callerID int
	status   int
	body     []byte
	revision int
	// route is the router's route for this request (0 when the router answered itself).
	route int
	// span and instance name the sync span whose answer this is (MSG-4), for the trace.
	span     int
	instance string
}

type routedRequest struct {
	route int
	kind  string
	req   host.AdminRequest
	// tokenFault is the firing key of a token-invalid fault that replaced the request's token.
	tokenFault string
}

type instanceResponse struct {
	route    int
	resp     host.AdminResponse
	revision int
	// span is the sync span that answered a MSG-4; the route names its instance.
	span int
}

const kindInstanceResponse = "instance.response"

// onStorage performs a blob call against the blob model and answers.
func (w *World) onStorage(m sim.Message) {
	req := m.Body.(blobRequest)
	res, faulted, delay := w.engine.Storage(req.call, w.sc.Site.HostID, w.blobOp)
	// The request came from its instance's party (fleetEnv.Blob): trace.InstanceParty(req.node).
	caller := m.From
	if !faulted {
		w.recordLease(req.call.Op, caller, req.call, res)
	}
	if delay > 0 {
		to, id, r := caller, req.call.ID, res
		w.k.After(delay, func() { w.storageAnswer(to, id, r) })
		return
	}
	w.storageAnswer(caller, req.call.ID, res)
}

// storageAnswer sends storage's answer to blob call id back to the instance's party to.
func (w *World) storageAnswer(to string, id int, res host.BlobResult) {
	w.net.Send(sim.Message{From: trace.PartyStorage, To: to, Kind: trace.MsgBlobResponse,
		Body: blobResponse{id: id, result: res}, Fields: []trace.Field{trace.F("id", id), trace.F("status", res.Status)}})
}

func (w *World) blobOp(c host.BlobCall) host.BlobResult { return site.BlobOn(w.blobs, w.now(), c) }

// onFrontEnd handles MSG-1.
func (w *World) onFrontEnd(m sim.Message) {
	req := m.Body.(httpRequest)
	if w.frontEndFault(m, req) {
		return
	}
	headers := map[string]string{mesh.RevisionHeader: strconv.Itoa(req.send.Revision)}
	sent, fault := w.badToken("frontend", m.From, req.send.Headers)
	for k, v := range sent {
		headers[k] = v
	}
	resp, _ := w.fe.SetTriggers(mesh.Request{Method: req.send.Method, Path: "/operations/settriggers", Headers: headers, Body: req.send.Body},
		m.From, fault, &trace.Delivery{Msg: m.ID, Duplicate: m.Duplicate})
	w.net.Send(sim.Message{From: trace.PartyFrontEnd, To: m.From, Kind: trace.MsgMSG1Response,
		Body: httpResponse{id: req.send.ID, status: resp.Status, target: trace.PartyFrontEnd}, Fields: []trace.Field{trace.F("id", req.send.ID), trace.F("status", resp.Status)}})
}

// frontEndEnv is the simulator's site.FrontEndEnv: virtual time, and a store snapshot after every
// write (P1, P2, P4, P13).
type frontEndEnv struct{ w *World }

func (e frontEndEnv) Now() time.Time                      { return e.w.now() }
func (e frontEndEnv) Record(party string, ev trace.Event) { e.w.k.Trace.Put(party, ev) }
func (e frontEndEnv) Stored()                             { e.w.storeSnapshot("write") }

// onMesh handles MSG-2 notifications and the answers to the mesh's fetches.
func (w *World) onMesh(m sim.Message) {
	switch b := m.Body.(type) {
	case httpRequest:
		if w.meshFault(m, b) {
			return
		}
		resp := w.mesh.Notify(mesh.Request{Method: b.send.Method, Path: "/", Headers: b.send.Headers, Body: b.send.Body})
		w.net.Send(sim.Message{From: trace.PartyMesh, To: m.From, Kind: trace.MsgMSG2Response,
			Body: httpResponse{id: b.send.ID, status: resp.Status, target: trace.PartyMesh}, Fields: []trace.Field{trace.F("id", b.send.ID), trace.F("status", resp.Status)}})
	case adminAnswer:
		t, ok := w.meshFetches[b.callerID]
		if !ok {
			return
		}
		t.Stop()
		delete(w.meshFetches, b.callerID)
		w.mesh.FetchDone(b.callerID, b.status, b.body, b.revision)
	}
}

// meshEnv is the simulator's site.MeshEnv: the mesh's (possibly skewed) clock, the kernel's timers,
// MSG-3 through the simulated router, and a store snapshot after every write.
type meshEnv struct{ w *World }

var (
	_ site.FrontEndEnv = frontEndEnv{}
	_ site.MeshEnv     = meshEnv{}
)

func (e meshEnv) MeshNow() time.Time                  { return e.w.meshNow() }
func (e meshEnv) Record(party string, ev trace.Event) { e.w.k.Trace.Put(party, ev) }

func (e meshEnv) Observe(eff mesh.Effect) {
	if _, ok := eff.(mesh.Stored); ok {
		e.w.storeSnapshot("write")
	}
}

func (e meshEnv) SetTimer(key string, after time.Duration) {
	w := e.w
	w.meshTimers[key].Stop()
	w.meshTimers[key] = w.k.After(after, func() {
		delete(w.meshTimers, key)
		w.mesh.Timer(key)
	})
}

// FetchHeaders applies token-expiry: the fetch carries a TOK-4 token whose expiry is well past the
// 5-minute skew.
func (e meshEnv) FetchHeaders(f mesh.Fetch) map[string]string {
	return e.w.engine.FetchHeaders(e.w.sc.Site, f.ID, e.w.meshNow(), f.Headers)
}

// Fetch sends MSG-3 to the site router, with the fetch's timeout.
func (e meshEnv) Fetch(f mesh.Fetch) {
	w := e.w
	id := f.ID
	w.meshFetches[id] = w.k.After(f.Timeout, func() {
		delete(w.meshFetches, id)
		w.mesh.FetchTimeout(id)
	})
	w.net.Send(sim.Message{From: trace.PartyMesh, To: trace.PartyRouter, Kind: trace.MsgMSG3,
		Body:   adminCall{kind: trace.MsgMSG3, callerID: id, req: host.AdminRequest{Method: "GET", Path: host.PathTriggers, Headers: f.Headers}},
		Fields: []trace.Field{trace.F("fetch", id)}})
}

// onRouter is the site router's place on the network (site.Router, PROTOCOL.md section 1): calls
// from the mesh and the client, answers from the instances.
func (w *World) onRouter(m sim.Message) {
	switch b := m.Body.(type) {
	case adminCall:
		from, call, kind := m.From, b.callerID, b.kind
		w.router.Receive(site.Call{Kind: kind, From: from, ID: call, Req: b.req, Pin: b.pin,
			Reply: func(a site.Answer) { w.routerAnswer(from, call, kind, a) }})
	case instanceResponse:
		w.router.Answer(b.route, b.span, b.resp, b.revision)
	}
}

// routerAnswer sends the router's answer a to call number call of kind, to its caller's party to.
func (w *World) routerAnswer(to string, call int, kind string, a site.Answer) {
	resp := trace.MsgMSG4Response
	switch kind {
	case trace.MsgMSG3:
		resp = trace.MsgMSG3Response
	case trace.MsgKeys:
		resp = trace.MsgKeysResponse
	}
	w.net.Send(sim.Message{From: trace.PartyRouter, To: to, Kind: resp,
		Body:   adminAnswer{callerID: call, status: a.Status, body: a.Body, revision: a.Revision, route: a.Route, span: a.Span, instance: a.Instance},
		Fields: []trace.Field{trace.F("call", call), trace.F("status", a.Status), trace.F("body", trace.SecretDigest(a.Body))}})
}

// onClient records the answers to admin calls and key API calls.
func (w *World) onClient(m sim.Message) {
	b := m.Body.(adminAnswer)
	a := trace.ClientAnswer{Call: b.callerID, Route: b.route, Kind: m.Kind, Status: b.status, Span: b.span, Instance: b.instance}
	// MSG-4's body is {"status":"success"} or {"status":"<SYNC-7 text>"}: no secret in it.
	var body struct {
		Status string `json:"status"`
	}
	if m.Kind == trace.MsgMSG4Response && json.Unmarshal(b.body, &body) == nil {
		a.Result = body.Status
	}
	w.k.Trace.Put(trace.PartyClient, a.Event())
	if m.Kind == trace.MsgMSG4Response {
		w.retryAfter(b.callerID, b.status)
	}
}
