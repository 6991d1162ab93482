package check

import (
	"encoding/json"
	"strconv"

	"github.com/syncsim/syncsim/trace"
)

// The token oracle of P8, written from PROTOCOL.md TOK-2..TOK-5, FE-2, MSG-3 and MSG-4 and not from
// the host's validator: it judges the facts a token.check record states about a token (trace/TRACE.md),
// never the token itself.

// Contract constants (TOK-3..TOK-5).
const (
	oracleAppService = "https://appservice.core.azurewebsites.net"
	oracleLegion     = "https://legion.core.azurewebsites.net"
	// oracleSkew is TOK-5's clock skew, in seconds; FE-2 grants the FE the same ("beyond the 5-minute
	// skew"). A token is expired only when now > exp + skew, and not yet valid when nbf > now + skew:
	// exactly at the edge it is still valid.
	oracleSkew = 300
	// oracleSiteLifetime is TOK-3's exp - iat; oraclePlatformMaxLifetime bounds TOK-4's.
	oracleSiteLifetime        = 300
	oraclePlatformMaxLifetime = 3600
)

// tokenFacts are a token.check record's facts about one token.
type tokenFacts struct {
	// form is "absent", "malformed" or "present".
	form     string
	alg      string
	iss      string
	aud      []string
	hasIss   bool
	exp, nbf *float64
	iat      *float64
	sigOK    bool
	crit     bool
	badTypes string
	now      float64
	site     string
}

func factsOf(r *trace.Record) tokenFacts {
	t := must(trace.AsTokenCheck, r)
	f := tokenFacts{form: t.Form, alg: t.Alg, iss: orEmpty(t.Iss), hasIss: t.Iss != nil,
		sigOK: t.HS256 == "ok", crit: t.Crit, badTypes: t.BadClaims, site: t.Site}
	f.now, _ = strconv.ParseFloat(t.Now, 64)
	if t.Aud != nil {
		if t.AudForm == "list" {
			if json.Unmarshal([]byte(*t.Aud), &f.aud) != nil {
				f.badTypes += ",aud"
			}
		} else {
			f.aud = []string{*t.Aud}
		}
	}
	// A NumericDate that is not a number is the token's fault, judged by the oracle, not the record's.
	num := func(k string, p *string) *float64 {
		if p == nil {
			return nil
		}
		v, err := strconv.ParseFloat(*p, 64)
		if err != nil {
			f.badTypes += "," + k
			return nil
		}
		return &v
	}
	f.exp, f.nbf, f.iat = num("exp", t.Exp), num("nbf", t.Nbf), num("iat", t.Iat)
	return f
}

func oracleSiteURL(site string) string { return "https://" + site + ".azurewebsites.net" }

// receiverRules are the issuers and audiences an endpoint takes, and whether it needs the platform
// claim (TOK-4: only the Legion issuer carries it).
func receiverRules(endpoint, site string) (issuers, audiences []string, platform bool) {
	u := oracleSiteURL(site)
	switch endpoint {
	case "frontend":
		// TOK-5's last sentence and FE-2: exactly TOK-3's pair.
		return []string{u}, []string{oracleAppService}, false
	case "msg3":
		// MSG-3: TOK-5's sets, and 403 without the platform claim.
		return tok5Issuers(site), []string{u, u + "/azurefunctions"}, true
	}
	// MSG-4 (HOST-2): any valid TOK-5 token.
	return tok5Issuers(site), []string{u, u + "/azurefunctions"}, false
}

func tok5Issuers(site string) []string {
	return []string{oracleAppService, oracleLegion, "https://" + site + ".scm.azurewebsites.net", oracleSiteURL(site)}
}

