package world

import (
	"encoding/json"
	"time"

	"strconv"

	"github.com/syncsim/syncsim/fakes/blob"
	"github.com/syncsim/syncsim/fakes/mesh"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/trace"
	"github.com/syncsim/syncsim/sim"
)

// requests through the site router
type adminCall struct {
	kind     string
	callerID int
	req      host.AdminRequest
	// pin asks the router for one instance (concurrent syncs inside an instance).
	pin string
	// tokenFault is the firing key of a token-invalid fault that replaced the request's token.
	tokenFault string
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
	// span and instance name the sync span that answered a MSG-4.
	span     int
	instance string
}

const kindInstanceResponse = "instance.response"

// onStorage performs a blob call against the blob model and answers.
func (w *World) onStorage(m sim.Message) {
	req := m.Body.(blobRequest)
	res, delay, faulted := w.storageFaults(req)
	if !faulted {
		res = w.blobOp(req.call)
	}
	kind, fields := StorageRecord(w.sc.Site.HostID, req.call, res)
	if faulted {
		kind, fields = "blob.op", append(fields[:len(fields):len(fields)], trace.F("faulted", true))
		if fields[len(fields)-2].Key == "value" {
			fields = append(fields[:len(fields)-2], fields[len(fields)-1])
		}
	}
	w.k.Trace.Add(partyStorage, kind, fields...)
	if !faulted {
		w.recordLease(req.call.Op, InstanceParty(req.node), req.call, res)
	}
	answer := func() {
		w.net.Send(sim.Message{From: partyStorage, To: InstanceParty(req.node), Kind: kindBlobResponse,
			Body: blobResponse{id: req.call.ID, result: res}, Fields: []trace.Field{trace.F("id", req.call.ID), trace.F("status", res.Status)}})
	}
	if delay > 0 {
		w.k.After(delay, answer)
		return
	}
	answer()
}

func (w *World) blobOp(c host.BlobCall) host.BlobResult {
	now := w.now()
	var (
		res  host.BlobResult
		err  error
		cond = blob.Conditions{IfNoneMatch: c.IfNoneMatch}
	)
	switch c.Op {
	case host.BlobExists:
		var p blob.Properties
		p, err = w.blobs.GetProperties(now, c.Container, c.Blob, cond)
		res = host.BlobResult{Status: 200, ETag: p.ETag}
	case host.BlobDownload:
		var data []byte
		var p blob.Properties
		data, p, err = w.blobs.Download(now, c.Container, c.Blob, cond)
		res = host.BlobResult{Status: 200, Data: data, ETag: p.ETag}
	case host.BlobUpload:
		var p blob.Properties
		p, err = w.blobs.Upload(now, c.Container, c.Blob, c.Data, cond)
		res = host.BlobResult{Status: 201, ETag: p.ETag}
	case host.BlobAcquireLease:
		var id string
		id, err = w.blobs.AcquireLease(now, c.Container, c.Blob, c.Duration, c.LeaseID, blob.Conditions{})
		res = host.BlobResult{Status: 201, LeaseID: id}
	case host.BlobRenewLease:
		err = w.blobs.RenewLease(now, c.Container, c.Blob, c.LeaseID)
		res = host.BlobResult{Status: 200, LeaseID: c.LeaseID}
	default:
		panic("world: unknown blob op " + string(c.Op))
	}
	if err != nil {
		status := blob.StatusOf(err)
		code := ""
		var be *blob.Error
		if asBlobError(err, &be) {
			code = be.Code
		}
		return host.BlobResult{Status: status, Code: code}
	}
	return res
}

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
	now := w.now()
	resp, out := w.fe.SetTriggers(now, mesh.Request{Method: req.send.Method, Path: "/operations/settriggers", Headers: headers, Body: req.send.Body})
	w.tokenCheck(partyFrontEnd, "frontend", m.From, sent, resp.Status != 401 && resp.Status != 403, fault)
	kind, fields := FrontEndRecord(resp.Status, out, m.From, trace.F("msg", m.ID), trace.F("duplicate", m.Duplicate))
	w.k.Trace.Add(partyFrontEnd, kind, fields...)
	if out.Stored {
		w.storeSnapshot("write")
	}
	w.net.Send(sim.Message{From: partyFrontEnd, To: m.From, Kind: kindMSG1Response,
		Body: httpResponse{id: req.send.ID, status: resp.Status, target: partyFrontEnd}, Fields: []trace.Field{trace.F("id", req.send.ID), trace.F("status", resp.Status)}})
}

