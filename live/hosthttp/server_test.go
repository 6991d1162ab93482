package hosthttp_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/live/hosthttp"
	"github.com/syncsim/syncsim/live/meshhttp"
	"github.com/syncsim/syncsim/live/standalone"
)

var testSite = host.Site{Name: "myapp", HostID: "myapp",
	EncryptionKey: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}

var client = &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}

// noLeak checks, after every other cleanup of the test, that the goroutine count settles back.
func noLeak(t *testing.T) {
	t.Helper()
	base := runtime.NumGoroutine()
	t.Cleanup(func() {
		client.CloseIdleConnections()
		deadline := time.Now().Add(3 * time.Second)
		for runtime.NumGoroutine() > base && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > base {
			buf := make([]byte, 1<<16)
			t.Errorf("goroutines: %d after stop, %d before\n%s", n, base, buf[:runtime.Stack(buf, true)])
		}
	})
}

// syncLog is a Log writer safe for the server's goroutines.
type syncLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func startHost(t *testing.T, cfg hosthttp.HostConfig) (*hosthttp.HostServer, string) {
	t.Helper()
	cfg.Site = testSite
	s := standalone.NewHost(cfg)
	url, stop, err := s.Serve("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return s, url
}

func do(t *testing.T, method, url string, headers map[string]string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

func token(t *testing.T, platform bool) map[string]string {
	t.Helper()
	key, err := host.ParseKey(testSite.EncryptionKey)
	if err != nil {
		t.Fatal(err)
	}
	var tok string
	if platform {
		tok, err = host.IssuePlatformToken(key, testSite.Name, time.Now(), 10*time.Minute)
	} else {
		// A valid TOK-5 token of another issuer: no platform claim.
		now := time.Now()
		site := testSite.URL()
		tok, err = host.IssueToken(key, host.TokenClaims{Issuer: site, Audience: site, IssuedAt: now, NotBefore: now, Expires: now.Add(5 * time.Minute)})
	}
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{"x-ms-site-token": tok}
}

// HOST-1: 200 with the payload for a TOK-4 token, its hash that of host.BuildPayload for the
// configured content; 401 without or with an invalid token; 403 for another issuer's token.
func TestTriggers(t *testing.T) {
	noLeak(t)
	s, url := startHost(t, hosthttp.HostConfig{Seed: 3})
	c := s.Content()
	want := host.BuildPayload(testSite, c.Functions, c.Keys).Hash
	status, body := do(t, "GET", url+host.PathTriggers, token(t, true))
	if status != 200 || host.HashOf(body) != want {
		t.Fatalf("GET triggers with TOK-4: %d hash %s, want 200 hash %s", status, host.HashOf(body), want)
	}
	if status, _ := do(t, "GET", url+host.PathTriggers, nil); status != 401 {
		t.Errorf("without a token: %d, want 401", status)
	}
	if status, _ := do(t, "GET", url+host.PathTriggers, map[string]string{"x-ms-site-token": "not.a.token"}); status != 401 {
		t.Errorf("invalid token: %d, want 401", status)
	}
	if status, _ := do(t, "GET", url+host.PathTriggers, token(t, false)); status != 403 {
		t.Errorf("token of another issuer: %d, want 403", status)
	}
}

// Configured content is served as given.
func TestTriggersConfiguredContent(t *testing.T) {
	noLeak(t)
	c := hosthttp.DefaultContent(99)
	c.Functions = c.Functions[:1]
	_, url := startHost(t, hosthttp.HostConfig{Content: &c})
	_, body := do(t, "GET", url+host.PathTriggers, token(t, true))
	if want := host.BuildPayload(testSite, c.Functions, c.Keys).Hash; host.HashOf(body) != want {
		t.Fatalf("hash %s, want %s", host.HashOf(body), want)
	}
}

// HOST-1 broken: triggers-without-token answers 200 without a token.
func TestTriggersWithoutTokenDefect(t *testing.T) {
	noLeak(t)
	_, url := startHost(t, hosthttp.HostConfig{Defects: []string{"triggers-without-token"}})
	if status, _ := do(t, "GET", url+host.PathTriggers, nil); status != 200 {
		t.Fatalf("without a token: %d, want 200 (the defect)", status)
	}
}

// HOST-1 broken: triggers-stale-payload serves a body whose hash is not what a sync publishes.
func TestTriggersStalePayloadDefect(t *testing.T) {
	noLeak(t)
	s, url := startHost(t, hosthttp.HostConfig{Defects: []string{"triggers-stale-payload"}})
	c := s.Content()
	status, body := do(t, "GET", url+host.PathTriggers, token(t, true))
	if status != 200 || host.HashOf(body) == host.BuildPayload(testSite, c.Functions, c.Keys).Hash {
		t.Fatalf("GET triggers: %d, hash equal to the sync's: the defect should change it", status)
	}
	if !json.Valid(body) || bytes.Contains(body, []byte(`"secrets"`)) {
		t.Fatalf("stale body is not the minimal form: %d bytes", len(body))
	}
}

func adminKey(s *hosthttp.HostServer) map[string]string {
	return map[string]string{"x-functions-key": s.Content().Keys.Master}
}

// HOST-2: POST synctriggers with the admin key runs a foreground sync: 200 success, and the front
// end holds the payload, with the revision the host sends in package mesh's RevisionHeader; without
// credentials 401.
func TestSyncTriggersToFrontEnd(t *testing.T) {
	noLeak(t)
	fe := meshhttp.NewFrontEnd(meshhttp.FrontEndConfig{Site: testSite})
	feURL, feStop, err := fe.Serve("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { feStop() })
	s, url := startHost(t, hosthttp.HostConfig{FrontEndURL: feURL})
	if status, _ := do(t, "POST", url+host.PathSyncTriggers, nil); status != 401 {
		t.Errorf("without credentials: %d, want 401", status)
	}
	status, body := do(t, "POST", url+host.PathSyncTriggers, adminKey(s))
	if status != 200 || string(body) != `{"status":"success"}` {
		t.Fatalf("synctriggers: %d %s", status, body)
	}
	c := s.Content()
	e, ok := fe.Stored()
	if want := host.BuildPayload(testSite, c.Functions, c.Keys).Hash; !ok || e.Hash != want || e.Revision != 1 {
		t.Fatalf("front end holds %v %s rev %d, want hash %s rev 1", ok, e.Hash, e.Revision, want)
	}
}

// HOST-2 standalone: with no URL given the host publishes to its own reference front end or
// mesh; in platform mode the mesh then fetches the payload from the host.
func TestSyncTriggersStandalone(t *testing.T) {
	for _, mode := range []host.Mode{host.ModeFrontend, host.ModePlatform, host.ModeAdditive} {
		t.Run(mode.String(), func(t *testing.T) {
			noLeak(t)
			log := &syncLog{}
			s, url := startHost(t, hosthttp.HostConfig{Mode: mode, Log: log})
			status, body := do(t, "POST", url+host.PathSyncTriggers, adminKey(s))
			if status != 200 {
				t.Fatalf("synctriggers: %d %s", status, body)
			}
			if mode == host.ModeFrontend {
				return
			}
			c := s.Content()
			want := "mesh: stored payload hash=" + host.BuildPayload(testSite, c.Functions, c.Keys).Hash
			deadline := time.Now().Add(2 * time.Second)
			for !strings.Contains(log.String(), want) && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if !strings.Contains(log.String(), want) {
				t.Fatalf("the in-process mesh did not store the payload:\n%s", log)
			}
			if strings.Contains(log.String(), c.Keys.Master) {
				t.Fatal("PAY-4: the master key is in the log")
			}
		})
	}
}

// HOST-2: a publish that fails is a 500 with SYNC-7's text; sync-ignores-failure answers 200.
func TestSyncTriggersFailure(t *testing.T) {
	for _, tt := range []struct {
		defect string
		status int
		body   string
	}{
		{"", 500, `{"status":"SyncTriggers call failed (StatusCode=ServiceUnavailable)."}`},
		{"sync-ignores-failure", 200, `{"status":"success"}`},
	} {
		t.Run("defect="+tt.defect, func(t *testing.T) {
			noLeak(t)
			fe := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusServiceUnavailable)
			}))
			t.Cleanup(fe.Close)
			var defects []string
			if tt.defect != "" {
				defects = []string{tt.defect}
			}
			s, url := startHost(t, hosthttp.HostConfig{FrontEndURL: fe.URL, Defects: defects})
			status, body := do(t, "POST", url+host.PathSyncTriggers, adminKey(s))
			if status != tt.status || string(body) != tt.body {
				t.Fatalf("synctriggers with a front end answering 503: %d %s, want %d %s", status, body, tt.status, tt.body)
			}
		})
	}
}

