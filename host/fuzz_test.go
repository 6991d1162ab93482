package host_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/syncsim/syncsim/host"
)

// The fuzz targets' site, key and clock. The key is TOK-1's hex form.
const fuzzKeyHex = "8f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"

var (
	fuzzNow  = time.Date(2026, 4, 3, 12, 0, 0, 0, time.UTC)
	fuzzSite = host.Site{Name: "demo", HostID: "demo", EncryptionKey: fuzzKeyHex}
	fuzzKeys = host.Keys{Master: "master-key-0123456789"}
)

func fuzzKey(tb testing.TB) []byte {
	tb.Helper()
	k, err := host.ParseKey(fuzzKeyHex)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// tokenReasons is the fixed vocabulary of token errors (token.go): an error text is one of these,
// so it can hold no token, key or claim value (PAY-4).
var tokenReasons = []string{"malformed", "bad signature or algorithm", "unverifiable", "missing required claim",
	"expired", "not yet valid", "invalid claims", "rejected", "wrong issuer", "wrong audience", "no usable key",
	"unsupported critical header"}

// checkTokenError asserts the error contract of ValidateHostToken and ValidateFrontEndToken: a
// missing token is ErrTokenMissing, anything else ErrTokenInvalid, with a fixed text (TOK-5, PAY-4).
func checkTokenError(t *testing.T, err error, token string, key []byte) {
	t.Helper()
	msg := err.Error()
	if token == "" {
		if !errors.Is(err, host.ErrTokenMissing) {
			t.Fatalf("empty token: %v, want ErrTokenMissing", err)
		}
		return
	}
	if !errors.Is(err, host.ErrTokenInvalid) {
		t.Fatalf("rejection is not ErrTokenInvalid: %v", err)
	}
	reason, ok := strings.CutPrefix(msg, host.ErrTokenInvalid.Error()+": ")
	if !ok || !contains(tokenReasons, reason) {
		t.Fatalf("error text %q is not from the fixed vocabulary", msg)
	}
	for _, secret := range []string{token, string(key), base64.StdEncoding.EncodeToString(key), fuzzKeyHex} {
		if len(secret) >= 8 && strings.Contains(msg, secret) {
			t.Fatalf("PAY-4: error text %q holds a credential", msg)
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// checkSignedWithKey asserts that an accepted token is an HS256 JWT whose signature is the HMAC of
// its first two parts under key: re-signing it gives its signature (TOK-2).
func checkSignedWithKey(t *testing.T, token string, key []byte) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("accepted a token of %d parts", len(parts))
	}
	rawHeader, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		t.Fatalf("accepted a token whose header is not base64url: %v", err)
	}
	var header struct {
		Alg string `json:"alg"`
	}
	if err := json.Unmarshal(rawHeader, &header); err != nil || header.Alg != "HS256" {
		t.Fatalf("accepted a token whose header is %q", rawHeader)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(parts[0] + "." + parts[1]))
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, mac.Sum(nil)) {
		t.Fatalf("accepted a token not signed with the key")
	}
}

