// Package badinput holds the cross-server bad-input tables: every reference HTTP server answers a
// client's mistake with a 4xx, never a 5xx, and an oversized body with 413 and the limit its
// package documents; and connections held idle, with slow headers, slow bodies or nothing sent,
// more than a server's connection bound, neither starve another client nor stay open past the
// server's timeouts (package httpbound).
package badinput

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/syncsim/syncsim/fakes/blob/blobhttp"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/httpbound"
	"github.com/syncsim/syncsim/internal/httpbound/boundtest"
	"github.com/syncsim/syncsim/live/hosthttp"
	"github.com/syncsim/syncsim/live/meshhttp"
	"github.com/syncsim/syncsim/live/standalone"
)

var site = host.Site{Name: "badapp", HostID: "badapp",
	EncryptionKey: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}

// servers are the base URLs of the four servers under test.
type servers struct{ mesh, fe, host, blob string }

func start(t *testing.T) servers { return startWith(t, httpbound.Limits{}) }

// startWith starts the four servers within limits.
func startWith(t *testing.T, limits httpbound.Limits) servers {
	t.Helper()
	var s servers
	add := func(u string, stop func() error, err error) string {
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { stop() })
		return u
	}
	s.mesh = add(meshhttp.NewMesh(meshhttp.MeshConfig{Site: site, SiteURL: "http://127.0.0.1:9", Limits: limits}).Serve("127.0.0.1:0"))
	s.fe = add(meshhttp.NewFrontEnd(meshhttp.FrontEndConfig{Site: site, Limits: limits}).Serve("127.0.0.1:0"))
	s.host = add(standalone.NewHost(hosthttp.HostConfig{Site: site, Limits: limits}).Serve("127.0.0.1:0"))
	addr, stop, err := blobhttp.ServeWith(context.Background(), "127.0.0.1:0", limits)
	s.blob = add("http://"+addr, stop, err)
	return s
}

