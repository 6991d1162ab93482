package conformance

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/host"
)

// PathSetTriggers is MSG-1's path on the front end.
const PathSetTriggers = "/operations/settriggers"

// FrontEndRules are FE-1..5 (PROTOCOL.md section 8, "Front end"), in ID order. They need
// env.FrontEndURL; FE-5 also env.FrontEndReadback.
func FrontEndRules() []Rule {
	return []Rule{
		{ID: "FE-1", Level: check.Must, Name: "accept-valid",
			Title: "MUST answer a valid MSG-1 with 2xx", Run: fe1},
		{ID: "FE-2", Level: check.Must, Name: "reject-bad-token",
			Title: "MUST answer 401 or 403 to a missing, expired (beyond the 5-minute skew), not-yet-valid, wrongly signed, alg=none, wrong-issuer or wrong-audience token", Run: fe2},
		{ID: "FE-3", Level: check.Must, Name: "reject-non-json",
			Title: "MUST answer 400 to a body that is not JSON", Run: fe3},
		{ID: "FE-4", Level: check.May, Name: "throttle",
			Title: "MAY answer 429 under load (informational)", Run: fe4},
		{ID: "FE-5", Level: check.Must, Name: "store-last-accepted",
			Title: "The stored payload equals the last accepted MSG-1 body; rejected requests store nothing (checked only with the optional read-back GET /operations/settriggers)", Run: fe5},
	}
}

func feRule(id string) Rule {
	r, _ := Find(FrontEndRules(), id)
	return r
}

// msg1 posts body to the front end as the host does (MSG-1), with the given token ("" for none).
func (e *Env) msg1(ctx context.Context, body []byte, token string) Answer {
	h := map[string]string{
		"Content-Type": "application/json; charset=utf-8",
		"X-ARR-LOG-ID": "00000000-0000-4000-8000-" + fmt.Sprintf("%012d", time.Now().UnixNano()%1e12),
		"User-Agent":   "AzureFunctionsRuntime",
	}
	if token != "" {
		h["x-ms-site-token"] = token
	}
	return e.do(ctx, http.MethodPost, strings.TrimRight(e.FrontEndURL, "/")+PathSetTriggers, h, body, 100*time.Second)
}

// siteToken is a valid TOK-3 token for now.
func (e *Env) siteToken() (string, error) {
	key, err := e.keyBytes()
	if err != nil {
		return "", err
	}
	return host.IssueSiteToken(key, e.SiteName, time.Now())
}

func needFrontEnd(env *Env, v *verdict) bool {
	if env.FrontEndURL == "" {
		v.inconclusive("no front end URL given")
		return false
	}
	if _, err := env.keyBytes(); err != nil {
		v.inconclusive("no usable key: %v", err)
		return false
	}
	return true
}

// payloadRef names a payload in evidence by its size and PAY-3 hash, never its secrets.
func payloadRef(b []byte) string {
	return fmt.Sprintf("payload %s (%d bytes)", host.HashOf(b)[:12], len(b))
}

// FE-1: two valid MSG-1 posts, each answered 2xx.
func fe1(ctx context.Context, env *Env) check.Verdict {
	v := newVerdict(feRule("FE-1"))
	if !needFrontEnd(env, v) {
		return v.done()
	}
	for i := 1; i <= 2; i++ {
		body := SamplePayload(env.SiteName, "fe1-"+strconv.Itoa(i)).Body
		tok, _ := env.siteToken()
		a := env.msg1(ctx, body, tok)
		if a.OK() {
			v.see("POST %s with a valid TOK-3 token, %s: %s", PathSetTriggers, payloadRef(body), a)
		} else {
			v.fail("POST %s with a valid TOK-3 token, %s: %s, want 2xx", PathSetTriggers, payloadRef(body), a)
		}
	}
	return v.done()
}

// badToken is one of FE-2's tokens: what is wrong with it, and how to make it.
type badToken struct {
	what string
	make func(key []byte, site string, now time.Time) string
}

