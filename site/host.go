package site

import (
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/trace"
)

// Host is one instance's host machine with the one interpreter of its effects, for every driver (the
// shape of etcd-io/raft's node.go around RawNode): a driver feeds it inputs (start, stop, timers,
// answers, admin requests), and Host steps the machine, writes the records of its effects (span,
// point, publish, hash, primary, log, http.result, http.timeout, blob.timeout, token.check) and
// carries out the rest through the driver's HostEnv, in the machine's order. Once the instance is
// gone (a fault point deleted it), every later effect is dropped, as a process that died there
// would never do it. Host is not safe for concurrent use.
type Host struct {
	m     *host.Machine
	party string
	site  host.Site
	env   HostEnv
	// sends are the outstanding MSG-1/MSG-2 requests by id, for their http.result.
	sends map[int]pendingSend
}

type pendingSend struct {
	span    int
	to      string
	timeout time.Duration
}

// NewHost drives machine m as the instance whose trace party is party, on site (its name and
// encryption key: token.check decodes tokens with it), through env.
func NewHost(m *host.Machine, party string, site host.Site, env HostEnv) *Host {
	return &Host{m: m, party: party, site: site, env: env, sends: map[int]pendingSend{}}
}

// Machine is the host machine (for its read-only state: Running, Primary).
func (h *Host) Machine() *host.Machine { return h.m }

// Party is the instance's party name.
func (h *Host) Party() string { return h.party }

// Start starts the host with what it loads.
func (h *Host) Start(loaded host.Loaded) { h.step(h.m.HostStarted(h.env.HostNow(), loaded)) }

// Stop stops the host inside its instance (a deploy restarts it with Start).
func (h *Host) Stop() { h.step(h.m.HostStopping(h.env.HostNow())) }

// Timer fires the machine's timer key.
func (h *Host) Timer(key string) { h.step(h.m.Timer(h.env.HostNow(), key)) }

// Sync runs a foreground sync (origin names why).
func (h *Host) Sync(origin string) { h.step(h.m.Sync(h.env.HostNow(), origin)) }

// HTTPDone answers MSG-1/MSG-2 id: records its http.result and hands it to the machine.
func (h *Host) HTTPDone(id int, r host.HTTPResult) {
	s := h.sends[id]
	delete(h.sends, id)
	h.env.Record(h.party, trace.HTTPResult(id, s.span, s.to, r.Status, r.Err))
	h.step(h.m.HTTPDone(h.env.HostNow(), id, r))
}

// HTTPTimeout answers MSG-1/MSG-2 id that got no answer within its timeout.
func (h *Host) HTTPTimeout(id int) {
	s := h.sends[id]
	h.env.Record(h.party, trace.HTTPTimeout(id, s.to))
	h.HTTPDone(id, host.HTTPResult{Err: "timeout after " + s.timeout.String()})
}

// BlobDone answers storage call id.
func (h *Host) BlobDone(id int, r host.BlobResult) { h.step(h.m.BlobDone(h.env.HostNow(), id, r)) }

// BlobTimeout answers storage call id (of operation op) that got no answer within the client's
// timeout.
func (h *Host) BlobTimeout(id int, op host.BlobOp) {
	h.env.Record(h.party, trace.BlobTimeout(id, string(op)))
	h.BlobDone(id, host.BlobResult{})
}

// Admin hands admin request id (MSG-3, MSG-4) to the machine, and records the token check of its
// answer (P8). tokenFault is the firing key of an injected token-invalid fault that replaced the
// request's token ("" when none).
func (h *Host) Admin(id int, req host.AdminRequest, tokenFault string) {
	effects := h.m.Admin(h.env.HostNow(), id, req)
	h.tokenCheck(id, req, effects, tokenFault)
	h.step(effects)
}

// PutKey is the key API's PUT /admin/host/keys/{name} as request id: the key is stored already (the
// site's content); the controller runs a foreground sync, then answers 200.
func (h *Host) PutKey(id int) {
	h.Sync("keys")
	if h.env.Alive() {
		h.env.Respond(host.Respond{ReqID: id, Response: host.AdminResponse{Status: 200}})
	}
}

// tokenCheck records the token check of an admin request the host answered: MSG-3 unless the host
// was not running (503 comes before the token is read), and MSG-4 authorized by a token, not the
// admin key (TOK-6), whose refusal is an immediate 401 (a MSG-4 that waits for its sync was accepted).
func (h *Host) tokenCheck(id int, req host.AdminRequest, effects []host.Effect, fault string) {
	endpoint, sender := "msg3", trace.PartyMesh
	switch {
	case req.Path == host.PathTriggers:
	case req.Path == host.PathSyncTriggers && !HasAdminKey(req.Headers):
		endpoint, sender = "msg4", trace.PartyClient
	default:
		return
	}
	status := 0
	for _, e := range effects {
		if r, ok := e.(host.Respond); ok && r.ReqID == id {
			status = r.Response.Status
		}
	}
	if endpoint == "msg3" && (status == 0 || status == 503) {
		return
	}
	h.env.Record(h.party, TokenCheckEvent(endpoint, h.site, sender, req.Headers, h.env.Now(), status != 401 && status != 403, fault))
}

// step carries out the effects of one of the machine's steps, then hands their array back to it.
func (h *Host) step(effects []host.Effect) {
	h.Perform(effects)
	h.m.Recycle(effects)
}

// Perform carries out effects in order: it records those a checker reads and hands the others to
// the driver. It stops at the first effect after the instance is gone.
func (h *Host) Perform(effects []host.Effect) {
	for _, e := range effects {
		if !h.env.Alive() {
			return
		}
		if ev, ok := HostEvent(e); ok {
			h.env.Record(h.party, ev)
		}
		switch e := e.(type) {
		case host.Point:
			h.env.Point(e)
		case host.SetTimer:
			h.env.SetTimer(e.Key, e.After)
		case host.CancelTimer:
			h.env.CancelTimer(e.Key)
		case host.Send:
			h.sends[e.ID] = pendingSend{span: e.Span, to: TargetParty(e.Target), timeout: e.Timeout}
			h.env.Record(h.party, PublishEvent(e))
			h.env.Send(e)
		case host.BlobCall:
			h.env.Blob(e)
		case host.Respond:
			h.env.Respond(e)
		}
	}
}