func feToken(t *testing.T) string {
	key, _ := host.ParseKey(site.EncryptionKey)
	tok, err := host.IssueSiteToken(key, site.Name, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func platformToken(t *testing.T) string {
	key, _ := host.ParseKey(site.EncryptionKey)
	tok, err := host.IssuePlatformToken(key, site.Name, time.Now(), 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// exchange sends raw request bytes (half-closing after them) and reads the answer: for requests a
// well-behaved client cannot send (bad escapes, short bodies, duplicated headers).
func exchange(t *testing.T, base, raw string) (int, string) {
	t.Helper()
	u, _ := url.Parse(base)
	conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	raw = strings.ReplaceAll(raw, "HOST", u.Host)
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	conn.(*net.TCPConn).CloseWrite()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	return resp.StatusCode, string(b) + " " + resp.Header.Get("x-ms-error-code")
}

// request is one case's request: either a method/path/headers/body or raw bytes.
type request struct {
	method, path string
	headers      map[string][]string
	body         string
	raw          string
}

func form(extra ...string) map[string][]string {
	h := map[string][]string{"Content-Type": {"application/x-www-form-urlencoded"}, "fx-current-instance": {"pod-1"}}
	for i := 0; i+1 < len(extra); i += 2 {
		h[extra[i]] = append(h[extra[i]], extra[i+1])
	}
	return h
}

func blobAuth(extra ...string) map[string][]string {
	h := map[string][]string{"Authorization": {"SharedKey devstoreaccount1:c2lnbmF0dXJl"}, "x-ms-version": {"2025-01-05"}}
	for i := 0; i+1 < len(extra); i += 2 {
		h[extra[i]] = append(h[extra[i]], extra[i+1])
	}
	return h
}

var client = &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}

func (r request) do(t *testing.T, base string) (int, string) {
	t.Helper()
	if r.raw != "" {
		return exchange(t, base, r.raw)
	}
	req, err := http.NewRequest(r.method, base+r.path, strings.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range r.headers {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	return resp.StatusCode, string(b) + " " + resp.Header.Get("x-ms-error-code")
}

func TestBadInputTable(t *testing.T) {
	srv := start(t)
	defer client.CloseIdleConnections()
	fe := func(extra ...string) map[string][]string {
		h := map[string][]string{"Content-Type": {"application/json; charset=utf-8"}, "x-ms-site-token": {feToken(t)}}
		for i := 0; i+1 < len(extra); i += 2 {
			h[extra[i]] = []string{extra[i+1]} // replaces
		}
		return h
	}
	huge := strings.Repeat("a", 2<<20)
	hugeJSON := `{"triggers":[],"pad":"` + strings.Repeat("x", 2<<20) + `"}`
	hugeHeader := map[string][]string{"X-Pad": {strings.Repeat("h", 2<<20)}}
	rawPost := func(path, ctype, body string, extra ...string) string {
		return "POST " + path + " HTTP/1.1\r\nHost: HOST\r\nContent-Type: " + ctype + "\r\n" + strings.Join(extra, "") +
			"Content-Length: " + strconv.Itoa(len(body)) + "\r\nConnection: close\r\n\r\n" + body
	}
	short := func(path, ctype string, extra ...string) string {
		return "POST " + path + " HTTP/1.1\r\nHost: HOST\r\nContent-Type: " + ctype + "\r\n" + strings.Join(extra, "") +
			"Content-Length: 100\r\nConnection: close\r\n\r\n{\"trig"
	}
	tok := feToken(t)
	ptok := platformToken(t)

	cases := []struct {
		server string
		name   string
		req    request
		status int
		text   string // a substring of the body (or x-ms-error-code); "" for any
	}{
		// The mesh (MESH-7, limit 1 MiB).
		{"mesh", "oversized form", request{method: "POST", path: "/", headers: form(), body: "operation=update-triggers&pad=" + huge}, 413, "1 MiB"},
		{"mesh", "empty body", request{method: "POST", path: "/", headers: form()}, 400, "empty body"},
		{"mesh", "JSON content type", request{method: "POST", path: "/", headers: map[string][]string{"Content-Type": {"application/json"}}, body: `{"operation":"update-triggers"}`}, 400, "x-www-form-urlencoded"},
		{"mesh", "no content type", request{raw: "POST / HTTP/1.1\r\nHost: HOST\r\nContent-Length: 25\r\nConnection: close\r\n\r\noperation=update-triggers"}, 400, "x-www-form-urlencoded"},
		{"mesh", "garbage content type", request{method: "POST", path: "/", headers: map[string][]string{"Content-Type": {"application/x-www-form-urlencoded; charset"}}, body: "operation=update-triggers"}, 400, "x-www-form-urlencoded"},
		{"mesh", "bad percent-encoding", request{method: "POST", path: "/", headers: form(), body: "operation=%zz"}, 400, "percent"},
		{"mesh", "invalid UTF-8", request{method: "POST", path: "/", headers: form(), body: "operation=\xff\xfe"}, 400, "UTF-8"},
		{"mesh", "escaped invalid UTF-8", request{method: "POST", path: "/", headers: form(), body: "operation=%c3%28"}, 400, "UTF-8"},
		{"mesh", "missing operation", request{method: "POST", path: "/", headers: form(), body: "hash=abc"}, 400, "operation"},
		{"mesh", "unknown operation", request{method: "POST", path: "/", headers: form(), body: "operation=reboot"}, 400, "unknown operation"},
		{"mesh", "GET on the notify path", request{method: "GET", path: "/"}, 405, "method"},
		{"mesh", "POST /status", request{method: "POST", path: "/status", headers: form(), body: "operation=update-triggers"}, 405, "method"},
		{"mesh", "unknown path", request{method: "POST", path: "/operations/update", headers: form(), body: "operation=update-triggers"}, 404, ""},
		{"mesh", "bad escape in the path", request{raw: "GET /%zz HTTP/1.1\r\nHost: HOST\r\nConnection: close\r\n\r\n"}, 400, ""},
		{"mesh", "body shorter than Content-Length", request{raw: short("/", "application/x-www-form-urlencoded")}, 400, ""},
		{"mesh", "huge header", request{method: "GET", path: "/status", headers: hugeHeader}, 431, ""},

		// The front end (FE-2, FE-3, limit 1 MiB).
		{"fe", "oversized body", request{method: "POST", path: meshhttp.PathSetTriggers, headers: fe(), body: hugeJSON}, 413, "1 MiB"},
		{"fe", "no token", request{method: "POST", path: meshhttp.PathSetTriggers, headers: map[string][]string{"Content-Type": {"application/json"}}, body: `{"triggers":[]}`}, 401, ""},
		{"fe", "garbage token", request{method: "POST", path: meshhttp.PathSetTriggers, headers: map[string][]string{"Content-Type": {"application/json"}, "x-ms-site-token": {"garbage.garbage.garbage"}}, body: `{}`}, 401, ""},
		{"fe", "duplicated token headers", request{raw: rawPost(meshhttp.PathSetTriggers, "application/json", `{}`, "x-ms-site-token: "+tok+"\r\n", "x-ms-site-token: "+tok+"\r\n")}, 401, ""},
		{"fe", "truncated JSON", request{method: "POST", path: meshhttp.PathSetTriggers, headers: fe(), body: `{"triggers":[`}, 400, ""},
		{"fe", "empty body", request{method: "POST", path: meshhttp.PathSetTriggers, headers: fe()}, 400, ""},
		{"fe", "invalid UTF-8 in JSON", request{method: "POST", path: meshhttp.PathSetTriggers, headers: fe(), body: "{\"hostId\":\"\xff\"}"}, 400, "UTF-8"},
		{"fe", "form content type", request{method: "POST", path: meshhttp.PathSetTriggers, headers: fe("Content-Type", "application/x-www-form-urlencoded"), body: `{}`}, 415, ""},
		{"fe", "body shorter than Content-Length", request{raw: short(meshhttp.PathSetTriggers, "application/json", "x-ms-site-token: "+tok+"\r\n")}, 400, ""},
		{"fe", "DELETE", request{method: "DELETE", path: meshhttp.PathSetTriggers}, 405, "method"},
		{"fe", "unknown path", request{method: "POST", path: "/operations/deletetriggers", headers: fe(), body: `{}`}, 404, ""},
		{"fe", "bad escape in the path", request{raw: "GET /operations/%G0 HTTP/1.1\r\nHost: HOST\r\nConnection: close\r\n\r\n"}, 400, ""},
		{"fe", "huge header", request{method: "GET", path: meshhttp.PathSetTriggers, headers: hugeHeader}, 431, ""},

		// The host's admin API (HOST-1, HOST-2, TOK-5, TOK-6; limit 1 MiB).
		{"host", "triggers without a token", request{method: "GET", path: host.PathTriggers}, 401, ""},
		{"host", "triggers with a garbage token", request{method: "GET", path: host.PathTriggers, headers: map[string][]string{"x-ms-site-token": {"not-a-jwt"}}}, 401, ""},
		{"host", "garbage bearer", request{method: "GET", path: host.PathTriggers, headers: map[string][]string{"Authorization": {"Bearer not.a.jwt"}}}, 401, ""},
		{"host", "duplicated token headers", request{raw: "GET " + host.PathTriggers + " HTTP/1.1\r\nHost: HOST\r\nx-ms-site-token: " + ptok + "\r\nx-ms-site-token: " + ptok + "\r\nConnection: close\r\n\r\n"}, 401, ""},
		{"host", "triggers with a wrong method", request{method: "DELETE", path: host.PathTriggers, headers: map[string][]string{"x-ms-site-token": {ptok}}}, 405, ""},
		{"host", "sync with a wrong admin key", request{method: "POST", path: "/admin/host/synctriggers", headers: map[string][]string{"x-functions-key": {"wrong"}}}, 401, ""},
		{"host", "sync with an oversized body", request{method: "POST", path: "/admin/host/synctriggers", headers: map[string][]string{"Content-Type": {"application/json"}}, body: hugeJSON}, 413, "1 MiB"},
		{"host", "unknown admin path", request{method: "GET", path: "/admin/host/nothing"}, 404, ""},
		{"host", "bad escape in the path", request{raw: "GET /admin/%zz HTTP/1.1\r\nHost: HOST\r\nConnection: close\r\n\r\n"}, 400, ""},
		{"host", "huge header", request{method: "GET", path: host.PathTriggers, headers: hugeHeader}, 431, ""},

		// The blob REST handler (BLOB-3, limit 4 MiB).
		{"blob", "no credential", request{method: "GET", path: "/devstoreaccount1/azure-webjobs-hosts/x"}, 403, "AuthorizationFailure"},
		{"blob", "oversized Put Blob", request{method: "PUT", path: "/devstoreaccount1/c1/big", headers: blobAuth("x-ms-blob-type", "BlockBlob"), body: strings.Repeat("b", 5<<20)}, 413, "RequestBodyTooLarge"},
		{"blob", "container without restype", request{method: "PUT", path: "/devstoreaccount1/c1", headers: blobAuth()}, 400, "InvalidQueryParameterValue"},
		{"blob", "unknown comp", request{method: "GET", path: "/devstoreaccount1/c1/b?comp=tags", headers: blobAuth()}, 400, "InvalidQueryParameterValue"},
		{"blob", "PATCH a blob", request{method: "PATCH", path: "/devstoreaccount1/c1/b", headers: blobAuth()}, 405, "UnsupportedHttpVerb"},
		{"blob", "unsupported condition header", request{method: "GET", path: "/devstoreaccount1/c1/b", headers: blobAuth("If-Modified-Since", "yesterday")}, 400, "UnsupportedHeader"},
		{"blob", "missing container", request{method: "GET", path: "/devstoreaccount1/nocontainer/b", headers: blobAuth()}, 404, ""},
		{"blob", "no account", request{method: "GET", path: "/", headers: blobAuth()}, 400, "InvalidUri"},
		{"blob", "bad lease action", request{method: "PUT", path: "/devstoreaccount1/c1/b?comp=lease", headers: blobAuth("x-ms-lease-action", "steal")}, 400, ""},
		{"blob", "bad escape in the path", request{raw: "GET /devstoreaccount1/%zz HTTP/1.1\r\nHost: HOST\r\nAuthorization: SharedKey a:b\r\nConnection: close\r\n\r\n"}, 400, ""},
		{"blob", "Put Blob without a blob type", request{method: "PUT", path: "/devstoreaccount1/c1/b", headers: blobAuth(), body: "x"}, 400, ""},
		{"blob", "garbage lease duration", request{method: "PUT", path: "/devstoreaccount1/c1/b?comp=lease", headers: blobAuth("x-ms-lease-action", "acquire", "x-ms-lease-duration", "forever")}, 400, ""},
		{"blob", "garbage range", request{method: "GET", path: "/devstoreaccount1/c1/b", headers: blobAuth("x-ms-range", "bytes=zz-")}, 400, ""},
		{"blob", "huge header", request{method: "GET", path: "/devstoreaccount1/c1/b", headers: hugeHeader}, 431, ""},
	}
	if len(cases) < 30 {
		t.Fatalf("the table has %d cases; issue 9 asks for at least 30", len(cases))
	}
	// The blob cases that name c1/b need the container and the blob to exist.
	for _, r := range []request{
		{method: "PUT", path: "/devstoreaccount1/c1?restype=container", headers: blobAuth()},
		{method: "PUT", path: "/devstoreaccount1/c1/b", headers: blobAuth("x-ms-blob-type", "BlockBlob"), body: "hash"},
	} {
		if status, text := r.do(t, srv.blob); status/100 != 2 {
			t.Fatalf("blob setup %s %s: %d %s", r.method, r.path, status, clip(text))
		}
	}
	bases := map[string]string{"mesh": srv.mesh, "fe": srv.fe, "host": srv.host, "blob": srv.blob}
	for _, c := range cases {
		t.Run(c.server+"/"+c.name, func(t *testing.T) {
			status, text := c.req.do(t, bases[c.server])
			if status >= 500 {
				t.Errorf("%d for a client's mistake (%q)", status, clip(text))
			}
			if status != c.status || !strings.Contains(text, c.text) {
				t.Errorf("got %d %q, want %d containing %q", status, clip(text), c.status, c.text)
			}
		})
	}
}

// held is the connection-abuse half of the table (slowloris and friends): per server and kind,
// three times the server's connection bound held open, while a well-behaved client must still get
// its answer, and the server must close every held connection after its idle or read timeout.
// Short timeouts and a bound of 4 are configured; outcomes only ("served", "closed") are asserted,
// with generous deadlines.
func TestHeldConnectionsTable(t *testing.T) {
	limits := httpbound.Limits{ReadHeader: 300 * time.Millisecond, Read: 500 * time.Millisecond,
		Write: 5 * time.Second, Idle: 400 * time.Millisecond, MaxConns: 4}
	srv := startWith(t, limits)
	tok := feToken(t)
	type target struct {
		base      string
		probe     request // a well-behaved request and its answer
		status    int
		idle      string // the held requests' heads
		slowWrite string
	}
	targets := map[string]target{
		"mesh": {srv.mesh, request{method: "GET", path: "/status"}, 200, "GET /status HTTP/1.1\r\n",
			"POST / HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"},
		"fe": {srv.fe, request{method: "GET", path: meshhttp.PathSetTriggers}, 404, "GET /status HTTP/1.1\r\n",
			"POST " + meshhttp.PathSetTriggers + " HTTP/1.1\r\nContent-Type: application/json\r\nx-ms-site-token: " + tok + "\r\n"},
		"host": {srv.host, request{method: "GET", path: host.PathTriggers}, 401, "GET " + host.PathTriggers + " HTTP/1.1\r\n",
			"POST /admin/host/synctriggers HTTP/1.1\r\nContent-Type: application/json\r\n"},
		"blob": {srv.blob, request{method: "GET", path: "/"}, 403, "GET / HTTP/1.1\r\n",
			"PUT /devstoreaccount1/c1/b HTTP/1.1\r\nx-ms-blob-type: BlockBlob\r\nAuthorization: SharedKey devstoreaccount1:c2lnbmF0dXJl\r\nx-ms-version: 2025-01-05\r\n"},
	}
	const perKind = 3 * 4 // three times the bound
	cases := []struct {
		name  string
		kinds []boundtest.Kind
	}{
		{"idle keep-alive", []boundtest.Kind{boundtest.Idle}},
		{"slow header", []boundtest.Kind{boundtest.SlowHeader}},
		{"slow body", []boundtest.Kind{boundtest.SlowBody}},
		{"silent", []boundtest.Kind{boundtest.Silent}},
		{"too many connections", boundtest.Kinds},
	}
	for _, name := range []string{"mesh", "fe", "host", "blob"} {
		tg := targets[name]
		for _, c := range cases {
			t.Run(name+"/"+c.name, func(t *testing.T) {
				var held []net.Conn
				defer func() { boundtest.CloseAll(held) }()
				for _, k := range c.kinds {
					head := tg.slowWrite
					if k == boundtest.Idle || k == boundtest.SlowHeader {
						head = tg.idle
					}
					u, _ := url.Parse(tg.base)
					conns, err := boundtest.Hold(u.Host, k, perKind, head)
					if err != nil {
						t.Fatal(err)
					}
					held = append(held, conns...)
				}
				if status, text := tg.probe.do(t, tg.base); status != tg.status {
					t.Errorf("a client beside %d held connections: %d %q, want %d", len(held), status, clip(text), tg.status)
				}
				if n := boundtest.Closed(held, 30*time.Second); n != len(held) {
					t.Errorf("the server closed %d of %d held connections", n, len(held))
				}
			})
		}
	}
}

func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}
