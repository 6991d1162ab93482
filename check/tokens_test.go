package check

import (
	"sort"
	"strings"
	"testing"
)

// The site of the token tests, and a virtual "now" in unix seconds (2026-01-01T00:10:00Z).
const (
	tkSite = "myapp"
	tkNow  = 1767226200
)

var (
	tkSiteURL = "https://myapp.azurewebsites.net"
	tkNowS    = "1767226200.000"
)

// tok renders a token.check line: a TOK-3 token (frontend) or a TOK-4 token (msg3, msg4) valid at
// tkNow, with fields overridden (a value "-" removes the field).
func tok(party, endpoint, sender string, accepted bool, over ...string) string {
	f := map[string]string{"endpoint": endpoint, "site": tkSite, "sender": sender, "now": tkNowS,
		"form": "present", "alg": "HS256", "hs256": "ok", "iat": itoa(tkNow), "nbf": itoa(tkNow), "exp": itoa(tkNow + 300)}
	if accepted {
		f["accepted"] = "true"
	} else {
		f["accepted"] = "false"
	}
	if endpoint == "frontend" {
		f["iss"], f["aud"] = tkSiteURL, oracleAppService
	} else {
		f["iss"], f["aud"] = oracleLegion, tkSiteURL
	}
	for _, kv := range over {
		k, v, _ := strings.Cut(kv, "=")
		if v == "-" {
			delete(f, k)
		} else {
			f[k] = v
		}
	}
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	line := party + " token.check"
	for _, k := range keys {
		line += " " + k + "=" + f[k]
	}
	return line
}

func TestTokenOracleRefusals(t *testing.T) {
	cases := []struct {
		endpoint string
		over     []string
		refuse   string // "" when the endpoint must accept
	}{
		// each valid issuer and audience of the sets
		{"frontend", nil, ""},
		{"msg3", nil, ""},
		{"msg3", []string{"aud=" + tkSiteURL + "/azurefunctions"}, ""},
		{"msg4", []string{"iss=" + oracleAppService}, ""},
		{"msg4", []string{"iss=" + oracleLegion}, ""},
		{"msg4", []string{"iss=https://myapp.scm.azurewebsites.net"}, ""},
		{"msg4", []string{"iss=" + tkSiteURL}, ""},
		{"msg4", []string{"aud=" + tkSiteURL + "/azurefunctions"}, ""},
		{"msg3", []string{`aud=["https://other","` + tkSiteURL + `"]`, "aud_form=list"}, ""},
		// MSG-3 needs the platform claim: a valid TOK-5 token of another issuer is refused (403)
		{"msg3", []string{"iss=" + oracleAppService}, "no platform claim"},
		// the FE takes exactly TOK-3's pair
		{"frontend", []string{"aud=" + tkSiteURL}, "audience"},
		{"frontend", []string{"iss=" + oracleLegion}, "issuer"},
		// near misses
		{"msg3", []string{"aud=" + tkSiteURL + ".evil"}, "audience"},
		{"msg3", []string{"aud=" + tkSiteURL + "/azurefunctionsX"}, "audience"},
		{"msg4", []string{"aud=" + tkSiteURL + ".evil"}, "audience"},
		{"frontend", []string{"aud=" + oracleAppService + ".evil"}, "audience"},
		{"msg3", []string{"iss=" + oracleLegion + ".evil"}, "issuer"},
		{"msg3", []string{"iss=HTTPS://LEGION.CORE.AZUREWEBSITES.NET"}, "issuer"},
		{"frontend", []string{"iss=" + tkSiteURL + ".evil"}, "issuer"},
		{"msg4", []string{"iss=https://login.example.net"}, "issuer"},
		{"msg3", []string{"iss=-"}, "issuer"},
		{"msg3", []string{"aud=-"}, "audience"},
		// algorithm, signature, form
		{"msg3", []string{"alg=none"}, "not HS256"},
		{"frontend", []string{"alg=HS512"}, "not HS256"},
		{"msg3", []string{"hs256=bad"}, "signature"},
		{"frontend", []string{"form=absent"}, "no token"},
		{"msg4", []string{"form=malformed"}, "malformed"},
		{"msg3", []string{"crit=true"}, "critical"},
		{"msg3", []string{"bad_claims=exp"}, "wrong type"},
		{"msg3", []string{"exp=-"}, "no exp"},
		// lifetime against the skew: exactly 5 minutes is still inside
		{"msg3", []string{"exp=" + itoa(tkNow-300)}, ""},
		{"msg3", []string{"exp=" + itoa(tkNow-300), "now=1767226200.001"}, "expired"},
		{"frontend", []string{"exp=" + itoa(tkNow-301)}, "expired"},
		{"msg3", []string{"nbf=" + itoa(tkNow+300)}, ""},
		{"msg3", []string{"nbf=" + itoa(tkNow+301)}, "not valid before"},
		{"frontend", []string{"nbf=" + itoa(tkNow+600), "iat=" + itoa(tkNow+600), "exp=" + itoa(tkNow+900)}, "not valid before"},
		{"msg4", []string{"nbf=-"}, ""},
	}
	for _, c := range cases {
		r := script(tok("x", c.endpoint, "s", true, c.over...)).Records[0]
		got := oracleRefusal(c.endpoint, factsOf(&r))
		if (c.refuse == "") != (got == "") || !strings.Contains(got, c.refuse) {
			t.Errorf("%s %v: refusal %q, want %q", c.endpoint, c.over, got, c.refuse)
		}
	}
}

