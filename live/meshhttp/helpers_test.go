package meshhttp

import (
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/syncsim/syncsim/host"
)

var testSite = host.Site{Name: "myapp", HostID: "myapp",
	EncryptionKey: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}

func testKey(t *testing.T) []byte {
	t.Helper()
	k, err := host.ParseKey(testSite.EncryptionKey)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

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

// client is the tests' HTTP client, with its own transport so that noLeak can close its idle
// connections.
var client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 200}, Timeout: 10 * time.Second}

func do(t *testing.T, method, url, contentType string, body []byte, headers map[string]string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

const formType = "application/x-www-form-urlencoded"

func notify(t *testing.T, meshURL, body string) int {
	t.Helper()
	status, _ := do(t, "POST", meshURL+"/", formType, []byte(body), map[string]string{"fx-current-instance": "pod-a"})
	return status
}

// fetchSeen is one MSG-3 fetch the test site received.
type fetchSeen struct {
	at         time.Time
	hasToken   bool
	validTOK4  bool
	tokenError string
}

// adminSite is a test site's admin API: it records the fetches and answers with statuses from a
// script (then 200 with body).
type adminSite struct {
	t        *testing.T
	mu       sync.Mutex
	fetches  []fetchSeen
	statuses []int
	body     []byte
	// hold, when set, is called for each fetch before it is answered (it may block).
	hold  func(n int)
	fetch chan int
	url   string
}

func newSite(t *testing.T, statuses ...int) *adminSite {
	return &adminSite{t: t, statuses: statuses, body: []byte(`{"triggers":[],"hostId":"myapp"}`), fetch: make(chan int, 1000)}
}

func (s *adminSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != host.PathTriggers || r.Method != "GET" {
		http.NotFound(w, r)
		return
	}
	tok := host.TokenFromHeaders(map[string]string{"x-ms-site-token": r.Header.Get("x-ms-site-token"), "Authorization": r.Header.Get("Authorization")})
	key, _ := host.ParseKey(testSite.EncryptionKey)
	c, err := host.ValidateHostToken(key, testSite.Name, tok, time.Now())
	f := fetchSeen{at: time.Now(), hasToken: tok != "", validTOK4: err == nil && c.Platform && c.Expires.Sub(c.IssuedAt) <= time.Hour}
	if err != nil {
		f.tokenError = err.Error()
	}
	s.mu.Lock()
	s.fetches = append(s.fetches, f)
	n := len(s.fetches)
	status := 200
	if n <= len(s.statuses) {
		status = s.statuses[n-1]
	}
	hold := s.hold
	s.mu.Unlock()
	s.fetch <- n
	if hold != nil {
		hold(n)
	}
	if !f.hasToken || err != nil {
		status = 401
	}
	w.Header().Set("x-syncsim-revision", "7")
	w.WriteHeader(status)
	if status == 200 {
		w.Write(s.body)
	}
}

func (s *adminSite) seen() []fetchSeen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]fetchSeen(nil), s.fetches...)
}

// waitFetch waits for the n-th fetch (1-based) for at most d; false when it did not come.
func (s *adminSite) waitFetch(n int, d time.Duration) bool {
	deadline := time.After(d)
	for {
		if len(s.seen()) >= n {
			return true
		}
		select {
		case <-s.fetch:
		case <-deadline:
			return len(s.seen()) >= n
		}
	}
}
