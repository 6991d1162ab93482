package check

import (
	"strings"

	"github.com/syncsim/syncsim/trace"
)

// The admin requests of a run as the site router and the network record them, for P19, P20 and P21:
// each request the router forwarded (router.route) with the instance it chose, the record of its
// delivery there (net.deliver of the router's net.send that carries its route), the token.check the
// instance wrote on it, the answer the instance sent back (its net.send carrying the route and a
// status), and the sync span it started (sync.call with request = the route; for the key API, the
// sync.call with origin keys the instance wrote on the delivery). Traces without the network's
// records (live runs) link nothing, and the properties built on them examine nothing there.

// adminRequest is one routed admin request.
type adminRequest struct {
	route    string
	kind     string // trace.MsgMSG3, MsgMSG4 or MsgKeys
	instance string // the instance's party
	routed   *trace.Record
	// deliver is the request's first delivery at the instance (nil: never delivered).
	deliver *trace.Record
	// token is the instance's token.check of the request (nil: none recorded).
	token *trace.Record
	// answer is the instance's first answer (nil: none); answers are all of them, in order (a
	// duplicated delivery is answered twice).
	answer  *trace.Record
	answers []*trace.Record
	// call is the first sync span the request started (nil: none); calls are all of them (one per
	// delivery).
	call  *trace.Record
	calls []*trace.Record
	// running, primary and late describe the instance at the delivery: its host ran, it held the
	// primary lease (per its own primary records), it was started after the run's first instances.
	running, primary, late bool
}

// status is the instance's answer's status (0: no answer).
func (a *adminRequest) status() int {
	if a.answer == nil {
		return 0
	}
	return orZero(must(trace.AsNetSend, a.answer).Status)
}

// role names the instance's role at the delivery, for evidence.
func (a *adminRequest) role() string {
	var parts []string
	if a.primary {
		parts = append(parts, "primary")
	} else {
		parts = append(parts, "not primary")
	}
	if a.late {
		parts = append(parts, "started late")
	}
	return strings.Join(parts, ", ")
}

// spanRecords are one sync span's records on one instance.
type spanRecords struct {
	call, end *trace.Record
	publishes []*trace.Record
	// results are the first http.result of each publish id, in the order they came.
	results []*trace.Record
}

// deciding is the span's deciding publish result: the first answer to its first publish (MSG-1 in
// frontend and additive mode, MSG-2 in the notification modes; PROTOCOL.md section 7). ok is false
// when the span published nothing or got no answer recorded.
func (s *spanRecords) deciding() (*trace.Record, bool) {
	if len(s.publishes) == 0 || len(s.results) == 0 {
		return nil, false
	}
	first := must(trace.AsSyncPublish, s.publishes[0]).Target
	for _, r := range s.results {
		if must(trace.AsHTTPResult, r).Target == first {
			return r, true
		}
	}
	return nil, false
}

// adminIndex holds a run's routed admin requests and sync spans.
type adminIndex struct {
	requests []*adminRequest
	spans    map[string]*spanRecords // party + "\x00" + span id
}

func spanKey(party, span string) string { return party + "\x00" + span }

// isRequestKind reports whether a message kind is one of the admin requests the router forwards.
func isRequestKind(kind string) bool {
	return kind == trace.MsgMSG3 || kind == trace.MsgMSG4 || kind == trace.MsgKeys
}

