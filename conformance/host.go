package conformance

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/host"
)

// HostRules are HOST-1..2 (PROTOCOL.md section 8, "Host admin API"), in ID order. They need
// env.HostURL; HOST-1 compares hashes with env.HostExpectedHash or, with env.Sink, with what a
// foreground sync publishes.
func HostRules() []Rule {
	return []Rule{
		{ID: "HOST-1", Level: check.Must, Name: "serve-triggers",
			Title: "GET /admin/host/triggers: 401 without or with an invalid token, 403 for a valid TOK-5 token of another issuer, 200 with the payload for a TOK-4 token; the body's PAY-3 hash equals the hash a sync would publish now", Run: host1},
		{ID: "HOST-2", Level: check.Must, Name: "sync-triggers",
			Title: "POST /admin/host/synctriggers behaves as MSG-4: admin key or TOK-5 token; 200 {\"status\":\"success\"} or 500 {\"status\":\"<error>\"}", Run: host2},
	}
}

func hostRule(id string) Rule {
	r, _ := Find(HostRules(), id)
	return r
}

func needHost(env *Env, v *verdict) bool {
	if env.HostURL == "" {
		v.inconclusive("no host URL given")
		return false
	}
	if _, err := env.keyBytes(); err != nil {
		v.inconclusive("no usable key: %v", err)
		return false
	}
	return true
}

// hostTokens are the tokens HOST rules present, by what they are.
type hostTokens struct {
	platform, otherIssuer, wrongKey, expired string
}

func (e *Env) hostTokens() hostTokens {
	key, _ := e.keyBytes()
	now := time.Now()
	site := host.Site{Name: e.SiteName}.URL()
	var t hostTokens
	t.platform, _ = host.IssuePlatformToken(key, e.SiteName, now, 5*time.Minute)
	t.otherIssuer, _ = host.IssueToken(key, host.TokenClaims{Issuer: site, Audience: site, IssuedAt: now, NotBefore: now, Expires: now.Add(5 * time.Minute)})
	other := []byte(strings.Repeat("k", 32))
	t.wrongKey, _ = host.IssuePlatformToken(other, e.SiteName, now, 5*time.Minute)
	t.expired, _ = host.IssueToken(key, host.TokenClaims{Issuer: host.IssuerLegion, Audience: site,
		IssuedAt: now.Add(-30 * time.Minute), NotBefore: now.Add(-30 * time.Minute), Expires: now.Add(-10 * time.Minute)})
	return t
}

func (e *Env) hostCall(ctx context.Context, method, path string, headers map[string]string) Answer {
	return e.do(ctx, method, strings.TrimRight(e.HostURL, "/")+path, headers, nil, 60*time.Second)
}

// HOST-1: the answers of GET /admin/host/triggers to each kind of caller, and the payload's hash.
func host1(ctx context.Context, env *Env) check.Verdict {
	v := newVerdict(hostRule("HOST-1"))
	if !needHost(env, v) {
		return v.done()
	}
	tk := env.hostTokens()
	cases := []struct {
		what    string
		headers map[string]string
		want    int
	}{
		{"no token", nil, 401},
		{"a malformed token", map[string]string{"x-ms-site-token": "not-a-jwt"}, 401},
		{"a platform token signed with another key", map[string]string{"x-ms-site-token": tk.wrongKey}, 401},
		{"a platform token expired 10 minutes ago", map[string]string{"x-ms-site-token": tk.expired}, 401},
		{"a valid TOK-5 token of the site's own issuer", map[string]string{"x-ms-site-token": tk.otherIssuer}, 403},
	}
	for _, c := range cases {
		a := env.hostCall(ctx, http.MethodGet, host.PathTriggers, c.headers)
		if a.Err == "" && a.Status == c.want {
			v.see("GET %s with %s: %s", host.PathTriggers, c.what, a)
		} else {
			v.fail("GET %s with %s: %s, want %d", host.PathTriggers, c.what, a, c.want)
		}
	}
	var hashes []string
	for _, form := range []struct{ what, name, value string }{
		{"a TOK-4 token in x-ms-site-token", "x-ms-site-token", tk.platform},
		{"a TOK-4 token as Authorization: Bearer", "Authorization", "Bearer " + tk.platform},
	} {
		a := env.hostCall(ctx, http.MethodGet, host.PathTriggers, map[string]string{form.name: form.value})
		if !a.OK() || a.Status != 200 {
			v.fail("GET %s with %s: %s, want 200 with the payload", host.PathTriggers, form.what, a)
			continue
		}
		var p struct {
			Triggers []json.RawMessage `json:"triggers"`
			HostID   string            `json:"hostId"`
		}
		if err := json.Unmarshal(a.Body, &p); err != nil || p.Triggers == nil || p.HostID == "" {
			v.fail("GET %s with %s: %s, but the body is not a PAY-1 payload (triggers, hostId)", host.PathTriggers, form.what, a)
			continue
		}
		hashes = append(hashes, host.HashOf(a.Body))
		v.see("GET %s with %s: %s, %s with %d triggers", host.PathTriggers, form.what, a, payloadRef(a.Body), len(p.Triggers))
	}
	if len(hashes) == 0 {
		return v.done()
	}
	if len(hashes) == 2 && hashes[0] != hashes[1] {
		v.fail("two fetches of unchanged content gave different payloads (%s, %s): PAY-2", hashes[0][:12], hashes[1][:12])
	}
	type source struct{ hash, what string }
	var sources []source
	if env.HostExpectedHash != "" {
		sources = append(sources, source{env.HostExpectedHash, "the expected hash given"})
	}
	if env.Sink != nil {
		if h, what := env.publishedHash(ctx, v); h != "" {
			sources = append(sources, source{h, what})
		}
	}
	if len(sources) == 0 {
		v.inconclusive("the hash a sync would publish is unknown (give the expected hash, or point the host's front end at the harness): the served payload's hash %s is not compared", hashes[0][:12])
	}
	for _, s := range sources {
		if s.hash == hashes[0] {
			v.see("served payload hash %s equals %s", hashes[0][:12], s.what)
		} else {
			v.fail("served payload hash %s differs from %s (%s)", hashes[0][:12], s.what, s.hash[:min(12, len(s.hash))])
		}
	}
	return v.done()
}