func badSiteTokens() []badToken {
	claims := func(site string, now time.Time) host.TokenClaims {
		return host.TokenClaims{Issuer: host.Site{Name: site}.URL(), Audience: host.IssuerAppService,
			IssuedAt: now, NotBefore: now, Expires: now.Add(host.SiteTokenLifetime)}
	}
	sign := func(key []byte, c host.TokenClaims) string {
		t, _ := host.IssueToken(key, c)
		return t
	}
	return []badToken{
		{"missing", func([]byte, string, time.Time) string { return "" }},
		{"expired 10 minutes ago (beyond the 5-minute skew)", func(k []byte, s string, now time.Time) string {
			c := claims(s, now.Add(-20*time.Minute))
			c.Expires = now.Add(-10 * time.Minute)
			return sign(k, c)
		}},
		{"not valid for another 10 minutes", func(k []byte, s string, now time.Time) string {
			c := claims(s, now.Add(10*time.Minute))
			return sign(k, c)
		}},
		{"signed with another key", func(k []byte, s string, now time.Time) string {
			other := bytes.Repeat([]byte{0x5a}, 32)
			if bytes.Equal(other, k) {
				other[0] ^= 0xff
			}
			return sign(other, claims(s, now))
		}},
		{"alg=none", func(k []byte, s string, now time.Time) string {
			return unsignedToken(claims(s, now))
		}},
		{"wrong issuer (the platform's)", func(k []byte, s string, now time.Time) string {
			c := claims(s, now)
			c.Issuer = host.IssuerLegion
			return sign(k, c)
		}},
		{"wrong audience (the site)", func(k []byte, s string, now time.Time) string {
			c := claims(s, now)
			c.Audience = host.Site{Name: s}.URL()
			return sign(k, c)
		}},
	}
}

// unsignedToken is a JWT with alg=none and an empty signature (TOK-2 rejects it).
func unsignedToken(c host.TokenClaims) string {
	enc := base64.RawURLEncoding.EncodeToString
	payload := fmt.Sprintf(`{"aud":%q,"exp":%d,"iat":%d,"iss":%q,"nbf":%d}`,
		c.Audience, c.Expires.Unix(), c.IssuedAt.Unix(), c.Issuer, c.NotBefore.Unix())
	return enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc([]byte(payload)) + "."
}

// FE-2: each bad token answered 401 or 403.
func fe2(ctx context.Context, env *Env) check.Verdict {
	v := newVerdict(feRule("FE-2"))
	if !needFrontEnd(env, v) {
		return v.done()
	}
	key, _ := env.keyBytes()
	for i, bt := range badSiteTokens() {
		body := SamplePayload(env.SiteName, "fe2-"+strconv.Itoa(i)).Body
		a := env.msg1(ctx, body, bt.make(key, env.SiteName, time.Now()))
		if a.Err == "" && (a.Status == 401 || a.Status == 403) {
			v.see("token %s: %s", bt.what, a)
		} else {
			v.fail("token %s: %s, want 401 or 403", bt.what, a)
		}
	}
	return v.done()
}

var nonJSONBodies = []struct{ what, body string }{
	{"plain text", "triggers: none"},
	{"truncated JSON", `{"triggers":[{"type":"httpTrigger"`},
	{"an empty body", ""},
}

// FE-3: bodies that are not JSON, with a valid token, answered 400.
func fe3(ctx context.Context, env *Env) check.Verdict {
	v := newVerdict(feRule("FE-3"))
	if !needFrontEnd(env, v) {
		return v.done()
	}
	for _, nj := range nonJSONBodies {
		tok, _ := env.siteToken()
		a := env.msg1(ctx, []byte(nj.body), tok)
		if a.Err == "" && a.Status == 400 {
			v.see("%s with a valid token: %s", nj.what, a)
		} else {
			v.fail("%s with a valid token: %s, want 400", nj.what, a)
		}
	}
	return v.done()
}

