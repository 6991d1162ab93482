package check

import (
	"strings"
	"testing"
)

// routed is the records of one routed admin request: the router's route and forwarding, the
// delivery at instance/a, and extra records of the instance at the delivery's moment.
func routed(route, kind, at string, extra ...string) []string {
	msg := "1" + route // a message id: the request's, distinct from its answer's (2<route>)
	lines := []string{
		"@" + at + " router router.route route=" + route + " kind=" + kind + " instance=a call=" + route,
		"@" + at + " router net.send msg=" + msg + " to=instance/a kind=" + kind + " route=" + route,
		"@" + at + " instance/a net.deliver msg=" + msg + " from=router kind=" + kind,
	}
	for _, e := range extra {
		lines = append(lines, "@"+at+" instance/a "+e)
	}
	return lines
}

func answer(route, at, status string) string {
	return "@" + at + " instance/a net.send msg=2" + route + " to=router kind=instance.response route=" + route + " status=" + status
}

func token(endpoint, iss, aud string) string {
	return "token.check endpoint=" + endpoint + " site=app sender=mesh accepted=true now=1500 form=present alg=HS256 iss=" + iss +
		" aud=" + aud + " exp=2000 nbf=1000 iat=1000 hs256=ok"
}

func lines(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

const (
	legion     = "https://legion.core.azurewebsites.net"
	appService = "https://appservice.core.azurewebsites.net"
	siteAud    = "https://app.azurewebsites.net"
)

// P19: the answer a token owes, by endpoint and issuer/audience pair (TOK-4, TOK-5, PR #11697).
func TestP19AdminAuthorization(t *testing.T) {
	start := []string{"@0s instance/a host.start revision=1"}
	cases := []struct {
		name, endpoint, kind, iss, aud, status string
		want                                   Status
		ev                                     string
	}{
		{"MSG-3 grants Legion's token", "msg3", "msg3.request", legion, siteAud, "200", Pass, ""},
		{"MSG-3 grants Legion's token for the /azurefunctions audience", "msg3", "msg3.request", legion, siteAud + "/azurefunctions", "200", Pass, ""},
		{"MSG-3 refuses App Service's valid token with 403", "msg3", "msg3.request", appService, siteAud, "403", Pass, ""},
		{"MSG-3 grants the platform claim to App Service's token", "msg3", "msg3.request", appService, siteAud, "200", Fail, "the contract owes 403"},
		{"MSG-3 answers 401 where 403 is owed", "msg3", "msg3.request", "https://app.azurewebsites.net", siteAud, "401", Fail, "the contract owes 403"},
		{"MSG-3 refuses Legion's valid token", "msg3", "msg3.request", legion, siteAud, "403", Fail, "a grant"},
		{"MSG-3 answers 403 to a wrong audience, owed 401", "msg3", "msg3.request", legion, appService, "403", Fail, "the contract owes 401"},
		{"MSG-4 grants the scm site's valid token", "msg4", "msg4.request", "https://app.scm.azurewebsites.net", siteAud, "200", Pass, ""},
		{"MSG-4 refuses a valid token without the platform claim", "msg4", "msg4.request", appService, siteAud, "403", Fail, "a grant"},
		{"MSG-4 answers 401 to a wrong issuer", "msg4", "msg4.request", "https://login.example.net", siteAud, "401", Pass, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := script(lines(start, routed("1", c.kind, "10s", token(c.endpoint, c.iss, c.aud)), []string{answer("1", "10.01s", c.status)})...)
			expect(t, AdminAuthorization(Input{Trace: tr}), c.want, 1, c.ev)
		})
	}
	t.Run("a receiver under clock-skew is not judged", func(t *testing.T) {
		tr := script(lines(start, []string{"@5s world fault.fire fault=clock-skew party=instance/a injected=true"},
			routed("1", "msg3.request", "10s", token("msg3", appService, siteAud)), []string{answer("1", "10.01s", "200")})...)
		expect(t, AdminAuthorization(Input{Trace: tr}), Pass, 0)
	})
}

// P20: what MSG-4 is told against the deciding publish (PROTOCOL.md section 7).
func TestP20CallerToldTruth(t *testing.T) {
	start := []string{"@0s instance/a host.start revision=1"}
	call := "sync.call span=1 background=false origin=admin request=1"
	fe := func(status string) []string {
		return []string{
			"@10s instance/a sync.publish span=1 background=false target=frontend hash=h triggers=1 bytes=10",
			"@10.02s instance/a http.result id=5 span=1 target=frontend status=" + status,
		}
	}
	meshFailed := []string{
		"@10.03s instance/a sync.publish span=1 background=false target=mesh hash=h triggers=1 bytes=10",
		"@10.04s instance/a http.result id=6 span=1 target=mesh status=500",
	}
	end := func(success string) string {
		return "@10.05s instance/a sync.end span=1 background=false origin=admin success=" + success + " published=" + success + " hash=h"
	}
	cases := []struct {
		name  string
		lines []string
		want  Status
		n     int
		ev    string
	}{
		{"additive: the best-effort MSG-2 failed, the sync succeeded", lines(start, routed("1", "msg4.request", "10s", call), fe("200"), meshFailed,
			[]string{end("true"), answer("1", "10.06s", "200")}), Pass, 2, ""},
		{"additive: the best-effort MSG-2 failed the sync", lines(start, routed("1", "msg4.request", "10s", call), fe("200"), meshFailed,
			[]string{end("false"), answer("1", "10.06s", "500")}), Fail, 2, "ended with success=false"},
		{"a failed MSG-1 answered 500", lines(start, routed("1", "msg4.request", "10s", call), fe("503"),
			[]string{end("false"), answer("1", "10.06s", "500")}), Pass, 1, ""},
		{"told success before the span ended", lines(start, routed("1", "msg4.request", "10s", call), []string{answer("1", "10.01s", "200")}, fe("503"),
			[]string{end("false")}), Fail, 1, "before its span 1"},
		{"told success by no sync", lines(start, routed("1", "msg4.request", "10s"), []string{answer("1", "10.01s", "200")}), Fail, 1, "without a sync span of its own"},
		{"told failure although the deciding publish got 2xx", lines(start, routed("1", "msg4.request", "10s", call), fe("200"),
			[]string{end("true"), answer("1", "10.06s", "500")}), Fail, 2, "which owed 200"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expect(t, CallerToldTruth(Input{Trace: spaced(script(c.lines...))}), c.want, c.n, c.ev)
		})
	}
}

