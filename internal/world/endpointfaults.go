package world

import (
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/sim"
)

// frontEndFault applies fe-timeout (no answer: the host times out after 100 s) and fe-status (an error
// answer, nothing stored). It reports whether it handled the request.
func (w *World) frontEndFault(m sim.Message, req httpRequest) bool {
	e := w.engine
	if in := e.first("frontend", "fe-timeout"); in != nil {
		e.fire(in, partyFrontEnd, sim.F("from", m.From))
		return true
	}
	if in := e.first("frontend", "fe-status"); in != nil {
		status := in.spec.Int("status")
		e.fire(in, partyFrontEnd, sim.F("status", status), sim.F("from", m.From))
		w.net.Send(sim.Message{From: partyFrontEnd, To: m.From, Kind: kindMSG1Response,
			Body: httpResponse{id: req.send.ID, status: status, target: partyFrontEnd}, Fields: []sim.Field{sim.F("id", req.send.ID), sim.F("status", status)}})
		return true
	}
	return false
}

// meshFault applies mesh-timeout, mesh-status and mesh-forward-lost (2xx, but the notification never
// reaches the platform).
func (w *World) meshFault(m sim.Message, req httpRequest) bool {
	e := w.engine
	status := 0
	switch in := e.first("mesh", "mesh-timeout", "mesh-status", "mesh-forward-lost"); {
	case in == nil:
		return false
	case in.spec.Name == "mesh-timeout":
		e.fire(in, partyMesh, sim.F("from", m.From))
		return true
	case in.spec.Name == "mesh-status":
		status = in.spec.Int("status")
		e.fire(in, partyMesh, sim.F("status", status), sim.F("from", m.From))
	default:
		status = 200
		e.fire(in, partyMesh, sim.F("from", m.From))
	}
	w.net.Send(sim.Message{From: partyMesh, To: m.From, Kind: kindMSG2Response,
		Body: httpResponse{id: req.send.ID, status: status, target: partyMesh}, Fields: []sim.Field{sim.F("id", req.send.ID), sim.F("status", status)}})
	return true
}

// fetchFault applies fetch-refused (no connection) and fetch-status at the site's front door.
func (w *World) fetchFault(caller string, b adminCall) bool {
	e := w.engine
	in := e.first("fetch", "fetch-refused", "fetch-status")
	if in == nil {
		return false
	}
	status := 0
	if in.spec.Name == "fetch-status" {
		status = in.spec.Int("status")
	}
	e.fire(in, partyRouter, sim.F("status", status), sim.F("call", b.callerID))
	w.routerAnswer(&route{caller: caller, callerID: b.callerID, kind: b.kind}, status, nil, 0)
	return true
}

// storageFaults applies the blob faults to one storage call: a result that replaces the operation's
// (Status 0: perform it), and an extra latency.
func (w *World) storageFaults(req blobRequest) (host.BlobResult, time.Duration, bool) {
	e := w.engine
	var delay time.Duration
	if in := e.first("storage/"+string(req.call.Op), "blob-latency"); in != nil {
		delay = in.spec.Duration("by")
		e.fire(in, partyStorage, sim.F("op", string(req.call.Op)), sim.F("by", delay))
	}
	if req.call.Blob != host.HashBlobName(w.sc.Site.HostID) {
		return host.BlobResult{}, delay, false
	}
	switch req.call.Op {
	case host.BlobExists, host.BlobDownload:
		if in := e.first("storage/"+string(req.call.Op), "blob-read-error"); in != nil {
			status := in.spec.Int("status")
			e.fire(in, partyStorage, sim.F("op", string(req.call.Op)), sim.F("status", status))
			return host.BlobResult{Status: status, Code: "ServerBusy"}, delay, true
		}
	case host.BlobUpload:
		if in := e.first("storage/"+string(req.call.Op), "blob-write-error"); in != nil {
			status := in.spec.Int("status")
			e.fire(in, partyStorage, sim.F("op", string(req.call.Op)), sim.F("status", status))
			return host.BlobResult{Status: status, Code: "InternalError"}, delay, true
		}
		if in := e.first("storage/"+string(req.call.Op), "blob-lost-write"); in != nil {
			e.fire(in, partyStorage, sim.F("op", string(req.call.Op)))
			return host.BlobResult{Status: 201}, delay, true
		}
	}
	return host.BlobResult{}, delay, false
}

// meshNow is the mesh's own clock: true virtual time plus any injected skew.
func (w *World) meshNow() time.Time { return w.now().Add(w.meshSkew) }
