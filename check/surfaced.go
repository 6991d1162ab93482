package check

import "github.com/syncsim/syncsim/trace"

// ErrorSurfaced is P9 (SYNC-7, MSG-4): a failed sync says so, with the SYNC-7 text, and is not silent
// in the log. Three judgements, over the spans that failed or whose deciding publish failed:
//   - a sync.end with success=false carries one of the SYNC-7/SYNC-1 texts, and the instance logged
//     one of those texts at Warning or Error between the span's sync.call and its sync.end (a line
//     that says the sync failed: the oversize fallback's Warning does not);
//   - a span whose first sync.publish (the one that decides the result in every mode) got a non-2xx or
//     no answer (http.result) ends with success=false; a later publish (additive mode's best-effort
//     mesh notification after the FE) is not judged;
//   - a MSG-4 answer to a failed admin span has status 500 and result equal to the span's error.
//
// MSG-4 answers name the span that gave them (see judgeAnswers).
func ErrorSurfaced(in Input) (v Verdict) {
	v = newVerdict(PropP9)
	defer failOnMalformed(&v)
	vs := violations{secrets: in.Secrets}
	spans := collectSpans(in.Trace.Records)
	for _, s := range spans {
		if s.end == nil || !(!must(trace.AsSyncEnd, s.end).Success || publishFailed(s)) {
			continue
		}
		v.Checked++
		judgeSpanEnd(s, &vs)
	}
	v.Checked += judgeAnswers(in.Trace.Records, spans, &vs)
	vs.judge(&v, "failure(s) not surfaced")
	return v
}

func publishFailed(s *span) bool {
	return len(s.results) > 0 && s.results[0] != nil && failed(s.results[0])
}

func judgeSpanEnd(s *span, vs *violations) {
	end := s.end
	e := must(trace.AsSyncEnd, end)
	if e.Success {
		r := s.results[0]
		vs.add(cite(s.name(), " ended with success at ", end, " although its publish ", s.publishes[0],
			" failed (", r, " status ", trace.F("status", must(trace.AsHTTPResult, r).Status), ")"))
		return
	}
	if !isFailureText(e.Error) {
		vs.add(cite(s.name(), " failed at ", end, " with error ", quoted("error", e.Error), ", not a SYNC-7 text"))
	}
	if !s.warned {
		vs.add(cite(s.name(), " failed at ", end, " without a Warning or Error log line saying so (a SYNC-7 text) during the span"))
	}
}

// judgeAnswers checks the MSG-4 answers to failed admin spans. A client.response names the span
// that gave it (instance and span) when a sync answered; answers that no sync gave (502 when the
// instance died, 503 without a host, 401) name none and are not judged. It returns the number of
// answers to failed spans it judged.
func judgeAnswers(recs []trace.Record, spans []*span, vs *violations) (judged int) {
	byKey := map[string]*span{}
	for _, s := range spans {
		byKey[s.party+"\x00"+s.id] = s
	}
	for i := range recs {
		r := &recs[i]
		if r.Kind != trace.KindClientResponse {
			continue
		}
		a := must(trace.AsClientResponse, r)
		if a.Span == 0 { // no sync gave the answer
			continue
		}
		s := byKey[trace.InstanceParty(a.Instance)+"\x00"+itoa(a.Span)]
		if s != nil && s.end != nil && (a.Status == 200 || a.Status == 500) && !must(trace.AsSyncEnd, s.end).Success {
			judged++
			judgeAnswer(s, r, vs)
		}
	}
	return judged
}

func judgeAnswer(s *span, r *trace.Record, vs *violations) {
	e := must(trace.AsSyncEnd, s.end)
	if e.Success {
		return
	}
	a := must(trace.AsClientResponse, r)
	if a.Status != 500 || a.Result != e.Error {
		vs.add(cite("MSG-4 answer ", r, " (status ", trace.F("status", a.Status), ", result ",
			quoted("result", a.Result), ") to ", s.name(), " which failed at ", s.end, " with ",
			quoted("error", e.Error), "; want status 500 and that text"))
	}
}

// quoted is a text compared, shown in double quotes.
func quoted(key, s string) shown { return shown{trace.Field{Key: key, Value: s}, "\"" + s + "\""} }
