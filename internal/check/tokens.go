package check

import "github.com/syncsim/syncsim/sim"

// tokenFaults are the injected faults that make a reference sender present an invalid token.
var tokenFaults = map[string]bool{"clock-skew": true, "token-expiry": true, "bad-token": true}

// NoInvalidTokenAccepted is P8 (TOK-2..5, FE-2, HOST-1): no token.check with valid=false and
// accepted=true; and an invalid token comes only from a sender under an injected token fault: a
// fault.fire of clock-skew, token-expiry or bad-token before the check that names the sender (as its
// party, or in a target, party, sender or instance field). Decided here: such a fault excuses the
// sender for the rest of the run (a token issued under it may still be in flight after faults_end);
// a check without a sender is judged on acceptance only.
func NoInvalidTokenAccepted(in Input) Verdict {
	v := newVerdict(PropP8)
	var vs violations
	faulted := map[string]*sim.Record{}
	for i := range in.Trace.Records {
		r := &in.Trace.Records[i]
		switch r.Kind {
		case "fault.fire":
			if tokenFaults[r.Get("fault")] {
				for _, p := range faultParties(r) {
					faulted[p] = r
				}
			}
		case "token.check":
			v.Checked++
			judgeToken(r, faulted, &vs)
		}
	}
	vs.judge(&v, "token check(s) broke the property")
	return v
}

func faultParties(r *sim.Record) []string {
	out := []string{r.Party}
	for _, k := range []string{"target", "party", "sender", "instance"} {
		if p := r.Get(k); p != "" {
			out = append(out, p, "instance/"+p)
		}
	}
	return out
}

func judgeToken(r *sim.Record, faulted map[string]*sim.Record, vs *violations) {
	if r.Get("valid") != "false" {
		return
	}
	sender := r.Get("sender")
	if r.Get("accepted") == "true" {
		vs.add("endpoint " + r.Get("endpoint") + " accepted an invalid token at " + ref(*r) + " (sender " + sender + ")")
		return
	}
	if sender != "" && faulted[sender] == nil {
		vs.add("reference sender " + sender + " presented an invalid token at " + ref(*r) + " (endpoint " +
			r.Get("endpoint") + ") under no injected token fault (clock-skew, token-expiry, bad-token)")
	}
}