func TestHostConfigErrors(t *testing.T) {
	_, _, err := standalone.NewHost(hosthttp.HostConfig{Site: testSite, Defects: []string{"no-retry"}}).Serve("127.0.0.1:0")
	if err == nil || err.Error() != `hosthttp: unknown defect "no-retry" (known: sync-ignores-failure, triggers-stale-payload, triggers-without-token)` {
		t.Fatalf("unknown defect: %v, want an error listing the known ones", err)
	}
	if _, _, err := standalone.NewHost(hosthttp.HostConfig{Site: testSite, Mode: 42}).Serve("127.0.0.1:0"); err == nil {
		t.Fatal("unknown mode: no error")
	}
	if _, _, err := hosthttp.NewHost(hosthttp.HostConfig{Site: testSite}).Serve("127.0.0.1:0"); err == nil ||
		!strings.Contains(err.Error(), "no storage") {
		t.Fatalf("no storage: %v, want an error naming it", err)
	}
}

// Without StartPeer, a mode that needs a front end or mesh it has no URL for fails to serve; with
// one, Serve starts it with the host's own URL, publishes to what it answers and stops it.
func TestStartPeer(t *testing.T) {
	noLeak(t)
	for _, tt := range []struct {
		mode host.Mode
		want string
	}{
		{host.ModeFrontend, "needs a front end"},
		{host.ModePlatform, "needs a mesh"},
	} {
		cfg := hosthttp.HostConfig{Site: testSite, Mode: tt.mode, Storage: standalone.NewBlobStorage()}
		if _, _, err := hosthttp.NewHost(cfg).Serve("127.0.0.1:0"); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("mode %s without StartPeer: %v, want %q", tt.mode, err, tt.want)
		}
	}
	fe := meshhttp.NewFrontEnd(meshhttp.FrontEndConfig{Site: testSite})
	var started []hosthttp.Peer
	var siteURL string
	stopped := 0
	cfg := hosthttp.HostConfig{Site: testSite, Storage: standalone.NewBlobStorage(),
		StartPeer: func(p hosthttp.Peer, self string) (string, func() error, error) {
			started, siteURL = append(started, p), self
			u, stop, err := fe.Serve("127.0.0.1:0")
			return u, func() error { stopped++; return stop() }, err
		}}
	s := hosthttp.NewHost(cfg)
	url, stop, err := s.Serve("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	status, _ := do(t, "POST", url+host.PathSyncTriggers, adminKey(s))
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if _, ok := fe.Stored(); status != 200 || !ok {
		t.Fatalf("synctriggers: %d, front end holds a payload: %v", status, ok)
	}
	if len(started) != 1 || started[0] != hosthttp.PeerFrontEnd || siteURL != url || stopped != 1 {
		t.Fatalf("StartPeer calls %v with %q (host at %q), stops %d: want one front end, with the host's URL, stopped once",
			started, siteURL, url, stopped)
	}
}

// A failing StartPeer fails Serve with the peer named.
func TestStartPeerFails(t *testing.T) {
	cfg := hosthttp.HostConfig{Site: testSite, Mode: host.ModePlatform, Storage: standalone.NewBlobStorage(),
		StartPeer: func(hosthttp.Peer, string) (string, func() error, error) { return "", nil, errors.New("no port") }}
	if _, _, err := hosthttp.NewHost(cfg).Serve("127.0.0.1:0"); err == nil || err.Error() != "hosthttp: reference mesh: no port" {
		t.Fatalf("Serve: %v, want the mesh's error", err)
	}
}

// Keys come from the seed: the same seed, the same keys; another seed, others.
func TestDefaultContentIsSeeded(t *testing.T) {
	a, b, c := hosthttp.DefaultContent(1), hosthttp.DefaultContent(1), hosthttp.DefaultContent(2)
	if a.Keys.Master != b.Keys.Master || a.Keys.Master == c.Keys.Master || a.Keys.Master == "" {
		t.Fatal("default keys are not a function of the seed")
	}
}