// onMesh handles MSG-2 notifications and the answers to the mesh's fetches.
func (w *World) onMesh(m sim.Message) {
	switch b := m.Body.(type) {
	case httpRequest:
		if w.meshFault(m, b) {
			return
		}
		resp, effects := w.mesh.Notify(w.meshNow(), mesh.Request{Method: b.send.Method, Path: "/", Headers: b.send.Headers, Body: b.send.Body})
		w.performMesh(effects)
		w.net.Send(sim.Message{From: partyMesh, To: m.From, Kind: kindMSG2Response,
			Body: httpResponse{id: b.send.ID, status: resp.Status, target: partyMesh}, Fields: []trace.Field{trace.F("id", b.send.ID), trace.F("status", resp.Status)}})
	case adminAnswer:
		t, ok := w.meshFetches[b.callerID]
		if !ok {
			return
		}
		t.Stop()
		delete(w.meshFetches, b.callerID)
		w.k.Trace.Add(partyMesh, "mesh.fetch.done", trace.F("fetch", b.callerID), trace.F("status", b.status))
		w.performMesh(w.mesh.FetchDone(w.meshNow(), b.callerID, b.status, b.body, b.revision))
	}
}

func (w *World) performMesh(effects []mesh.Effect) {
	tr := w.k.Trace
	for _, e := range effects {
		if kind, fields, ok := MeshRecord(e); ok {
			tr.Add(partyMesh, kind, fields...)
			if kind == "store.write" {
				w.storeSnapshot("write")
			}
			continue
		}
		switch e := e.(type) {
		case mesh.SetTimer:
			w.meshTimers[e.Key].Stop()
			key := e.Key
			w.meshTimers[key] = w.k.After(e.After, func() {
				delete(w.meshTimers, key)
				w.performMesh(w.mesh.Timer(w.meshNow(), key))
			})
		case mesh.Fetch:
			w.meshFetch(e)
		}
	}
}

func (w *World) meshFetch(f mesh.Fetch) {
	if in := w.engine.first("fetch", "token-expiry"); in != nil {
		// TOK-4 with an expiry well past the 5-minute skew.
		if key, err := host.ParseKey(w.sc.Site.EncryptionKey); err == nil {
			if tok, err := host.IssuePlatformToken(key, w.sc.Site.Name, w.meshNow().Add(-30*time.Minute), 10*time.Minute); err == nil {
				f.Headers = map[string]string{"x-ms-site-token": tok}
				w.engine.fire(in, partyMesh, trace.F("fetch", f.ID))
			}
		}
	}
	w.k.Trace.Add(partyMesh, "mesh.fetch", trace.F("fetch", f.ID), trace.F("attempt", f.Attempt), trace.F("cover", f.Cover),
		trace.F("token", trace.SecretDigest([]byte(f.Headers["x-ms-site-token"]))))
	id := f.ID
	w.meshFetches[id] = w.k.After(f.Timeout, func() {
		delete(w.meshFetches, id)
		w.k.Trace.Add(partyMesh, "mesh.fetch.done", trace.F("fetch", id), trace.F("status", 0), trace.F("error", "timeout"))
		w.performMesh(w.mesh.FetchDone(w.meshNow(), id, 0, nil, 0))
	})
	w.net.Send(sim.Message{From: partyMesh, To: partyRouter, Kind: kindMSG3,
		Body:   adminCall{kind: kindMSG3, callerID: id, req: host.AdminRequest{Method: "GET", Path: host.PathTriggers, Headers: f.Headers}},
		Fields: []trace.Field{trace.F("fetch", id)}})
}

