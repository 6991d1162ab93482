package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/live/hosthttp"
	"github.com/syncsim/syncsim/live/meshhttp"
	"github.com/syncsim/syncsim/live/standalone"
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
		"host":     standalone.NewHost(hosthttp.HostConfig{Site: site}).Serve,
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

// A --data file that cannot be a store, or that another server holds, is refused before the
// server listens: exit 3, naming the file, the problem and what to do. Negative limits are usage
// errors too.
func TestServeDataFileAndLimitsExit3(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("not a store\n", 1000)), 0o600); err != nil {
		t.Fatal(err)
	}
	held := filepath.Join(dir, "held.db")
	srv := meshhttp.NewFrontEnd(meshhttp.FrontEndConfig{Site: host.Site{Name: "myapp", HostID: "myapp", EncryptionKey: serveKey}, DataFile: held})
	_, stop, err := srv.Serve("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	mesh := []string{"serve", "mesh", "--site-url", "http://127.0.0.1:1", "--site", "myapp", "--key", serveKey}
	fe := []string{"serve", "frontend", "--site", "myapp", "--key", serveKey}
	tests := []struct {
		args []string
		want []string
	}{
		{append(mesh, "--data", empty), []string{empty, "empty file (0 bytes), not a store", "delete it"}},
		{append(fe, "--data", garbage), []string{garbage, "not a bbolt store"}},
		{append(mesh, "--data", held), []string{held, "in use by another server (pid", "stop that server first"}},
		{append(fe, "--data", garbage, "--data-max-bytes", "100"), []string{garbage, "over the data file limit of 100 bytes", "--data-max-bytes"}},
		{append(fe, "--data-max-bytes", "-1"), []string{"--data-max-bytes -1 is negative"}},
		{append(mesh, "--read-timeout", "-1s"), []string{"--read-timeout -1s is negative"}},
		{append(fe, "--max-conns", "-2"), []string{"--max-conns -2 is negative"}},
		{[]string{"serve", "host", "--site", "myapp", "--key", serveKey, "--idle-timeout", "-1s"}, []string{"--idle-timeout"}},
		{[]string{"serve", "blob", "--write-timeout", "-1s"}, []string{"--write-timeout"}},
	}
	for _, tt := range tests {
		code, _, errOut := simrun(t, tt.args...)
		if code != 3 {
			t.Errorf("%v: exit %d, want 3 (stderr %q)", tt.args, code, errOut)
		}
		for _, w := range tt.want {
			if !strings.Contains(errOut, w) {
				t.Errorf("%v: stderr %q, want %q", tt.args, errOut, w)
			}
		}
	}
}