// oracleRefusal is why an endpoint must refuse a token ("" when it must accept it): TOK-2 (HS256
// only, signed with the site's key, exp required), TOK-5's lifetime with the skew, and the endpoint's
// exact issuer and audience strings. A header naming critical extensions is refused (RFC 7515
// 4.1.11: the contract defines none).
func oracleRefusal(endpoint string, f tokenFacts) string {
	switch {
	case f.form == "absent":
		return "no token"
	case f.form != "present":
		return "malformed token"
	case f.badTypes != "":
		return "claims of the wrong type (" + f.badTypes + ")"
	case f.alg != "HS256":
		return "alg " + quoteOrNone(f.alg) + " is not HS256 (TOK-2)"
	case !f.sigOK:
		return "the HS256 signature does not verify with the site's key (TOK-2)"
	case f.crit:
		return "a critical header extension"
	case f.exp == nil:
		return "no exp (TOK-2)"
	case f.now > *f.exp+oracleSkew:
		return "expired beyond the 5-minute skew (exp " + secs(*f.exp) + ", now " + secs(f.now) + ")"
	case f.nbf != nil && *f.nbf > f.now+oracleSkew:
		return "not valid before " + secs(*f.nbf) + ", beyond the 5-minute skew (now " + secs(f.now) + ")"
	}
	issuers, audiences, platform := receiverRules(endpoint, f.site)
	if !f.hasIss || !contains(issuers, f.iss) {
		return "issuer " + quoteOrNone(f.iss) + " is not one " + endpoint + " takes"
	}
	if !anyIn(f.aud, audiences) {
		return "audience " + quoteOrNone(audText(f.aud)) + " is not one " + endpoint + " takes"
	}
	if platform && f.iss != oracleLegion {
		return "no platform claim: issuer " + f.iss + " is not TOK-4's (MSG-3 answers 403)"
	}
	return ""
}

// oracleNonconformance is why a token is not what a reference sender must present ("" when it is):
// the receiver's rules, and for the front end TOK-3 exactly (iss, aud, iat, nbf, exp = iat + 5 min),
// for MSG-3 TOK-4 (iss, aud, iat, nbf, 0 < exp - iat <= 1 h). MSG-4's callers owe a valid TOK-5 token.
func oracleNonconformance(endpoint string, f tokenFacts) string {
	if why := oracleRefusal(endpoint, f); why != "" {
		return why
	}
	if endpoint == "msg4" {
		return ""
	}
	if f.iat == nil || f.nbf == nil {
		return "iat or nbf missing (TOK-2)"
	}
	life := *f.exp - *f.iat
	switch endpoint {
	case "frontend":
		if f.aud[0] != oracleAppService || len(f.aud) != 1 {
			return "audience is not TOK-3's"
		}
		if life != oracleSiteLifetime {
			return "exp - iat is " + secs(life) + " s, not TOK-3's 300"
		}
	case "msg3":
		if len(f.aud) != 1 || f.aud[0] != oracleSiteURL(f.site) {
			return "audience is not TOK-4's"
		}
		if life <= 0 || life > oraclePlatformMaxLifetime {
			return "exp - iat is " + secs(life) + " s, not in TOK-4's (0, 3600]"
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// anyIn reports whether one of the token's audiences is one the endpoint takes (RFC 7519 4.1.3).
func anyIn(auds, takes []string) bool {
	for _, a := range auds {
		if contains(takes, a) {
			return true
		}
	}
	return false
}

func audText(auds []string) string {
	if len(auds) == 1 {
		return auds[0]
	}
	b, _ := json.Marshal(auds)
	return string(b)
}

func quoteOrNone(s string) string {
	if s == "" || s == "null" {
		return "(none)"
	}
	return strconv.Quote(s)
}

func secs(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// TokenRefusal is why P8's oracle refuses the token a token.check record describes at its endpoint
// ("" when the oracle calls it valid there). Renderers such as explain use it to name a wrongly
// accepted token with the same reason P8's evidence gives. A token.check its view cannot read is an
// error (a *trace.DecodeError), never a valid token.
func TokenRefusal(r *trace.Record) (string, error) {
	if r.Kind != trace.KindTokenCheck {
		return "", nil
	}
	t, err := trace.AsTokenCheck(*r)
	if err != nil {
		return "", err
	}
	return oracleRefusal(t.Endpoint, factsOf(r)), nil
}