// publishedHash runs a foreground sync (MSG-4) and returns the hash of the payload it published to
// the sink (MSG-1), or "" with a note when none came.
func (e *Env) publishedHash(ctx context.Context, v *verdict) (string, string) {
	tk := e.hostTokens()
	t := time.Now()
	a := e.hostCall(ctx, http.MethodPost, host.PathSyncTriggers, map[string]string{"x-ms-site-token": tk.otherIssuer})
	for _, p := range e.Sink.Publications(t) {
		if strings.HasSuffix(p.Path, PathSetTriggers) {
			return p.Hash, "the payload a foreground sync published (POST " + host.PathSyncTriggers + ": " + a.String() + ")"
		}
	}
	v.note("a foreground sync (%s) published no MSG-1 body to the harness", a)
	return "", ""
}

// syncAnswer checks MSG-4's body: {"status":"success"} with 200, {"status":"<error>"} with 500.
func syncAnswer(a Answer) (status string, ok bool) {
	var b struct {
		Status *string `json:"status"`
	}
	if a.Err != "" || json.Unmarshal(a.Body, &b) != nil || b.Status == nil {
		return "", false
	}
	switch {
	case a.Status == 200 && *b.Status == "success":
		return *b.Status, true
	case a.Status == 500 && *b.Status != "" && *b.Status != "success":
		return *b.Status, true
	}
	return *b.Status, false
}

// HOST-2: who may call POST /admin/host/synctriggers, the shape of its answers, and that a failed
// publish is reported as a failure.
func host2(ctx context.Context, env *Env) check.Verdict {
	v := newVerdict(hostRule("HOST-2"))
	if !needHost(env, v) {
		return v.done()
	}
	tk := env.hostTokens()
	for _, c := range []struct {
		what    string
		headers map[string]string
	}{
		{"no credentials", nil},
		{"a token signed with another key", map[string]string{"x-ms-site-token": tk.wrongKey}},
		{"a wrong admin key", map[string]string{"x-functions-key": "not-the-master-key"}},
	} {
		a := env.hostCall(ctx, http.MethodPost, host.PathSyncTriggers, c.headers)
		if a.Err == "" && a.Status == 401 {
			v.see("POST %s with %s: %s", host.PathSyncTriggers, c.what, a)
		} else {
			v.fail("POST %s with %s: %s, want 401", host.PathSyncTriggers, c.what, a)
		}
	}
	authorized := []struct {
		what    string
		headers map[string]string
	}{
		{"a valid TOK-5 token", map[string]string{"x-ms-site-token": tk.otherIssuer}},
		{"a TOK-4 token as Authorization: Bearer", map[string]string{"Authorization": "Bearer " + tk.platform}},
	}
	if env.HostMasterKey != "" {
		authorized = append(authorized, struct {
			what    string
			headers map[string]string
		}{"the admin key (x-functions-key)", map[string]string{"x-functions-key": env.HostMasterKey}})
	}
	for _, c := range authorized {
		a := env.hostCall(ctx, http.MethodPost, host.PathSyncTriggers, c.headers)
		if st, ok := syncAnswer(a); ok {
			v.see("POST %s with %s: %s {\"status\":%q}", host.PathSyncTriggers, c.what, a, st)
		} else {
			v.fail("POST %s with %s: %s, want 200 {\"status\":\"success\"} or 500 {\"status\":\"<error>\"}", host.PathSyncTriggers, c.what, a)
		}
	}
	if env.Sink == nil {
		v.note("the host does not publish to the harness: a failed publish was not played")
		return v.done()
	}
	env.Sink.FailNext(1, http.StatusServiceUnavailable)
	t := time.Now()
	a := env.hostCall(ctx, http.MethodPost, host.PathSyncTriggers, map[string]string{"x-ms-site-token": tk.otherIssuer})
	env.Sink.FailNext(0, 0)
	pubs := env.Sink.Publications(t)
	st, ok := syncAnswer(a)
	switch {
	case len(pubs) == 0:
		v.inconclusive("a foreground sync (%s) published nothing to the harness: a failed publish could not be played", a)
	case pubs[0].Status != http.StatusServiceUnavailable:
		v.inconclusive("the publish was not the one failed on purpose")
	case ok && a.Status == 500:
		v.see("publish answered 503: POST %s answered %s {\"status\":%q}", host.PathSyncTriggers, a, st)
	default:
		v.fail("publish answered 503, yet POST %s answered %s {\"status\":%q}: want 500 with the error", host.PathSyncTriggers, a, st)
	}
	return v.done()
}