// FE-4: 50 valid posts at once; a 429 is allowed and reported, never required.
func fe4(ctx context.Context, env *Env) check.Verdict {
	v := newVerdict(feRule("FE-4"))
	if !needFrontEnd(env, v) {
		return v.done()
	}
	const n = 50
	body := SamplePayload(env.SiteName, "fe4").Body
	tok, _ := env.siteToken()
	answers := make([]Answer, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = env.msg1(ctx, body, tok)
		}()
	}
	wg.Wait()
	counts := map[string]int{}
	var keys []string
	for _, a := range answers {
		k := strconv.Itoa(a.Status)
		if a.Err != "" {
			k = a.Err
		}
		if counts[k] == 0 {
			keys = append(keys, k)
		}
		counts[k]++
	}
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d x %s", counts[k], k))
	}
	v.checked = n
	v.note("%d concurrent valid posts: %s", n, strings.Join(parts, ", "))
	if counts["429"] > 0 {
		v.note("answered 429 to %d under load (allowed)", counts["429"])
	} else {
		v.note("no 429 under this load (allowed; informational)")
	}
	return v.done()
}

// FE-5: after each post, the read-back shows the last accepted body: accepted ones replace it,
// rejected ones (bad token, not JSON) leave it.
func fe5(ctx context.Context, env *Env) check.Verdict {
	v := newVerdict(feRule("FE-5"))
	if !needFrontEnd(env, v) {
		return v.done()
	}
	if env.FrontEndReadback == "" {
		v.inconclusive("the front end offers no read-back (--frontend-readback): what it stores cannot be observed")
		return v.done()
	}
	key, _ := env.keyBytes()
	tok := func() string { t, _ := env.siteToken(); return t }
	base := env.readBack(ctx)
	if base.Err != "" || (base.Status != 200 && base.Status != 404 && base.Status != 204) {
		v.inconclusive("read-back GET answered %s before any post", base)
		return v.done()
	}
	// expected is what the store must hold; nil when nothing is stored.
	var expected []byte
	if base.Status == 200 {
		expected = base.Body
	}
	steps := []struct {
		what  string
		body  []byte
		token string
	}{
		{"a valid post", SamplePayload(env.SiteName, "fe5-a").Body, tok()},
		{"a post with a token signed with another key", SamplePayload(env.SiteName, "fe5-b").Body, badSiteTokens()[3].make(key, env.SiteName, time.Now())},
		{"a post with a body that is not JSON", []byte("not json"), tok()},
		{"a second valid post", SamplePayload(env.SiteName, "fe5-c").Body, tok()},
	}
	for _, s := range steps {
		a := env.msg1(ctx, s.body, s.token)
		if a.OK() {
			expected = s.body
		}
		rb := env.readBack(ctx)
		got := "nothing stored (" + strconv.Itoa(rb.Status) + ")"
		if rb.Status == 200 {
			got = payloadRef(rb.Body)
		}
		want := "nothing stored"
		if expected != nil {
			want = payloadRef(expected)
		}
		switch {
		case rb.Err != "" || (rb.Status != 200 && rb.Status != 404 && rb.Status != 204):
			v.inconclusive("after %s (%s): read-back answered %s", s.what, a, rb)
		case expected == nil && rb.Status != 200, expected != nil && rb.Status == 200 && bytes.Equal(rb.Body, expected):
			v.see("after %s, %s answered %s: read-back shows %s", s.what, payloadRef(s.body), a, got)
		default:
			v.fail("after %s, %s answered %s: read-back shows %s, want %s (the last accepted body)", s.what, payloadRef(s.body), a, got, want)
		}
	}
	return v.done()
}

func (e *Env) readBack(ctx context.Context) Answer {
	h := map[string]string{}
	if t, err := e.siteToken(); err == nil {
		h["x-ms-site-token"] = t
	}
	return e.do(ctx, http.MethodGet, e.FrontEndReadback, h, nil, 30*time.Second)
}
