package check

import (
	"strings"

	"github.com/syncsim/syncsim/sim"
)

// ErrorSurfaced is P9 (SYNC-7, MSG-4): a failed sync says so, with the SYNC-7 text, and is not silent
// in the log. Three judgements, over the spans that failed or whose deciding publish failed:
//   - a sync.end with success=false carries one of the SYNC-7/SYNC-1 texts, and the instance logged a
//     Warning or Error line between the span's sync.call and its sync.end;
//   - a span whose first sync.publish (the one that decides the result in every mode) got a non-2xx or
//     no answer (http.result) ends with success=false; a later publish (additive mode's best-effort
//     mesh notification after the FE) is not judged;
//   - a MSG-4 answer to a failed admin span has status 500 and result equal to the span's error.
//
// MSG-4 answers name no span, so they are linked by time order: admin spans queue up as they end and
// each MSG-4 client.response with status 200 or 500 (a sync's answers: 401/403/503 answers come from
// no sync) answers the oldest waiting one; an answer lost on the way (net.drop, net.lost of a MSG-4
// answer, see answerLoss) removes the oldest waiting span, and a repeated call id (a duplicated
// answer) is not counted twice.
func ErrorSurfaced(in Input) Verdict {
	v := newVerdict(PropP9)
	vs := violations{secrets: in.Secrets}
	spans := collectSpans(in.Trace.Records)
	for _, s := range spans {
		if s.end == nil || !(s.end.Get("success") == "false" || publishFailed(s)) {
			continue
		}
		v.Checked++
		judgeSpanEnd(s, &vs)
	}
	judgeAnswers(in.Trace.Records, spans, &vs)
	vs.judge(&v, "failure(s) not surfaced")
	return v
}

func publishFailed(s *span) bool {
	return len(s.results) > 0 && s.results[0] != nil && failed(s.results[0])
}

func judgeSpanEnd(s *span, vs *violations) {
	end := s.end
	if end.Get("success") != "false" {
		r := s.results[0]
		vs.add(s.name() + " ended with success at " + ref(*end) + " although its publish " + ref(*s.publishes[0]) +
			" failed (" + ref(*r) + " status " + r.Get("status") + ")")
		return
	}
	if !isFailureText(end.Get("error")) {
		vs.add(s.name() + " failed at " + ref(*end) + " with error " + quote(end.Get("error")) + ", not a SYNC-7 text")
	}
	if !s.warned {
		vs.add(s.name() + " failed at " + ref(*end) + " without a Warning or Error log line during the span")
	}
}

// judgeAnswers checks the MSG-4 answers to failed admin spans.
func judgeAnswers(recs []sim.Record, spans []*span, vs *violations) {
	ends := map[*sim.Record]*span{}
	for _, s := range spans {
		if s.end != nil && s.origin() == "admin" {
			ends[s.end] = s
		}
	}
	var waiting []*span
	lost := newAnswerLoss()
	msg4Calls, answered := map[string]bool{}, map[string]bool{}
	for i := range recs {
		r := &recs[i]
		switch {
		case ends[r] != nil:
			waiting = append(waiting, ends[r])
		case r.Kind == "client.call" && (strings.Contains(r.Get("kind"), "msg4") || strings.HasSuffix(r.Get("path"), "/admin/host/synctriggers")):
			msg4Calls[r.Get("call")] = true
		case lost.apply(r) && len(waiting) > 0:
			waiting = waiting[1:]
		case r.Kind == "client.response" && isSyncAnswer(r, msg4Calls) && !answered[r.Get("call")] && len(waiting) > 0:
			answered[r.Get("call")] = true
			judgeAnswer(waiting[0], r, vs)
			waiting = waiting[1:]
		}
	}
}

// answerLoss follows the network records far enough to tell when a MSG-4 answer is lost on its way:
// the instance's answer to the router (instance.response of a route the router opened for MSG-4) or
// the router's answer to the client (msg4.response), dropped (net.drop) or undeliverable (net.lost).
type answerLoss struct {
	sent       map[string]*sim.Record // net.send by msg id
	routeKinds map[string]string      // router.route: route -> request kind
}

func newAnswerLoss() *answerLoss {
	return &answerLoss{sent: map[string]*sim.Record{}, routeKinds: map[string]string{}}
}

// apply folds one record in and reports whether it loses a MSG-4 answer.
func (a *answerLoss) apply(r *sim.Record) bool {
	switch r.Kind {
	case "net.send":
		a.sent[r.Get("msg")] = r
	case "router.route":
		a.routeKinds[r.Get("route")] = r.Get("kind")
	case "net.drop", "net.lost":
		send := a.sent[r.Get("msg")]
		if send == nil {
			return strings.Contains(r.Get("kind"), "msg4")
		}
		kind := send.Get("kind")
		return strings.Contains(kind, "msg4") ||
			kind == "instance.response" && strings.Contains(a.routeKinds[send.Get("route")], "msg4")
	}
	return false
}

func isSyncAnswer(r *sim.Record, msg4Calls map[string]bool) bool {
	if !msg4Calls[r.Get("call")] && !strings.Contains(r.Get("kind"), "msg4") {
		return false
	}
	st := r.Get("status")
	return st == "200" || st == "500"
}

func judgeAnswer(s *span, r *sim.Record, vs *violations) {
	if s.end.Get("success") != "false" {
		return
	}
	if r.Get("status") != "500" || r.Get("result") != s.end.Get("error") {
		vs.add("MSG-4 answer " + ref(*r) + " (status " + r.Get("status") + ", result " + quote(r.Get("result")) +
			") to " + s.name() + " which failed at " + ref(*s.end) + " with " + quote(s.end.Get("error")) +
			"; want status 500 and that text")
	}
}

func quote(s string) string { return "\"" + s + "\"" }