func TestTokenOracleSenderRules(t *testing.T) {
	cases := []struct {
		endpoint string
		over     []string
		why      string
	}{
		{"frontend", nil, ""},
		{"msg3", []string{"exp=" + itoa(tkNow+3600)}, ""},
		{"msg3", []string{"exp=" + itoa(tkNow+3601)}, "TOK-4"},
		{"msg3", []string{"aud=" + tkSiteURL + "/azurefunctions"}, "not TOK-4's"},
		{"frontend", []string{"exp=" + itoa(tkNow+600)}, "TOK-3"},
		{"frontend", []string{"iat=-"}, "iat or nbf"},
		{"msg4", []string{"iss=" + oracleAppService, "iat=-"}, ""},
	}
	for _, c := range cases {
		r := script(tok("x", c.endpoint, "s", true, c.over...)).Records[0]
		got := oracleNonconformance(c.endpoint, factsOf(&r))
		if (c.why == "") != (got == "") || !strings.Contains(got, c.why) {
			t.Errorf("%s %v: %q, want %q", c.endpoint, c.over, got, c.why)
		}
	}
}

func TestP8NoInvalidTokenAccepted(t *testing.T) {
	cases := []struct {
		name    string
		lines   []string
		want    Status
		checked int
		ev      []string
	}{
		{"valid tokens; invalid ones refused from faulted senders", []string{
			tok("frontend", "frontend", "instance/a", true),
			"instance/b fault.fire fault=clock-skew target=instance/b injected=true",
			tok("frontend", "frontend", "instance/b", false, "nbf="+itoa(tkNow+360), "iat="+itoa(tkNow+360), "exp="+itoa(tkNow+660)),
			"mesh fault.fire fault=token-expiry injected=true",
			tok("instance/a", "msg3", "mesh", false, "exp="+itoa(tkNow-1200)),
			"router fault.fire fault=token-invalid key=token-invalid@msg4#1 kind=alg-none injected=true",
			tok("instance/a", "msg4", "client", false, "alg=none", "hs256=bad", "fault=token-invalid@msg4#1"),
		}, Pass, 4, nil},
		{"a near-miss audience accepted", []string{
			"router fault.fire fault=token-invalid key=token-invalid@msg3#1 injected=true",
			tok("instance/a", "msg3", "mesh", true, "aud="+tkSiteURL+".evil", "fault=token-invalid@msg3#1"),
		}, Fail, 1, []string{"endpoint msg3 accepted an invalid token at #2 ", "audience"}},
		{"a not-yet-valid token accepted by the FE", []string{
			tok("frontend", "frontend", "instance/a", true, "nbf="+itoa(tkNow+600)),
		}, Fail, 1, []string{"endpoint frontend accepted", "not valid before"}},
		{"unfaulted sender sends an invalid token", []string{
			tok("frontend", "frontend", "instance/a", false, "exp=-"),
		}, Fail, 1, []string{"reference sender instance/a presented an invalid token at #1 ", "no exp"}},
		{"a fault on another party or of another kind does not excuse", []string{
			"instance/b fault.fire fault=clock-skew injected=true",
			"instance/a fault.fire fault=delete-instance injected=true",
			tok("frontend", "frontend", "instance/a", false, "hs256=bad"),
		}, Fail, 1, []string{"at #3 "}},
		{"a token-invalid key that never fired does not excuse", []string{
			tok("instance/a", "msg3", "mesh", false, "hs256=bad", "fault=token-invalid@msg3#9"),
		}, Fail, 1, []string{"reference sender mesh"}},
		{"the fault comes after the check", []string{
			tok("frontend", "frontend", "instance/a", false, "hs256=bad"),
			"instance/a fault.fire fault=clock-skew injected=true",
		}, Fail, 1, []string{"at #1 "}},
		{"an over-strict refusal is a note", []string{
			tok("instance/a", "msg3", "mesh", false, "iat="+itoa(tkNow-600), "nbf="+itoa(tkNow-600), "exp="+itoa(tkNow-300)),
		}, Pass, 1, []string{"note: endpoint msg3 refused a token the contract makes it accept"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := NoInvalidTokenAccepted(Input{Trace: script(c.lines...)})
			expect(t, v, c.want, c.checked, c.ev...)
			if strings.Contains(c.name, "over-strict") && v.Metrics["over_strict"] != 1 {
				t.Fatalf("metrics %v", v.Metrics)
			}
		})
	}
}