// P21: every instance serves the admin requests routed to it.
func TestP21AdminServedWhereRouted(t *testing.T) {
	up := []string{"@0s instance/a instance.create reason=scale-out index=3", "@1s instance/a host.start revision=1"}
	cases := []struct {
		name  string
		lines []string
		want  Status
		n     int
		ev    string
	}{
		{"MSG-4 syncs on a late non-primary", lines(up, routed("1", "msg4.request", "10s", "sync.call span=1 background=false origin=admin request=1"),
			[]string{answer("1", "10.1s", "200")}), Pass, 1, ""},
		{"MSG-4 answered without a sync", lines(up, routed("1", "msg4.request", "10s"), []string{answer("1", "10.01s", "200")}), Fail, 1,
			"without starting a sync on this instance"},
		{"the key API syncs", lines(up, routed("2", "keys.request", "10s", "sync.call span=1 background=false origin=keys"),
			[]string{answer("2", "10.01s", "200")}), Pass, 1, ""},
		{"the key API syncs nowhere", lines(up, routed("2", "keys.request", "10s"), []string{answer("2", "10.01s", "200")}), Fail, 1,
			"started no sync on this instance"},
		{"MSG-3 answered 503 by a running host", lines(up, routed("3", "msg3.request", "10s"), []string{answer("3", "10.01s", "503")}), Fail, 1,
			"(not primary, started late)"},
		{"MSG-3 with a granted token answered 200", lines(up, routed("3", "msg3.request", "10s", token("msg3", legion, siteAud)),
			[]string{answer("3", "10.01s", "200")}), Pass, 1, ""},
		{"a host not running is not judged", lines([]string{"@0s instance/a instance.create reason=initial index=0"},
			routed("1", "msg4.request", "10s"), []string{answer("1", "40s", "503")}), Pass, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := AdminServedWhereRouted(Input{Trace: script(c.lines...)})
			expect(t, v, c.want, c.n, c.ev)
			if c.n > 0 && (v.Metrics["non_primary"] != 1 || v.Metrics["late_instance"] != 1) {
				t.Fatalf("metrics %v, want one request on a late non-primary", v.Metrics)
			}
		})
	}
}

// P22: the max-wait while the mesh waits to retry, and the 100 ms before each retry (MESH-4, MESH-6).
func TestP22TimingUnderRetries(t *testing.T) {
	fault := "@9s world fault.fire fault=fetch-status injected=true"
	end := "@60s world run.end reason=end complete=true"
	cases := []struct {
		name  string
		lines []string
		want  Status
		n     int
		ev    string
	}{
		{"a notification during the retry wait is fetched at once", []string{fault,
			"@10s mesh mesh.accept notification=1",
			"@10.3s mesh mesh.fetch fetch=1 attempt=1 cover=1",
			"@10.4s mesh mesh.fetch.done fetch=1 status=503",
			"@12s mesh mesh.accept notification=2",
			"@12.25s mesh mesh.fetch fetch=2 attempt=2 cover=2",
			"@12.3s mesh mesh.fetch.done fetch=2 status=200", end}, Pass, 2, ""},
		{"a notification held back for the backoff", []string{fault,
			"@10s mesh mesh.accept notification=1",
			"@10.3s mesh mesh.fetch fetch=1 attempt=1 cover=1",
			"@10.4s mesh mesh.fetch.done fetch=1 status=503",
			"@12s mesh mesh.accept notification=2",
			"@18.4s mesh mesh.fetch fetch=2 attempt=2 cover=2",
			"@18.5s mesh mesh.fetch.done fetch=2 status=200", end}, Fail, 2, "while no fetch was in flight"},
		{"a notification during a failing fetch waits for the retry", []string{fault,
			"@10s mesh mesh.accept notification=1",
			"@10.3s mesh mesh.fetch fetch=1 attempt=1 cover=1",
			"@10.35s mesh mesh.accept notification=2",
			"@10.4s mesh mesh.fetch.done fetch=1 status=503",
			"@18.4s mesh mesh.fetch fetch=2 attempt=2 cover=2",
			"@18.5s mesh mesh.fetch.done fetch=2 status=200", end}, Pass, 1, ""},
		{"a retry 50 ms after the failure", []string{fault,
			"@10s mesh mesh.accept notification=1",
			"@10.3s mesh mesh.fetch fetch=1 attempt=1 cover=1",
			"@10.4s mesh mesh.fetch.done fetch=1 status=503",
			"@10.45s mesh mesh.fetch fetch=2 attempt=2 cover=1",
			"@10.5s mesh mesh.fetch.done fetch=2 status=200", end}, Fail, 2, "owes at least 100 ms"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := TimingUnderRetries(Input{Trace: script(c.lines...)})
			expect(t, v, c.want, c.n, c.ev)
			if c.want == Fail && !strings.Contains(strings.Join(v.EvidenceText(), "\n"), "#") {
				t.Fatalf("evidence cites no record: %q", v.Evidence)
			}
		})
	}
}
