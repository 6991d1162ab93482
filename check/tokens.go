package check

import "github.com/syncsim/syncsim/trace"

// skewFaults are the injected faults that make a reference sender itself issue tokens that are
// expired or not yet valid: they excuse the sender they name for the rest of the run.
var skewFaults = map[string]bool{"clock-skew": true, "token-expiry": true}

// NoInvalidTokenAccepted is P8 (TOK-2..5, FE-2, HOST-1, MESH-3), judged by this package's own token
// oracle (tokenoracle.go) on the facts each token.check records, never on a validator's answer:
//   - an endpoint that accepts a token the oracle says it must refuse fails P8;
//   - a reference sender that presents a token that is not what TOK-3 (MSG-1), TOK-4 (MSG-3) or TOK-5
//     (MSG-4) make it owe fails P8, unless the token was replaced by an injected token-invalid fault (the
//     record names its firing key in `fault`) or the sender is under an injected clock-skew or
//     token-expiry fault (a fault.fire naming it, earlier in the run; decided here: such a fault
//     excuses the sender for the rest of the run, since a token issued under it may still be in
//     flight after faults_end). A check without a sender is judged on acceptance only.
//
// Decided here: an endpoint that REJECTS a token the oracle calls valid for it is over-strict (it
// breaks FE-1 or MSG-3's liveness, which P1 and P4 judge), not an accepted invalid token; P8 reports
// each such rejection as a "note:" in its evidence and counts them in Metrics["over_strict"], without
// failing.
func NoInvalidTokenAccepted(in Input) (v Verdict) {
	v = newVerdict(PropP8)
	defer failOnMalformed(&v)
	var vs violations
	var notes []Evidence
	faulted := map[string]*trace.Record{}
	fired := map[string]bool{}
	overStrict := 0
	for i := range in.Trace.Records {
		r := &in.Trace.Records[i]
		switch r.Kind {
		case trace.KindFaultFire:
			fire := must(trace.AsFaultFire, r)
			if skewFaults[fire.Fault] {
				for _, p := range faultParties(r) {
					faulted[p] = r
				}
			}
			if fire.Fault == "token-invalid" {
				fired[fire.Key] = true
			}
		case trace.KindTokenCheck:
			v.Checked++
			if note := judgeToken(r, faulted, fired, &vs); note.Text != "" {
				overStrict++
				if len(notes) < 5 {
					notes = append(notes, note)
				}
			}
		}
	}
	vs.judge(&v, "token check(s) broke the property")
	if overStrict > 0 {
		v.Metrics = map[string]int64{"over_strict": int64(overStrict)}
		v.Evidence = append(v.Evidence, notes...)
	}
	return v
}

// faultParties are the parties a fault.fire names: its own, and those its params name (the firer's
// params, in the fault catalogue's words).
func faultParties(r *trace.Record) []string {
	params := must(trace.AsFaultFire, r).Params
	out := []string{r.Party}
	for _, k := range []string{"target", "party", "sender", "instance"} {
		if p := params.Get(k); p != "" {
			out = append(out, p, trace.InstanceParty(p))
		}
	}
	return out
}

// judgeToken adds the violations of one token check and returns a note for an over-strict rejection
// (Text "" when there is none).
func judgeToken(r *trace.Record, faulted map[string]*trace.Record, fired map[string]bool, vs *violations) Evidence {
	tok := must(trace.AsTokenCheck, r)
	endpoint, sender := tok.Endpoint, tok.Sender
	f := factsOf(r)
	refusal := oracleRefusal(endpoint, f)
	accepted := tok.Accepted
	if accepted && refusal != "" {
		vs.add(cite("endpoint ", endpoint, " accepted an invalid token at ", r, " (sender ", sender, "): ", refusal))
	}
	injected := tok.Fault != "" && fired[tok.Fault]
	if sender != "" && !injected && faulted[sender] == nil {
		if why := oracleNonconformance(endpoint, f); why != "" {
			vs.add(cite("reference sender ", sender, " presented an invalid token at ", r, " (endpoint ", endpoint,
				"): ", why, "; under no injected token fault (token-invalid, clock-skew, token-expiry)"))
		}
	}
	if !accepted && refusal == "" {
		return cite("note: endpoint ", endpoint, " refused a token the contract makes it accept at ", r, " (over-strict; FE-1/MSG-3)")
	}
	return Evidence{}
}
