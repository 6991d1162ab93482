package site

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/trace"
)

// BadToken applies token-invalid at a receiver (target frontend, msg3 or msg4) of a request from
// sender at now: when an injector aimed there fires, it returns a copy of the request's headers
// carrying an invalid token of the injector's kind in place of the sender's, and the firing key the
// token.check record names; else the headers as they are and "". The firing is recorded by the
// receiver's party (the front end, or the site router for msg3 and msg4).
func (f *Faults) BadToken(site host.Site, target, sender string, now time.Time, headers map[string]string) (map[string]string, string) {
	for _, in := range f.Of("token-invalid") {
		if t := in.Spec.Str("target"); t != "any" && t != target {
			continue
		}
		if !f.Roll(in, target) {
			continue
		}
		kind := in.Spec.Str("kind")
		out := map[string]string{}
		for k, v := range headers {
			if !strings.EqualFold(k, "x-ms-site-token") && !strings.EqualFold(k, "Authorization") {
				out[k] = v
			}
		}
		if kind != "stripped" {
			out["x-ms-site-token"] = ForgeToken(site, target, kind, now)
		}
		party := trace.PartyRouter
		if target == "frontend" {
			party = trace.PartyFrontEnd
		}
		f.Fire(in, party, trace.F("kind", kind), trace.F("target", target), trace.F("sender", sender))
		return out, in.Key()
	}
	return headers, ""
}

// ForgeToken makes a token of one kind (faults.BadTokenKinds: invalid, or valid for another issuer
// or audience pair of TOK-5) for a receiver, signed here
// (crypto/hmac), starting from the claims a correct sender would present at now: TOK-3's for the
// front end, TOK-4's for the host.
func ForgeToken(s host.Site, target, kind string, at time.Time) string {
	site := "https://" + s.Name + ".azurewebsites.net"
	const appService, legion = "https://appservice.core.azurewebsites.net", "https://legion.core.azurewebsites.net"
	now := at.Unix()
	iss, aud, wrongIss, wrongAud := legion, site, "https://login.example.net", appService
	if target == "frontend" {
		// The host's own issuer and audience are wrong at the FE, which takes exactly TOK-3's (FE-2).
		iss, aud, wrongIss, wrongAud = site, appService, legion, site
	}
	claims := map[string]any{"iss": iss, "aud": aud, "iat": now, "nbf": now, "exp": now + 300}
	header := map[string]any{"alg": "HS256", "typ": "JWT"}
	key := SiteKey(s.EncryptionKey)
	switch kind {
	case "wrong-audience":
		claims["aud"] = wrongAud
	case "near-miss-audience":
		claims["aud"] = aud + ".evil"
	case "near-miss-audience-path":
		claims["aud"] = aud + "/azurefunctionsX"
	case "wrong-issuer":
		claims["iss"] = wrongIss
	case "near-miss-issuer":
		claims["iss"] = iss + ".evil"
	case "not-yet-valid":
		claims["iat"], claims["nbf"], claims["exp"] = now+600, now+600, now+900
	case "expired":
		claims["iat"], claims["nbf"], claims["exp"] = now-1800, now-1800, now-1200
	case "wrong-key":
		k := sha256.Sum256([]byte("syncsim: not the site's key"))
		key = k[:]
	case "alg-none":
		header["alg"] = "none"
	case "malformed":
		return "not-a-jwt"
	case "issuer-appservice":
		claims["iss"] = appService
	case "issuer-scm":
		claims["iss"] = "https://" + s.Name + ".scm.azurewebsites.net"
	case "issuer-site":
		claims["iss"] = site
	case "audience-functions":
		claims["aud"] = site + "/azurefunctions"
	}
	return signJWT(header, claims, key)
}

// signJWT encodes a JWT: HS256 over the base64url header and claims, or no signature for alg=none.
func signJWT(header, claims map[string]any, key []byte) string {
	hb, _ := json.Marshal(header)
	cb, _ := json.Marshal(claims)
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(hb) + "." + enc.EncodeToString(cb)
	if header["alg"] == "none" {
		return input + "."
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(input))
	return input + "." + enc.EncodeToString(mac.Sum(nil))
}

// FetchHeaders applies token-expiry to a mesh fetch (MSG-3) made at the mesh's clock meshNow: when
// it fires, the fetch carries a TOK-4 token whose expiry is well past the 5-minute skew instead of
// headers; else headers as they are.
func (f *Faults) FetchHeaders(site host.Site, fetch int, meshNow time.Time, headers map[string]string) map[string]string {
	in := f.First("fetch", "token-expiry")
	if in == nil {
		return headers
	}
	key, err := host.ParseKey(site.EncryptionKey)
	if err != nil {
		return headers
	}
	tok, err := host.IssuePlatformToken(key, site.Name, meshNow.Add(-30*time.Minute), 10*time.Minute)
	if err != nil {
		return headers
	}
	f.Fire(in, trace.PartyMesh, trace.F("fetch", fetch))
	return map[string]string{"x-ms-site-token": tok}
}
