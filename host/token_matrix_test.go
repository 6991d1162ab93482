package host_test

import (
	"encoding/base64"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/syncsim/syncsim/host"
)

// rawToken signs header.claims with HMAC-SHA256 under key, whatever the header says: the shape of
// the key-confusion and "crit" attacks, which a library's signer would refuse to make.
func rawToken(key []byte, header, claims string) string {
	in := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString([]byte(claims))
	return in + "." + hmacSign(key, in)
}

// cut drops the second half of part i of a token.
func cut(tok string, i int) string {
	parts := strings.Split(tok, ".")
	parts[i] = parts[i][:len(parts[i])/2]
	return strings.Join(parts, ".")
}

// TestTokenNegativeMatrix is the JWT negative matrix of issue 9 (part 3) over TOK-2..TOK-6: each case
// is a token (or a request's headers) and what ValidateHostToken, ValidateFrontEndToken, MSG-3
// (ServeTriggers: 200, 401 or 403) and MSG-4 (AuthorizeSync: 0 or 401) make of it. Every rejection
// has a fixed error text holding neither the token nor the key (PAY-4). A case with a gap is a known
// deviation from the rule it cites: it is skipped while the deviation stands and fails once it is
// fixed, so that the mark is removed (an xpass).
func TestTokenNegativeMatrix(t *testing.T) {
	key := fuzzKey(t)
	must := func(s string, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	n, site := fuzzNow, fuzzSite.URL()
	claims := func(iss, aud string, nbf, exp time.Time) host.TokenClaims {
		return host.TokenClaims{Issuer: iss, Audience: aud, IssuedAt: n, NotBefore: nbf, Expires: exp}
	}
	issue := func(c host.TokenClaims) string { return must(host.IssueToken(key, c)) }
	legion := func(nbf, exp time.Time) string { return issue(claims(host.IssuerLegion, site, nbf, exp)) }
	sign := func(m jwt.SigningMethod, k any) string {
		return must(jwt.NewWithClaims(m, jwt.MapClaims{"iss": host.IssuerLegion, "aud": site,
			"iat": n.Unix(), "nbf": n.Unix(), "exp": n.Add(time.Hour).Unix()}).SignedString(k))
	}
	platform := must(host.IssuePlatformToken(key, "demo", n, time.Hour))
	siteToken := must(host.IssueSiteToken(key, "demo", n))
	appService := issue(claims(host.IssuerAppService, site, n, n.Add(time.Hour)))
	platformClaims := `{"aud":"` + site + `","exp":` + strconv.FormatInt(n.Add(time.Hour).Unix(), 10) + `,"iss":"` + host.IssuerLegion + `"}`
	// The RSA public key an attacker would use as the HMAC secret in the classic key confusion.
	publicKeyPEM := []byte("-----BEGIN PUBLIC KEY-----\nMFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAL0bq4V6ZyQ0YkYMtRjJhY8p6H9bHB8V\n-----END PUBLIC KEY-----\n")
	oversized := legion(n, n.Add(time.Hour))
	oversized = oversized[:strings.LastIndex(oversized, ".")+1] + strings.Repeat("A", 1<<20)

	type want struct {
		host, fe   bool // ValidateHostToken / ValidateFrontEndToken accept
		msg3, msg4 int  // ServeTriggers status; AuthorizeSync result
	}
	reject := want{false, false, 401, 401}
	tests := []struct {
		name    string
		token   string            // validated by both functions, and sent as x-ms-site-token
		headers map[string]string // instead of token: only MSG-3 and MSG-4 are checked
		want    want
		gap     string
	}{
		{name: "control: TOK-4 platform token", token: platform, want: want{true, false, 200, 0}},
		{name: "control: TOK-3 site token (FE only)", token: siteToken, want: want{false, true, 401, 401}},
		{name: "TOK-2 alg none, unsigned", token: sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType), want: reject},
		{name: "TOK-2 alg none with an HMAC signature", token: rawToken(key, `{"alg":"none","typ":"JWT"}`, platformClaims), want: reject},
		{name: "TOK-2 alg hs256 (lowercase)", token: rawToken(key, `{"alg":"hs256","typ":"JWT"}`, platformClaims), want: reject},
		{name: "TOK-2 no alg", token: rawToken(key, `{"typ":"JWT"}`, platformClaims), want: reject},
		{name: "TOK-2 HS384 with the key", token: sign(jwt.SigningMethodHS384, key), want: reject},
		{name: "TOK-2 HS512 with the key", token: sign(jwt.SigningMethodHS512, key), want: reject},
		{name: "TOK-2 key confusion: RS256 header, HMAC with the key", token: rawToken(key, `{"alg":"RS256","typ":"JWT"}`, platformClaims), want: reject},
		{name: "TOK-2 key confusion: ES256 header, HMAC with the key", token: rawToken(key, `{"alg":"ES256","typ":"JWT"}`, platformClaims), want: reject},
		{name: "TOK-2 key confusion: RS256 header, HMAC with a public key", token: rawToken(publicKeyPEM, `{"alg":"RS256","typ":"JWT"}`, platformClaims), want: reject},
		{name: "TOK-2 wrong key", token: sign(jwt.SigningMethodHS256, []byte("another key of 32 bytes, or so.")), want: reject},
		{name: "TOK-2 crit with an unknown extension (RFC 7515 4.1.11)", token: rawToken(key, `{"alg":"HS256","crit":["x-unknown"],"typ":"JWT","x-unknown":1}`, platformClaims), want: reject},
		{name: "TOK-5 expired beyond the skew", token: legion(n.Add(-time.Hour), n.Add(-host.ClockSkew-time.Second)), want: reject},
		{name: "TOK-5 expired within the skew", token: legion(n.Add(-time.Hour), n.Add(-host.ClockSkew+time.Second)), want: want{true, false, 200, 0}},
		{name: "TOK-5 not yet valid beyond the skew", token: legion(n.Add(host.ClockSkew+time.Second), n.Add(time.Hour)), want: reject},
		{name: "TOK-5 not yet valid within the skew", token: legion(n.Add(host.ClockSkew-time.Second), n.Add(time.Hour)), want: want{true, false, 200, 0}},
		{name: "TOK-5 no exp", token: legion(n, time.Time{}), want: reject},
		{name: "TOK-5 wrong issuer", token: issue(claims("https://evil.core.azurewebsites.net", site, n, n.Add(time.Hour))), want: reject},
		{name: "TOK-5 another site's issuer", token: issue(claims("https://other.azurewebsites.net", site, n, n.Add(time.Hour))), want: reject},
		{name: "TOK-5 wrong audience", token: issue(claims(host.IssuerLegion, "https://other.azurewebsites.net", n, n.Add(time.Hour))), want: reject},
		{name: "TOK-5 header cut", token: cut(platform, 0), want: reject},
		{name: "TOK-5 claims cut", token: cut(platform, 1), want: reject},
		{name: "TOK-5 signature cut", token: cut(platform, 2), want: reject},
		{name: "TOK-5 signature dropped", token: platform[:strings.LastIndex(platform, ".")+1], want: reject},
		{name: "TOK-5 two parts", token: platform[:strings.LastIndex(platform, ".")], want: reject},
		{name: "TOK-5 signature padded", token: platform + "=", want: reject},
		{name: "TOK-5 oversized: 1 MiB signature", token: oversized, want: reject},
		{name: "TOK-5 oversized: 1 MiB of garbage", token: strings.Repeat("eyJ.", 1<<18), want: reject},
		{name: "TOK-5 garbage base64", token: "!!!.@@@.###", want: reject},
		{name: "TOK-5 base64 of garbage JSON", token: rawToken(key, `{"alg":`, platformClaims), want: reject},
		{name: "TOK-5 empty", token: "", want: reject},
		{name: "TOK-5 platform claim: appservice issuer is 403 on MSG-3", token: appService, want: want{true, false, 403, 0}},
		{name: "TOK-5 platform claim: scm issuer is 403 on MSG-3", token: issue(claims("https://demo.scm.azurewebsites.net", site+"/azurefunctions", n, n.Add(time.Hour))), want: want{true, false, 403, 0}},
		{name: "TOK-5 platform claim: site issuer is 403 on MSG-3", token: issue(claims(site, site, n, n.Add(time.Hour))), want: want{true, false, 403, 0}},
		{name: "TOK-6 admin key alone: 401 on MSG-3, authorized on MSG-4", headers: map[string]string{"x-functions-key": fuzzKeys.Master}, want: want{msg3: 401, msg4: 0}},
		{name: "TOK-5 two x-ms-site-token headers (joined by the HTTP adapter)", headers: map[string]string{"x-ms-site-token": platform + "," + platform}, want: want{msg3: 401, msg4: 401}},
		{name: "TOK-5 preferred header wins: valid site token, garbage bearer", headers: map[string]string{"x-ms-site-token": platform, "Authorization": "Bearer a.b.c"}, want: want{msg3: 200, msg4: 0}},
		{name: "TOK-5 preferred header wins: garbage site token, valid bearer", headers: map[string]string{"x-ms-site-token": "a.b.c", "Authorization": "Bearer " + platform}, want: want{msg3: 401, msg4: 401}},
		{name: "TOK-5 preferred header wins: non-platform site token, platform bearer", headers: map[string]string{"x-ms-site-token": appService, "Authorization": "Bearer " + platform}, want: want{msg3: 403, msg4: 0}},
		{name: "TOK-5 empty site token falls back to the bearer", headers: map[string]string{"x-ms-site-token": "", "Authorization": "Bearer " + platform}, want: want{msg3: 200, msg4: 0}},
		{name: "TOK-5 case variants: the exact name wins", headers: map[string]string{"X-MS-SITE-TOKEN": platform, "x-ms-site-token": "a.b.c"}, want: want{msg3: 401, msg4: 401}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := want{}
			if tt.headers == nil {
				_, hostErr := host.ValidateHostToken(key, "demo", tt.token, n)
				_, feErr := host.ValidateFrontEndToken(key, "demo", tt.token, n)
				got.host, got.fe = hostErr == nil, feErr == nil
				for _, err := range []error{hostErr, feErr} {
					if err != nil {
						checkTokenError(t, err, tt.token, key)
					}
				}
				tt.headers = map[string]string{"x-ms-site-token": tt.token}
			} else {
				got.host, got.fe = tt.want.host, tt.want.fe
			}
			resp := host.ServeTriggers(n, fuzzSite, host.AdminRequest{Method: "GET", Path: host.PathTriggers, Headers: tt.headers}, true,
				func() host.Payload { return host.Payload{Body: []byte(`{"triggers":[]}`)} })
			got.msg3 = resp.Status
			got.msg4 = host.AuthorizeSync(n, fuzzSite, fuzzKeys, host.AdminRequest{Method: "POST", Path: host.PathSyncTriggers, Headers: tt.headers})
			if got.msg3 != 200 && len(resp.Body) != 0 {
				t.Fatalf("MSG-3 %d has a body", got.msg3)
			}
			switch {
			case got == tt.want && tt.gap != "":
				t.Errorf("known gap fixed (%s): remove the gap mark", tt.gap)
			case got != tt.want && tt.gap != "":
				t.Skipf("known gap: %s (got %+v, the rule wants %+v)", tt.gap, got, tt.want)
			case got != tt.want:
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestAdminKeyConstantTimeTOK6 checks that the admin key is compared in constant time. A timing
// test cannot tell a constant-time comparison from a fast one reliably, so this reads admin.go:
// AuthorizeSync's body, authorizeSync (which the machine calls with its seams), must call subtle.ConstantTimeCompare, and no ==, != or strings comparison in the
// package's non-test files may take keys.Master (except against "", which leaks only emptiness).
func TestAdminKeyConstantTimeTOK6(t *testing.T) {
	fset := token.NewFileSet()
	usesSubtle := false
	for _, file := range parsePackage(t, fset) {
		ast.Inspect(file, func(node ast.Node) bool {
			switch x := node.(type) {
			case *ast.FuncDecl:
				if x.Name.Name == "authorizeSync" {
					ast.Inspect(x, func(m ast.Node) bool {
						if sel, ok := m.(*ast.SelectorExpr); ok && sel.Sel.Name == "ConstantTimeCompare" {
							if id, ok := sel.X.(*ast.Ident); ok && id.Name == "subtle" {
								usesSubtle = true
							}
						}
						return true
					})
				}
			case *ast.BinaryExpr:
				if (x.Op == token.EQL || x.Op == token.NEQ) && (isMaster(x.X) && !isEmpty(x.Y) || isMaster(x.Y) && !isEmpty(x.X)) {
					t.Errorf("%s: the admin key is compared with %s (not constant time)", fset.Position(x.Pos()), x.Op)
				}
			case *ast.CallExpr:
				if sel, ok := x.Fun.(*ast.SelectorExpr); ok && (sel.Sel.Name == "EqualFold" || sel.Sel.Name == "Compare" || sel.Sel.Name == "HasPrefix") {
					for _, a := range x.Args {
						if isMaster(a) {
							t.Errorf("%s: the admin key is compared with %s (not constant time)", fset.Position(x.Pos()), sel.Sel.Name)
						}
					}
				}
			}
			return true
		})
	}
	if !usesSubtle {
		t.Error("TOK-6: AuthorizeSync does not compare the admin key with subtle.ConstantTimeCompare")
	}
}

// parsePackage parses the package's non-test files as the build selects them (build constraints
// applied), which parser.ParseDir did not do.
func parsePackage(t *testing.T, fset *token.FileSet) []*ast.File {
	t.Helper()
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, name := range pkg.GoFiles {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return files
}

// isMaster reports whether e reads a Master field (keys.Master, k.Master...).
func isMaster(e ast.Expr) bool {
	sel, ok := e.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "Master"
}

func isEmpty(e ast.Expr) bool {
	lit, ok := e.(*ast.BasicLit)
	return ok && lit.Value == `""`
}
