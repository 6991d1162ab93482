package check

import (
	"strconv"

	"github.com/syncsim/syncsim/trace"
)

// AdminServedWhereRouted is P21 (PROTOCOL.md section 1 "site router", MSG-3, MSG-4, SYNC-8): the
// admin API works on every instance, not only on the primary or the first one. Each request the site
// router forwards to an instance whose host runs when it arrives is served there:
//   - MSG-4, unless refused (401/403), starts a foreground sync on that instance (a sync.call naming
//     the request) and is not answered 503;
//   - a key API call starts its controller's foreground sync on that instance when it arrives;
//   - MSG-3 with a token the contract grants (P19's oracle: a valid Legion token) is not answered 503
//     or 404, and neither 401 nor 403 (those are P19's).
//
// SYNC-8 reserves only the background sync for the primary; foreground syncs and MSG-3 belong to any
// instance the router picks (PR #11697: the platform may fetch from any pod). Metrics count the
// requests judged on instances that were not primary and on instances started after the first ones,
// so a run, or a sweep's seeds, shows which roles it reached.
func AdminServedWhereRouted(in Input) (v Verdict) {
	v = newVerdict(PropP21)
	defer failOnMalformed(&v)
	var vs violations
	var nonPrimary, late int64
	for _, a := range indexAdmin(in.Trace.Records).requests {
		if a.deliver == nil || !a.running {
			continue
		}
		why, judged := servedWhy(a)
		if !judged {
			continue
		}
		v.Checked++
		if !a.primary {
			nonPrimary++
		}
		if a.late {
			late++
		}
		if why != "" {
			vs.add(cite(requestName(a.kind), " (route ", a.route, ") delivered at ", happensAt(a.deliver), " to ", a.instance,
				" (", a.role(), "), whose host ran: ", why))
		}
	}
	vs.judge(&v, "admin request(s) not served by the instance the router chose")
	if v.Checked > 0 {
		v.Metrics = map[string]int64{"non_primary": nonPrimary, "late_instance": late}
	}
	return v
}

// servedWhy is why a delivered request was not served ("" when it was), and whether it is judged.
func servedWhy(a *adminRequest) (string, bool) {
	status := a.status()
	switch a.kind {
	case trace.MsgMSG4:
		if a.answer == nil && a.call == nil {
			return "", false // the instance died with the request, or the run ended first
		}
		switch {
		case status == 401 || status == 403:
			return "", false
		case status == 503:
			return "answered 503 (host not running)", true
		case a.call == nil:
			return "answered " + strconv.Itoa(status) + " without starting a sync on this instance", true
		}
		return "", true
	case trace.MsgKeys:
		if a.call == nil {
			return "the key API's controller started no sync on this instance", true
		}
		return "", true
	case trace.MsgMSG3:
		if a.token == nil || a.answer == nil {
			if a.answer != nil && (status == 503 || status == 404) {
				return "answered " + strconv.Itoa(status) + " to the platform's fetch", true
			}
			return "", false
		}
		if owed, _ := owedAuthorization("msg3", factsOf(a.token)); owed != "grant" {
			return "", false
		}
		if status == 503 || status == 404 {
			return "answered " + strconv.Itoa(status) + " to a fetch whose token the contract grants", true
		}
		return "", true
	}
	return "", false
}

func requestName(kind string) string {
	switch kind {
	case trace.MsgMSG3:
		return "MSG-3"
	case trace.MsgMSG4:
		return "MSG-4"
	}
	return "key API call"
}
