package check

import (
	"strconv"

	"github.com/syncsim/syncsim/trace"
)

// AdminAuthorization is P19 (TOK-4, TOK-5, MSG-3, MSG-4, HOST-1, HOST-2; PR #11697): every answer the
// host's admin API gives to a request carrying a token is the one this package's token oracle
// (tokenoracle.go) computes from the request's recorded token facts, never from the host's
// validator:
//   - a token the endpoint must take is granted (an answer other than 401 and 403): MSG-4 takes any
//     valid TOK-5 token, MSG-3 a valid one issued by Legion (`https://legion.core.azurewebsites.net`,
//     the only issuer carrying the platform claim), with either of TOK-5's audiences;
//   - a valid TOK-5 token of another issuer at MSG-3 is refused with 403: the claim is missing, the
//     token is not (TOK-5: "Valid but without the claim an endpoint needs: 403");
//   - any other token (absent, malformed, wrongly signed, expired, not yet valid, wrong issuer or
//     audience) is refused with 401.
//
// So a platform claim granted for the wrong reason (to another issuer's valid token), a 401 where the
// contract says 403, and a refusal of a token the endpoint must take all fail here; P8 judges only
// acceptance of invalid tokens. Requests are linked to their answers through the network's records
// (routes.go); a receiving instance under an injected clock-skew fault validates on its own clock and
// is not judged. MSG-4 authorized by the admin key (TOK-6) carries no token and is not judged here.
func AdminAuthorization(in Input) (v Verdict) {
	v = newVerdict(PropP19)
	defer failOnMalformed(&v)
	var vs violations
	skewed := skewedParties(in.Trace.Records)
	counts := map[string]int64{}
	for _, a := range indexAdmin(in.Trace.Records).requests {
		if a.token == nil || a.answer == nil || skewed[a.instance] {
			continue
		}
		tok := must(trace.AsTokenCheck, a.token)
		endpoint := tok.Endpoint
		if endpoint != "msg3" && endpoint != "msg4" {
			continue
		}
		v.Checked++
		owed, why := owedAuthorization(endpoint, factsOf(a.token))
		counts[owed]++
		got := a.status()
		if answered := authorizationOf(got); answered != owed {
			vs.add(cite(endpoint, " request (route ", a.route, ") on ", a.instance, " answered ", trace.F("status", strconv.Itoa(got)),
				" at ", happensAt(a.answer), " to the token checked at ", a.token, " (iss ", quoteOrNone(orEmpty(tok.Iss)),
				", aud ", quoteOrNone(orEmpty(tok.Aud)), "): the contract owes ", owedText(owed), why))
		}
	}
	vs.judge(&v, "admin answer(s) that are not what the token owes")
	if v.Checked > 0 {
		v.Metrics = map[string]int64{"granted": counts["grant"], "refused_401": counts["401"], "refused_403": counts["403"]}
	}
	return v
}

// owedAuthorization is what an endpoint owes a token: "grant", "403" (valid, without the platform
// claim MSG-3 needs) or "401", with the oracle's reason for a refusal.
func owedAuthorization(endpoint string, f tokenFacts) (string, string) {
	refusal := oracleRefusal(endpoint, f)
	switch {
	case refusal == "":
		return "grant", ""
	case endpoint == "msg3" && oracleRefusal("msg4", f) == "":
		// Valid under TOK-5 (MSG-4 would take it): only the claim is missing.
		return "403", " (" + refusal + ")"
	}
	return "401", " (" + refusal + ")"
}

// authorizationOf classes an answer's status as owedAuthorization does.
func authorizationOf(status int) string {
	switch status {
	case 401:
		return "401"
	case 403:
		return "403"
	}
	return "grant"
}

func owedText(owed string) string {
	switch owed {
	case "grant":
		return "a grant (neither 401 nor 403)"
	case "403":
		return "403"
	}
	return "401"
}

// skewedParties are the parties an injected clock-skew fault names: their clocks are off, so their
// validation times are not the trace's.
func skewedParties(recs []trace.Record) map[string]bool {
	out := map[string]bool{}
	for i := range recs {
		r := &recs[i]
		if r.Kind == trace.KindFaultFire && must(trace.AsFaultFire, r).Fault == "clock-skew" {
			for _, p := range faultParties(r) {
				out[p] = true
			}
		}
	}
	return out
}
