package host

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const testKeyHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

var testNow = time.Date(2026, 4, 3, 12, 0, 0, 0, time.UTC)

func testKey(t *testing.T) []byte {
	t.Helper()
	k, err := ParseKey(testKeyHex)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TOK-1: 64 characters are hex, anything else standard base64; empty or undecodable is invalid, and
// the error never repeats the key.
func TestParseKeyTOK1(t *testing.T) {
	raw := make([]byte, 32)
	for i := range raw {
		raw[i] = byte(i)
	}
	b64 := base64.StdEncoding.EncodeToString(raw)
	tests := []struct {
		name string
		in   string
		want []byte
	}{
		{"hex lowercase", testKeyHex, raw},
		{"hex uppercase", strings.ToUpper(testKeyHex), raw},
		{"base64 of 32 bytes", b64, raw},
		{"short base64", "AAEC", []byte{0, 1, 2}},
		{"64 chars of base64 are read as hex, so invalid", strings.Repeat("QUFB", 16), nil},
		{"not base64", "not base64!", nil},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseKey(tt.in)
			if tt.want == nil {
				if !errors.Is(err, ErrKeyInvalid) {
					t.Fatalf("err = %v, want ErrKeyInvalid", err)
				}
				if tt.in != "" && strings.Contains(err.Error(), tt.in) {
					t.Fatal("PAY-4: error text contains the key")
				}
				return
			}
			if err != nil || !bytes.Equal(got, tt.want) {
				t.Fatalf("ParseKey = %x, %v; want %x", got, err, tt.want)
			}
		})
	}
}

