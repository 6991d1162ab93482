package site

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/trace"
)

// TokenCheckEvent is the record of an endpoint's judgement of a request's token (P8): what the token
// IS, decoded here without the host's validator, next to whether the endpoint accepted it. The token
// and the key never reach the trace (PAY-4): only the header's alg, the claims iss, aud, exp, nbf and
// iat, and whether the HS256 signature verifies with the site's key (computed here with crypto/hmac).
// now is the receiver's true clock (virtual time in the simulator); fault is the firing key of the
// injected token-invalid fault that replaced the token ("" when none).
func TokenCheckEvent(endpoint string, site host.Site, sender string, headers map[string]string, now time.Time, accepted bool, fault string) trace.Event {
	return trace.TokenCheck(endpoint, site.Name, sender, accepted, now.UnixMilli(), tokenFacts(requestToken(headers), site.EncryptionKey), fault)
}

// HasAdminKey reports whether a request carries x-functions-key (TOK-6), which MSG-4 takes instead of
// a token.
func HasAdminKey(h map[string]string) bool { return headerValue(h, "x-functions-key") != "" }

// maxRecordedClaim bounds the length of a string claim the trace keeps: longer values are cut and
// marked, so a hostile token cannot grow the trace (no accepted issuer or audience is that long).
const maxRecordedClaim = 256

// requestToken finds a request's token as TOK-4 places it: x-ms-site-token first, else
// "Authorization: Bearer". Header names are case-insensitive; an exact match wins, then the first
// variant in sorted order, so map order never decides.
func requestToken(h map[string]string) string {
	if t := strings.TrimSpace(headerValue(h, "x-ms-site-token")); t != "" {
		return t
	}
	auth := strings.TrimSpace(headerValue(h, "Authorization"))
	if scheme, rest, ok := strings.Cut(auth, " "); ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(rest)
	}
	return ""
}

func headerValue(h map[string]string, name string) string {
	if v, ok := h[name]; ok {
		return v
	}
	for _, k := range slices.Sorted(maps.Keys(h)) {
		if strings.EqualFold(k, name) {
			return h[k]
		}
	}
	return ""
}

// SiteKey decodes WEBSITE_AUTH_ENCRYPTION_KEY as TOK-1 says: 64 characters are hex, anything else
// standard base64; nil when unusable.
func SiteKey(s string) []byte {
	if s == "" {
		return nil
	}
	if len(s) == 64 {
		b, err := hex.DecodeString(s)
		if err != nil {
			return nil
		}
		return b
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) == 0 {
		return nil
	}
	return b
}

// tokenFacts decodes a JWT into trace fields: token=absent, token=malformed (not three strict
// base64url segments, or a header or payload that is not a JSON object), or form=present with alg,
// the claims that are there, hs256=ok|bad, crit=true when the header names critical extensions, and
// bad_claims listing claims of the wrong JSON type.
func tokenFacts(tok, encryptionKey string) []trace.Field {
	if tok == "" {
		return []trace.Field{trace.F("form", "absent")}
	}
	parts := strings.Split(tok, ".")
	malformed := []trace.Field{trace.F("form", "malformed")}
	if len(parts) != 3 {
		return malformed
	}
	enc := base64.RawURLEncoding.Strict()
	var header, payload map[string]json.RawMessage
	hb, err1 := enc.DecodeString(parts[0])
	pb, err2 := enc.DecodeString(parts[1])
	sig, err3 := enc.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil || json.Unmarshal(hb, &header) != nil || json.Unmarshal(pb, &payload) != nil ||
		header == nil || payload == nil {
		return malformed
	}
	fields := []trace.Field{trace.F("form", "present")}
	var bad []string
	var alg string
	if raw, ok := header["alg"]; ok && json.Unmarshal(raw, &alg) != nil {
		bad = append(bad, "alg")
	}
	fields = append(fields, trace.F("alg", recordedClaim(alg)))
	for _, name := range []string{"iss", "aud"} {
		raw, ok := payload[name]
		if !ok {
			continue
		}
		v, form, good := stringClaim(raw)
		if !good {
			bad = append(bad, name)
			continue
		}
		fields = append(fields, trace.F(name, v))
		if form != "" {
			fields = append(fields, trace.F(name+"_form", form))
		}
	}
	for _, name := range []string{"exp", "nbf", "iat"} {
		raw, ok := payload[name]
		if !ok {
			continue
		}
		var n json.Number
		d := json.NewDecoder(strings.NewReader(string(raw)))
		d.UseNumber()
		if d.Decode(&n) != nil || len(n) > 32 {
			bad = append(bad, name)
			continue
		}
		if _, err := strconv.ParseFloat(string(n), 64); err != nil {
			bad = append(bad, name)
			continue
		}
		fields = append(fields, trace.F(name, string(n)))
	}
	if _, crit := header["crit"]; crit {
		fields = append(fields, trace.F("crit", true))
	}
	if len(bad) > 0 {
		fields = append(fields, trace.F("bad_claims", strings.Join(bad, ",")))
	}
	return append(fields, trace.F("hs256", signatureVerdict(parts[0]+"."+parts[1], sig, SiteKey(encryptionKey))))
}

// stringClaim reads iss or aud: a string, or (aud, RFC 7519 4.1.3) an array of strings, recorded as
// its JSON text with form=list. ok is false for any other JSON type.
func stringClaim(raw json.RawMessage) (value, form string, ok bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return recordedClaim(s), "", true
	}
	var list []string
	if json.Unmarshal(raw, &list) != nil {
		return "", "", false
	}
	for i := range list {
		list[i] = recordedClaim(list[i])
	}
	b, _ := json.Marshal(list)
	return string(b), "list", true
}

func recordedClaim(s string) string {
	if len(s) <= maxRecordedClaim {
		return s
	}
	return s[:maxRecordedClaim] + "...(cut at " + strconv.Itoa(maxRecordedClaim) + " of " + strconv.Itoa(len(s)) + " bytes)"
}

// signatureVerdict says whether sig is the HS256 MAC of the signing input under the site's key (TOK-2),
// whatever the header's alg claims: "ok" or "bad" (also with no usable key).
func signatureVerdict(input string, sig, key []byte) string {
	if len(key) == 0 {
		return "bad"
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(input))
	if hmac.Equal(mac.Sum(nil), sig) {
		return "ok"
	}
	return "bad"
}
