package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/syncsim/syncsim/fakes/mesh/meshhttp"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/host/hosthttp"
)

const serveKey = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// Bad flags, missing flags, a bad key, a bad mode and unknown defects are usage errors: exit 3, with
// a message that says what to fix (unknown defects: the known ones listed).
func TestServePlatformBadFlagsExit3(t *testing.T) {
	t.Setenv("WEBSITE_AUTH_ENCRYPTION_KEY", "")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"serve", "mesh", "--bogus"}, "unknown flag"},
		{[]string{"serve", "mesh", "--site", "myapp", "--key", serveKey}, "--site-url is required"},
		{[]string{"serve", "mesh", "--site-url", "http://127.0.0.1:1", "--key", serveKey}, "--site is required"},
		{[]string{"serve", "mesh", "--site-url", "http://127.0.0.1:1", "--site", "myapp", "--key", serveKey, "--retry-budget", "soon"}, "invalid argument"},
		{[]string{"serve", "mesh", "--site-url", "http://127.0.0.1:1", "--site", "myapp", "--key", serveKey, "--defect", "bogus"}, "known: accept-malformed, fetch-per-notification"},
		{[]string{"serve", "frontend", "--site", "myapp"}, "--key (or WEBSITE_AUTH_ENCRYPTION_KEY) is required"},
		{[]string{"serve", "frontend", "--site", "myapp", "--key", "%%%"}, "invalid encryption key"},
		{[]string{"serve", "frontend", "--site", "myapp", "--key", serveKey, "--defect", "no-retry"}, "known: accept-bad-token"},
		{[]string{"serve", "host", "--site", "myapp", "--key", serveKey, "--mode", "bogus"}, "unknown mode"},
		{[]string{"serve", "host", "--site", "myapp", "--key", serveKey, "--defect", "reject-valid"}, "known: sync-ignores-failure"},
		{[]string{"serve", "host", "extra"}, "unknown command"},
	}
	for _, tt := range tests {
		code, _, errOut := simrun(t, tt.args...)
		if code != 3 || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, stderr %q, want exit 3 and %q", tt.args, code, errOut, tt.want)
		}
		if strings.Contains(errOut, serveKey) {
			t.Errorf("%v: the key is in the error text", tt.args)
		}
	}
}

// runServer prints one "listening on URL" line, serves until its context ends, then stops.
func TestServePlatformRunServer(t *testing.T) {
	site := host.Site{Name: "myapp", HostID: "myapp", EncryptionKey: serveKey}
	parts := map[string]func(string) (string, func() error, error){
		"frontend": meshhttp.NewFrontEnd(meshhttp.FrontEndConfig{Site: site}).Serve,
		"mesh":     meshhttp.NewMesh(meshhttp.MeshConfig{Site: site, SiteURL: "http://127.0.0.1:1"}).Serve,
		"host":     hosthttp.NewHost(hosthttp.HostConfig{Site: site}).Serve,
	}
	probe := map[string]struct {
		method, path string
		want         int
	}{
		"frontend": {"GET", "/operations/settriggers", 404},
		"mesh":     {"GET", "/status", 200},
		"host":     {"GET", "/admin/host/triggers", 401},
	}
	for _, kind := range servePlatformKinds {
		t.Run(kind, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			r, w := io.Pipe()
			var stderr strings.Builder
			done := make(chan error, 1)
			go func() {
				done <- runServer(ctx, kind, "127.0.0.1:0", parts[kind], w, &stderr)
				w.Close()
			}()
			sc := bufio.NewScanner(r)
			if !sc.Scan() {
				t.Fatalf("no output; stderr %q", stderr.String())
			}
			url, ok := strings.CutPrefix(sc.Text(), "listening on http://127.0.0.1:")
			if !ok {
				t.Fatalf("first line %q, want listening on http://127.0.0.1:PORT", sc.Text())
			}
			url = "http://127.0.0.1:" + url
			go io.Copy(io.Discard, r)
			p := probe[kind]
			req, _ := http.NewRequest(p.method, url+p.path, nil)
			c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != p.want {
				t.Errorf("%s %s: %d, want %d", p.method, p.path, resp.StatusCode, p.want)
			}
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("did not stop")
			}
			if _, err := c.Get(url + p.path); err == nil {
				t.Error("still answering after stop")
			}
		})
	}
}