// signWith makes a token with any algorithm, for the TOK-2 rejections.
func signWith(t *testing.T, m jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(m, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func platformClaims(now time.Time) jwt.MapClaims {
	return jwt.MapClaims{"iss": IssuerLegion, "aud": "https://demo.azurewebsites.net",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix()}
}

// TOK-2: only HS256 with the site's key is accepted.
func TestValidateAlgorithmTOK2(t *testing.T) {
	key := testKey(t)
	good := signWith(t, jwt.SigningMethodHS256, key, platformClaims(testNow))
	if _, err := ValidateHostToken(key, "demo", good, testNow); err != nil {
		t.Fatalf("TOK-2 control: HS256 rejected: %v", err)
	}
	tests := []struct {
		name  string
		token string
	}{
		{"alg none", signWith(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, platformClaims(testNow))},
		{"HS384", signWith(t, jwt.SigningMethodHS384, key, platformClaims(testNow))},
		{"HS512", signWith(t, jwt.SigningMethodHS512, key, platformClaims(testNow))},
		{"HS256 with another key", signWith(t, jwt.SigningMethodHS256, []byte("another key of some length"), platformClaims(testNow))},
		{"tampered payload", tamper(good)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ValidateHostToken(key, "demo", tt.token, testNow)
			assertInvalid(t, err, tt.token, key)
		})
	}
}

// tamper swaps the payload segment for one with another audience, keeping the signature.
func tamper(token string) string {
	parts := strings.Split(token, ".")
	parts[1] = base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"https://legion.core.azurewebsites.net","aud":"https://other.azurewebsites.net","exp":9999999999}`))
	return strings.Join(parts, ".")
}

// assertInvalid checks a TOK-5 rejection: ErrTokenInvalid, and no token, token part or key in the
// error text (PAY-4).
func assertInvalid(t *testing.T, err error, token string, key []byte) {
	t.Helper()
	if !errors.Is(err, ErrTokenInvalid) {
		t.Fatalf("err = %v, want ErrTokenInvalid", err)
	}
	msg := err.Error()
	for _, part := range append(strings.Split(token, "."), token, fmt.Sprintf("%x", key), string(key),
		base64.StdEncoding.EncodeToString(key)) {
		if len(part) >= 8 && strings.Contains(msg, part) {
			t.Fatalf("PAY-4: error text %q contains a credential", msg)
		}
	}
}

// TOK-3: the host's token to the FE.
func TestIssueSiteTokenTOK3(t *testing.T) {
	key := testKey(t)
	tok, err := IssueSiteToken(key, "demo", testNow)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := IssueSiteToken(key, "demo", testNow)
	if again != tok {
		t.Error("TOK-3 issuing twice at the same virtual time must give the same token")
	}
	later, _ := IssueSiteToken(key, "demo", testNow.Add(time.Second))
	if later == tok {
		t.Error("TOK-3 a token issued a second later must differ")
	}
	parts := strings.Split(tok, ".")
	header, _ := base64.RawURLEncoding.DecodeString(parts[0])
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	if string(header) != `{"alg":"HS256","typ":"JWT"}` {
		t.Errorf("TOK-3 header %s", header)
	}
	n := testNow.Unix()
	want := fmt.Sprintf(`{"aud":"https://appservice.core.azurewebsites.net","exp":%d,"iat":%d,"iss":"https://demo.azurewebsites.net","nbf":%d}`, n+300, n, n)
	if string(payload) != want {
		t.Errorf("TOK-3 claims\n got %s\nwant %s", payload, want)
	}
	c, err := ValidateFrontEndToken(key, "demo", tok, testNow)
	if err != nil {
		t.Fatalf("TOK-5 FE rejects a TOK-3 token: %v", err)
	}
	if c.Platform || !c.Expires.Equal(testNow.Add(SiteTokenLifetime)) || !c.IssuedAt.Equal(testNow) || !c.NotBefore.Equal(testNow) {
		t.Errorf("TOK-3 claims %+v", c)
	}
	if _, err := IssueSiteToken(nil, "demo", testNow); !errors.Is(err, ErrKeyInvalid) {
		t.Errorf("empty key: err = %v, want ErrKeyInvalid", err)
	}
}

// TOK-4: the platform's token to the host, with the platform claim and at most an hour of life.
func TestIssuePlatformTokenTOK4(t *testing.T) {
	key := testKey(t)
	tests := []struct {
		lifetime time.Duration
		ok       bool
	}{
		{time.Minute, true}, {time.Hour, true}, {time.Hour + time.Second, false}, {0, false}, {-time.Minute, false},
	}
	for _, tt := range tests {
		tok, err := IssuePlatformToken(key, "demo", testNow, tt.lifetime)
		if !tt.ok {
			if err == nil {
				t.Errorf("TOK-4 lifetime %v accepted", tt.lifetime)
			}
			continue
		}
		c, err := ValidateHostToken(key, "demo", tok, testNow)
		if err != nil {
			t.Fatalf("TOK-4 lifetime %v: %v", tt.lifetime, err)
		}
		if !c.Platform || c.Issuer != IssuerLegion || c.Audience != "https://demo.azurewebsites.net" ||
			c.Expires.Sub(c.IssuedAt) != tt.lifetime {
			t.Errorf("TOK-4 claims %+v", c)
		}
	}
}

// TOK-5: the host's accepted issuers and audiences, the 5-minute skew, and every kind of rejection.
func TestValidateHostTokenTOK5(t *testing.T) {
	key := testKey(t)
	const site = "https://demo.azurewebsites.net"
	claims := func(iss, aud string, iat, nbf, exp time.Time) TokenClaims {
		return TokenClaims{Issuer: iss, Audience: aud, IssuedAt: iat, NotBefore: nbf, Expires: exp}
	}
	n := testNow
	ok := func(iss, aud string) TokenClaims { return claims(iss, aud, n, n, n.Add(5*time.Minute)) }
	tests := []struct {
		name     string
		c        TokenClaims
		valid    bool
		platform bool
	}{
		{"iss appservice", ok(IssuerAppService, site), true, false},
		{"iss legion", ok(IssuerLegion, site), true, true},
		{"iss legion, other case", ok(strings.ToUpper(IssuerLegion), site), true, true},
		{"iss scm", ok("https://demo.scm.azurewebsites.net", site), true, false},
		{"iss site", ok(site, site), true, false},
		{"iss site, other case", ok("https://DEMO.azurewebsites.net", site), true, false},
		{"aud azurefunctions", ok(IssuerLegion, site+"/azurefunctions"), true, true},
		{"wrong iss", ok("https://evil.core.azurewebsites.net", site), false, false},
		{"iss of another site", ok("https://other.azurewebsites.net", site), false, false},
		{"missing iss", ok("", site), false, false},
		{"wrong aud (TOK-3's)", ok(IssuerLegion, IssuerAppService), false, false},
		{"aud of another site", ok(IssuerLegion, "https://other.azurewebsites.net"), false, false},
		{"missing aud", ok(IssuerLegion, ""), false, false},
		{"expired within skew", claims(IssuerLegion, site, n.Add(-time.Hour), n.Add(-time.Hour), n.Add(-4*time.Minute)), true, true},
		{"expired beyond skew", claims(IssuerLegion, site, n.Add(-time.Hour), n.Add(-time.Hour), n.Add(-6*time.Minute)), false, false},
		{"nbf future within skew", claims(IssuerLegion, site, n, n.Add(4*time.Minute), n.Add(time.Hour)), true, true},
		{"nbf future beyond skew", claims(IssuerLegion, site, n, n.Add(6*time.Minute), n.Add(time.Hour)), false, false},
		{"exp missing", claims(IssuerLegion, site, n, n, time.Time{}), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := IssueToken(key, tt.c)
			if err != nil {
				t.Fatal(err)
			}
			c, err := ValidateHostToken(key, "demo", tok, testNow)
			if !tt.valid {
				assertInvalid(t, err, tok, key)
				return
			}
			if err != nil {
				t.Fatalf("TOK-5 rejected: %v", err)
			}
			if c.Platform != tt.platform {
				t.Fatalf("Platform = %v, want %v", c.Platform, tt.platform)
			}
		})
	}
}

func TestValidateHostTokenMalformedTOK5(t *testing.T) {
	key := testKey(t)
	good, _ := IssuePlatformToken(key, "demo", testNow, time.Hour)
	for _, tok := range []string{"not-a-jwt", "abc.def", "a.b.c", good + "x", strings.Replace(good, ".", "!", 1)} {
		_, err := ValidateHostToken(key, "demo", tok, testNow)
		assertInvalid(t, err, tok, key)
	}
	if _, err := ValidateHostToken(key, "demo", "", testNow); !errors.Is(err, ErrTokenMissing) {
		t.Errorf("missing token: err = %v, want ErrTokenMissing", err)
	}
	if _, err := ValidateHostToken(nil, "demo", good, testNow); !errors.Is(err, ErrTokenInvalid) {
		t.Errorf("no usable key: err = %v, want ErrTokenInvalid", err)
	}
	if _, err := ValidateHostToken(key, "other", good, testNow); !errors.Is(err, ErrTokenInvalid) {
		t.Errorf("token for another site: err = %v, want ErrTokenInvalid", err)
	}
}

// TOK-5, last sentence: the reference FE accepts exactly TOK-3's issuer and audience.
func TestValidateFrontEndTokenTOK5(t *testing.T) {
	key := testKey(t)
	site, _ := IssueSiteToken(key, "demo", testNow)
	platform, _ := IssuePlatformToken(key, "demo", testNow, time.Hour)
	scm, _ := IssueToken(key, TokenClaims{Issuer: "https://demo.scm.azurewebsites.net", Audience: IssuerAppService, Expires: testNow.Add(time.Minute)})
	other, _ := IssueSiteToken(key, "other", testNow)
	expired, _ := IssueSiteToken(key, "demo", testNow.Add(-11*time.Minute))
	tests := []struct {
		name, token string
		valid       bool
	}{
		{"TOK-3 token", site, true},
		{"TOK-4 token", platform, false},
		{"host-accepted scm issuer", scm, false},
		{"another site's token", other, false},
		{"expired beyond skew", expired, false},
	}
	for _, tt := range tests {
		_, err := ValidateFrontEndToken(key, "demo", tt.token, testNow)
		if tt.valid {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		assertInvalid(t, err, tt.token, key)
	}
}

func TestRequirePlatformTOK5(t *testing.T) {
	if err := RequirePlatform(TokenClaims{Issuer: IssuerAppService}); !errors.Is(err, ErrTokenForbidden) {
		t.Errorf("err = %v, want ErrTokenForbidden", err)
	}
	if err := RequirePlatform(TokenClaims{Issuer: IssuerLegion, Platform: true}); err != nil {
		t.Errorf("err = %v, want nil", err)
	}
}

func TestTokenFromHeaders(t *testing.T) {
	tests := []struct {
		name string
		h    map[string]string
		want string
	}{
		{"none", nil, ""},
		{"site token", map[string]string{"x-ms-site-token": "A"}, "A"},
		{"site token, any case", map[string]string{"X-MS-Site-Token": "A"}, "A"},
		{"bearer", map[string]string{"Authorization": "Bearer B"}, "B"},
		{"bearer, any case", map[string]string{"authorization": "bearer  B "}, "B"},
		{"site token preferred", map[string]string{"Authorization": "Bearer B", "x-ms-site-token": "A"}, "A"},
		{"empty site token falls back", map[string]string{"Authorization": "Bearer B", "x-ms-site-token": ""}, "B"},
		{"basic is not bearer", map[string]string{"Authorization": "Basic B"}, ""},
		{"admin key is not a token", map[string]string{"x-functions-key": "K"}, ""},
		{"case variants: exact name wins", map[string]string{"X-MS-SITE-TOKEN": "U", "x-ms-site-token": "L"}, "L"},
	}
	for _, tt := range tests {
		for range 20 { // map iteration order must not matter
			if got := TokenFromHeaders(tt.h); got != tt.want {
				t.Fatalf("%s: got %q, want %q", tt.name, got, tt.want)
			}
		}
	}
}