// indexAdmin folds a trace into its admin requests and spans.
func indexAdmin(recs []trace.Record) *adminIndex {
	x := &adminIndex{spans: map[string]*spanRecords{}}
	byRoute := map[string]*adminRequest{}
	routeOfMsg := map[uint64]string{}          // the router's message -> the route it carries
	lastDelivery := map[string]*adminRequest{} // instance party -> the request delivered last
	running, primary, late := map[string]bool{}, map[string]bool{}, map[string]bool{}
	seenHTTP := map[string]bool{}
	for i := range recs {
		r := &recs[i]
		switch r.Kind {
		case trace.KindInstanceCreate:
			late[r.Party] = must(trace.AsInstanceCreate, r).Reason != "initial"
		case trace.KindHostStart:
			running[r.Party] = true
		case trace.KindHostStop, trace.KindInstanceDelete:
			running[r.Party] = false
		case trace.KindPrimary:
			primary[r.Party] = must(trace.AsPrimary, r).Primary
		case trace.KindRouterRoute:
			rr := must(trace.AsRouterRoute, r)
			a := &adminRequest{route: itoa(rr.Route), kind: rr.Kind, instance: trace.InstanceParty(rr.Instance), routed: r}
			byRoute[a.route] = a
			x.requests = append(x.requests, a)
		case trace.KindNetSend:
			x.onSend(r, byRoute, routeOfMsg)
		case trace.KindNetDeliver:
			a := byRoute[routeOfMsg[must(trace.AsNetDelivery, r).Msg]]
			if a == nil || r.Party != a.instance {
				continue
			}
			lastDelivery[r.Party] = a
			if a.deliver == nil {
				a.deliver = r
				a.running, a.primary, a.late = running[r.Party], primary[r.Party], late[r.Party]
			}
		case trace.KindTokenCheck:
			if a := lastDelivery[r.Party]; a != nil && a.deliver != nil && a.deliver.At == r.At && a.token == nil {
				a.token = r
			}
		case trace.KindSyncCall:
			c := must(trace.AsSyncCall, r)
			x.span(r, itoa(c.Span)).call = r
			if a := byRoute[itoa(c.Request)]; a != nil && c.Request != 0 && a.instance == r.Party {
				a.addCall(r)
			} else if a := lastDelivery[r.Party]; a != nil && a.kind == trace.MsgKeys && c.Origin == "keys" &&
				a.deliver != nil && a.deliver.At == r.At && a.call == nil {
				a.addCall(r)
			}
		case trace.KindSyncPublish:
			s := x.span(r, itoa(must(trace.AsSyncPublish, r).Span))
			s.publishes = append(s.publishes, r)
		case trace.KindHTTPResult:
			res := must(trace.AsHTTPResult, r)
			k := r.Party + "\x00" + itoa(res.ID)
			if seenHTTP[k] {
				continue
			}
			seenHTTP[k] = true
			id := "" // an older trace's result names no span
			if res.Span != nil {
				id = itoa(*res.Span)
			}
			s := x.span(r, id)
			s.results = append(s.results, r)
		case trace.KindSyncEnd:
			x.span(r, itoa(must(trace.AsSyncEnd, r).Span)).end = r
		}
	}
	return x
}

// onSend links the router's forwarding of a request to its route, and an instance's answer to the
// request it answers.
func (x *adminIndex) onSend(r *trace.Record, byRoute map[string]*adminRequest, routeOfMsg map[uint64]string) {
	send := must(trace.AsNetSend, r)
	if send.Route == nil {
		return
	}
	if r.Party == trace.PartyRouter && isRequestKind(send.Kind) {
		routeOfMsg[send.Msg] = itoa(*send.Route)
		return
	}
	if a := byRoute[itoa(*send.Route)]; a != nil && r.Party == a.instance && send.Status != nil {
		if a.answer == nil {
			a.answer = r
		}
		a.answers = append(a.answers, r)
	}
}

// span is the span numbered id ("" for none) of r's party.
func (x *adminIndex) span(r *trace.Record, id string) *spanRecords {
	k := spanKey(r.Party, id)
	s := x.spans[k]
	if s == nil {
		s = &spanRecords{}
		x.spans[k] = s
	}
	return s
}

func (a *adminRequest) addCall(r *trace.Record) {
	if a.call == nil {
		a.call = r
	}
	a.calls = append(a.calls, r)
}

// spansOf are the spans a request started, in the order they were called.
func (x *adminIndex) spansOf(a *adminRequest) []*spanRecords {
	out := make([]*spanRecords, 0, len(a.calls))
	for _, c := range a.calls {
		if s := x.spans[spanKey(c.Party, itoa(must(trace.AsSyncCall, c).Span))]; s != nil {
			out = append(out, s)
		}
	}
	return out
}