// tokenSeeds are real tokens and near misses: the tokens the host and the platform issue, other
// algorithms, a key-confusion header, and malformed shapes.
func tokenSeeds(tb testing.TB) []string {
	key := fuzzKey(tb)
	must := func(s string, err error) string {
		if err != nil {
			tb.Fatal(err)
		}
		return s
	}
	sign := func(m jwt.SigningMethod, k any) string {
		return must(jwt.NewWithClaims(m, jwt.MapClaims{"iss": host.IssuerLegion, "aud": fuzzSite.URL(),
			"iat": fuzzNow.Unix(), "nbf": fuzzNow.Unix(), "exp": fuzzNow.Add(time.Hour).Unix()}).SignedString(k))
	}
	platform := must(host.IssuePlatformToken(key, "demo", fuzzNow, time.Hour))
	parts := strings.Split(platform, ".")
	rs256 := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`))
	return []string{
		platform,
		must(host.IssueSiteToken(key, "demo", fuzzNow)),
		must(host.IssueToken(key, host.TokenClaims{Issuer: host.IssuerAppService, Audience: fuzzSite.URL(), Expires: fuzzNow.Add(time.Minute)})),
		must(host.IssueToken(key, host.TokenClaims{Issuer: "https://demo.scm.azurewebsites.net", Audience: fuzzSite.URL() + "/azurefunctions", Expires: fuzzNow.Add(time.Minute)})),
		sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType),
		sign(jwt.SigningMethodHS384, key),
		sign(jwt.SigningMethodHS512, key),
		sign(jwt.SigningMethodHS256, []byte("another key")),
		rs256 + "." + parts[1] + "." + hmacSign(key, rs256+"."+parts[1]),
		parts[0] + "." + parts[1], parts[0] + "..", "..", "", "a.b.c", "Bearer " + platform, platform + "=",
	}
}

func hmacSign(key []byte, signingInput string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(signingInput))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// FuzzValidateToken (issue 9, part 1; TOK-2, TOK-5, PAY-4): ValidateHostToken and
// ValidateFrontEndToken never panic; an accepted token is an HS256 JWT whose signature is the key's
// HMAC of its header and claims, with an accepted issuer and audience and a lifetime around now
// within the skew; a rejection has a fixed error text that never holds the token or the key.
func FuzzValidateToken(f *testing.F) {
	for _, tok := range tokenSeeds(f) {
		f.Add(tok, int64(0))
	}
	f.Add("", int64(time.Hour))
	key := fuzzKey(f)
	f.Fuzz(func(t *testing.T, token string, offset int64) {
		now := fuzzNow.Add(time.Duration(offset % int64(48*time.Hour)))
		site := fuzzSite.URL()
		if c, err := host.ValidateHostToken(key, "demo", token, now); err != nil {
			checkTokenError(t, err, token, key)
		} else {
			checkSignedWithKey(t, token, key)
			issuers := []string{host.IssuerAppService, host.IssuerLegion, "https://demo.scm.azurewebsites.net", site}
			checkClaims(t, c, now, issuers, []string{site, site + "/azurefunctions"})
		}
		if c, err := host.ValidateFrontEndToken(key, "demo", token, now); err != nil {
			checkTokenError(t, err, token, key)
		} else {
			checkSignedWithKey(t, token, key)
			checkClaims(t, c, now, []string{site}, []string{host.IssuerAppService})
		}
	})
}

// checkClaims asserts that accepted claims satisfy TOK-5: issuer and audience in the accepted sets
// (case-insensitively), exp present and not past beyond the skew, nbf not ahead beyond it.
func checkClaims(t *testing.T, c host.TokenClaims, now time.Time, issuers, audiences []string) {
	t.Helper()
	if !containsFold(issuers, c.Issuer) || !containsFold(audiences, c.Audience) {
		t.Fatalf("accepted iss %q aud %q", c.Issuer, c.Audience)
	}
	if c.Expires.IsZero() || now.After(c.Expires.Add(host.ClockSkew)) {
		t.Fatalf("accepted exp %v at %v", c.Expires, now)
	}
	if !c.NotBefore.IsZero() && now.Before(c.NotBefore.Add(-host.ClockSkew)) {
		t.Fatalf("accepted nbf %v at %v", c.NotBefore, now)
	}
	if c.Platform != strings.EqualFold(c.Issuer, host.IssuerLegion) {
		t.Fatalf("platform claim %v for issuer %q", c.Platform, c.Issuer)
	}
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// adminHeaders builds a request's headers from two fuzzed name/value pairs (an empty name is no header).
func adminHeaders(n1, v1, n2, v2 string) map[string]string {
	h := map[string]string{}
	if n1 != "" {
		h[n1] = v1
	}
	if n2 != "" {
		h[n2] = v2
	}
	return h
}

// adminSeeds are requests to the admin API: real tokens in either header, the admin key, and bad
// methods and bodies.
func adminSeeds(f *testing.F, method string) {
	for _, tok := range tokenSeeds(f) {
		f.Add(method, "x-ms-site-token", tok, "", "", []byte(nil), true)
		f.Add(method, "Authorization", "Bearer "+tok, "x-functions-key", fuzzKeys.Master, []byte("{}"), true)
	}
	f.Add(method, "x-functions-key", fuzzKeys.Master, "", "", []byte(nil), true)
	f.Add(method, "X-Functions-Key", fuzzKeys.Master+"x", "x-ms-site-token", "garbage", []byte("\x00\xff"), false)
	f.Add("DELETE", "x-ms-site-token", "a.b.c", "", "", []byte("not json"), true)
	f.Add("get", "", "", "", "", []byte(nil), true)
}

// FuzzServeTriggers (issue 9, part 1; MSG-3, HOST-1, TOK-5, TOK-6): whatever the method, headers
// and body, the answer is one of 200, 401, 403, 405 and 503; 503 only when the host is not running;
// 405 (with Allow: GET) exactly for a method other than GET; 200 exactly for a valid token with the
// platform claim, 403 for a valid token without it, else 401; the payload is built only for a 200
// and a rejection has no body.
func FuzzServeTriggers(f *testing.F) {
	adminSeeds(f, "GET")
	key := fuzzKey(f)
	f.Fuzz(func(t *testing.T, method, n1, v1, n2, v2 string, body []byte, running bool) {
		req := host.AdminRequest{Method: method, Path: host.PathTriggers, Headers: adminHeaders(n1, v1, n2, v2), Body: body}
		built := 0
		resp := host.ServeTriggers(fuzzNow, fuzzSite, req, running, func() host.Payload {
			built++
			return host.Payload{Body: []byte(`{"triggers":[]}`)}
		})
		want := 200
		claims, err := host.ValidateHostToken(key, "demo", host.TokenFromHeaders(req.Headers), fuzzNow)
		switch {
		case method != "GET":
			want = 405
		case !running:
			want = 503
		case err != nil:
			want = 401
		case !claims.Platform:
			want = 403
		}
		if resp.Status != want {
			t.Fatalf("status %d, want %d", resp.Status, want)
		}
		if (built == 1) != (want == 200) || built > 1 {
			t.Fatalf("payload built %d times for a %d", built, resp.Status)
		}
		if want == 405 && resp.Headers["Allow"] != "GET" {
			t.Fatalf("405 without Allow: GET: %v", resp.Headers)
		}
		if (want == 401 || want == 403 || want == 405) && len(resp.Body) != 0 {
			t.Fatalf("a %d has a body: %q", want, resp.Body)
		}
	})
}

// FuzzAuthorizeSync (issue 9, part 1; MSG-4, HOST-2, TOK-6): the answer is 0, 401 or 405; 405
// exactly for a method other than POST; 0 only for the exact admin key or a valid TOK-5 token, and
// always for a POST whose x-functions-key is the master key.
func FuzzAuthorizeSync(f *testing.F) {
	adminSeeds(f, "POST")
	key := fuzzKey(f)
	f.Fuzz(func(t *testing.T, method, n1, v1, n2, v2 string, body []byte, _ bool) {
		req := host.AdminRequest{Method: method, Path: host.PathSyncTriggers, Headers: adminHeaders(n1, v1, n2, v2), Body: body}
		got := host.AuthorizeSync(fuzzNow, fuzzSite, fuzzKeys, req)
		if got != 0 && got != 401 && got != 405 {
			t.Fatalf("status %d outside {0, 401, 405}", got)
		}
		if (got == 405) != (method != "POST") {
			t.Fatalf("status %d for method %q", got, method)
		}
		if method != "POST" {
			return
		}
		keyGiven := false
		for name, v := range req.Headers {
			keyGiven = keyGiven || (strings.EqualFold(name, "x-functions-key") && v == fuzzKeys.Master)
		}
		_, tokErr := host.ValidateHostToken(key, "demo", host.TokenFromHeaders(req.Headers), fuzzNow)
		if got == 0 && !keyGiven && tokErr != nil {
			t.Fatalf("authorized without the admin key or a valid token: %v", req.Headers)
		}
		if req.Headers["x-functions-key"] == fuzzKeys.Master && got != 0 {
			t.Fatalf("the exact admin key is refused (%d)", got)
		}
		if got == 401 && tokErr == nil {
			t.Fatalf("a valid token is refused")
		}
	})
}