// onRouter is the site router (PROTOCOL.md section 1): it forwards a request to a running, ready
// instance of its seeded choice, or answers 503 when there is none, and relays the answers.
func (w *World) onRouter(m sim.Message) {
	switch b := m.Body.(type) {
	case adminCall:
		if b.kind == kindMSG3 && w.fetchFault(m.From, b) {
			return
		}
		if b.kind == kindMSG3 || (b.kind == kindMSG4 && !hasAdminKey(b.req.Headers)) {
			b.req.Headers, b.tokenFault = w.badToken(tokenEndpoint(b.kind), m.From, b.req.Headers)
		}
		inst, ok := w.router.Pick(w.life.Ready())
		if pinned, live := w.life.Get(b.pin); b.pin != "" && live && pinned.State == sim.Running {
			inst, ok = pinned, true
		}
		if !ok {
			w.k.Trace.Add(partyRouter, "router.none", trace.F("kind", b.kind))
			w.routerAnswer(&route{caller: m.From, callerID: b.callerID, kind: b.kind}, 503, nil, 0)
			return
		}
		w.nextRoute++
		w.routes[w.nextRoute] = &route{caller: m.From, callerID: b.callerID, instance: inst.Name, kind: b.kind}
		w.k.Trace.Add(partyRouter, "router.route", trace.F("route", w.nextRoute), trace.F("kind", b.kind), trace.F("instance", inst.Name), trace.F("call", b.callerID))
		w.net.Send(sim.Message{From: partyRouter, To: InstanceParty(inst.Name), Kind: b.kind,
			Body: routedRequest{route: w.nextRoute, kind: b.kind, req: b.req, tokenFault: b.tokenFault}, Fields: []trace.Field{trace.F("route", w.nextRoute)}})
	case instanceResponse:
		r, ok := w.routes[b.route]
		if !ok {
			return
		}
		delete(w.routes, b.route)
		r.id, r.span = b.route, b.span
		w.routerAnswer(r, b.resp.Status, b.resp.Body, b.revision)
	}
}

func (w *World) routerAnswer(r *route, status int, body []byte, revision int) {
	kind := kindMSG4Response
	switch r.kind {
	case kindMSG3:
		kind = kindMSG3Response
	case kindKeys:
		kind = kindKeysResponse
	}
	w.net.Send(sim.Message{From: partyRouter, To: r.caller, Kind: kind,
		Body:   adminAnswer{callerID: r.callerID, status: status, body: body, revision: revision, route: r.id, span: r.span, instance: r.instance},
		Fields: []trace.Field{trace.F("call", r.callerID), trace.F("status", status), trace.F("body", trace.SecretDigest(body))}})
}

// onClient records the answers to admin calls and key API calls.
func (w *World) onClient(m sim.Message) {
	b := m.Body.(adminAnswer)
	fields := []trace.Field{trace.F("call", b.callerID), trace.F("route", b.route), trace.F("kind", m.Kind), trace.F("status", b.status)}
	if b.span != 0 {
		fields = append(fields, trace.F("instance", b.instance), trace.F("span", b.span))
	}
	// MSG-4's body is {"status":"success"} or {"status":"<SYNC-7 text>"}: no secret in it.
	var body struct {
		Status string `json:"status"`
	}
	if m.Kind == kindMSG4Response && json.Unmarshal(b.body, &body) == nil && body.Status != "" {
		fields = append(fields, trace.F("result", body.Status))
	}
	w.k.Trace.Add(partyClient, "client.response", fields...)
	if m.Kind == kindMSG4Response {
		w.retryAfter(b.callerID, b.status)
	}
}

// tokenCheck records an endpoint's judgement of a token with the token's own facts (P8).
func (w *World) tokenCheck(party, endpoint, sender string, headers map[string]string, accepted bool, fault string) {
	kind, fields := TokenCheckRecord(endpoint, w.sc.Site.Name, sender, w.sc.Site.EncryptionKey, headers, w.now(), accepted, fault)
	w.k.Trace.Add(party, kind, fields...)
}

// adminTokenCheck records the token checks of a request the instance answered: MSG-3 unless the host
// was not running (503 comes before the token is read), and MSG-4 authorized by a token, not the
// admin key (TOK-6), whose refusal is an immediate 401.
func (w *World) adminTokenCheck(n *node, b routedRequest, effects []host.Effect) {
	if b.kind != kindMSG3 && (b.kind != kindMSG4 || hasAdminKey(b.req.Headers)) {
		return
	}
	sender, status := partyMesh, 0
	if b.kind == kindMSG4 {
		sender = partyClient
	}
	for _, e := range effects {
		if r, ok := e.(host.Respond); ok && r.ReqID == b.route {
			status = r.Response.Status
		}
	}
	if b.kind == kindMSG3 && (status == 0 || status == 503) {
		return
	}
	w.tokenCheck(n.party, tokenEndpoint(b.kind), sender, b.req.Headers, status != 401 && status != 403, b.tokenFault)
}

func tokenEndpoint(kind string) string {
	if kind == kindMSG3 {
		return "msg3"
	}
	return "msg4"
}

// hasAdminKey reports whether a request carries x-functions-key (TOK-6), which MSG-4 takes instead of
// a token.
func hasAdminKey(h map[string]string) bool { return headerValue(h, "x-functions-key") != "" }
