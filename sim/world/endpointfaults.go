package world

import (
	"time"

	"github.com/syncsim/syncsim/sim"
	"github.com/syncsim/syncsim/trace"
)

// frontEndFault carries out the front end's faults (site.Faults.AtFrontEnd) on a MSG-1. It reports
// whether a fault handled the request.
func (w *World) frontEndFault(m sim.Message, req httpRequest) bool {
	r, ok := w.engine.AtFrontEnd(m.From, len(req.send.Body))
	if ok && !r.NoAnswer {
		w.net.Send(sim.Message{From: trace.PartyFrontEnd, To: m.From, Kind: trace.MsgMSG1Response,
			Body: httpResponse{id: req.send.ID, status: r.Status, target: trace.PartyFrontEnd}, Fields: []trace.Field{trace.F("id", req.send.ID), trace.F("status", r.Status)}})
	}
	return ok
}

// meshFault carries out the mesh's faults (site.Faults.AtMesh) on a MSG-2.
func (w *World) meshFault(m sim.Message, req httpRequest) bool {
	r, ok := w.engine.AtMesh(m.From)
	if ok && !r.NoAnswer {
		w.net.Send(sim.Message{From: trace.PartyMesh, To: m.From, Kind: trace.MsgMSG2Response,
			Body: httpResponse{id: req.send.ID, status: r.Status, target: trace.PartyMesh}, Fields: []trace.Field{trace.F("id", req.send.ID), trace.F("status", r.Status)}})
	}
	return ok
}

// meshNow is the mesh's own clock: true virtual time plus any injected skew.
func (w *World) meshNow() time.Time { return w.now().Add(w.meshSkew) }

// badToken applies token-invalid at a receiver (frontend, msg3, msg4): site.Faults.BadToken at the
// run's virtual time.
func (w *World) badToken(target, sender string, headers map[string]string) (map[string]string, string) {
	return w.engine.BadToken(w.sc.Site, target, sender, w.now(), headers)
}
