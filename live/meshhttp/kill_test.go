package meshhttp

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/syncsim/syncsim/host"
)

// buildSimrun builds cmd/simrun into a temporary directory (once per test binary run).
func buildSimrun(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the simrun binary")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool to build simrun")
	}
	bin := filepath.Join(t.TempDir(), "simrun")
	out, err := exec.Command(goBin, "build", "-o", bin, "github.com/syncsim/syncsim/cmd/simrun").CombinedOutput()
	if err != nil {
		t.Fatalf("go build simrun: %v\n%s", err, out)
	}
	return bin
}

// proc is a `simrun serve ...` process.
type proc struct {
	cmd  *exec.Cmd
	url  string
	done chan error
}

func startProc(t *testing.T, bin string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve"}, args...)...)
	logf, err := os.Create(filepath.Join(t.TempDir(), "stderr.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logf.Close() })
	cmd.Stderr = logf
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, done: make(chan error, 1)}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
				urls <- u
			}
		}
		io.Copy(io.Discard, stdout)
		p.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
	})
	select {
	case p.url = <-urls:
	case err := <-p.done:
		p.done <- err
		t.Fatalf("simrun serve %s exited before listening: %v", args[0], err)
	case <-time.After(15 * time.Second):
		t.Fatalf("simrun serve %s: no \"listening on\" line within 15 s", args[0])
	}
	return p
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *proc) kill(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGKILL)
	err := <-p.done
	p.done <- err
}

// interrupt stops the process cleanly (SIGINT) and checks that it exits 0.
func (p *proc) interrupt(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-p.done:
		p.done <- err
		if err != nil {
			t.Fatalf("serve after SIGINT: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop within 10 s of SIGINT")
	}
}

// slowSite is a site whose MSG-3 answers take delay (settable), recording when each fetch started.
type slowSite struct {
	mu      sync.Mutex
	delay   time.Duration
	fetches []time.Time
}

func (s *slowSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.fetches = append(s.fetches, time.Now())
	d := s.delay
	s.mu.Unlock()
	select {
	case <-time.After(d):
	case <-r.Context().Done():
		return
	}
	w.Header().Set("x-syncsim-revision", "9")
	w.Write([]byte(`{"triggers":[],"hostId":"myapp"}`))
}

func (s *slowSite) fetchesAfter(at time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, f := range s.fetches {
		if f.After(at) {
			n++
		}
	}
	return n
}

// Durability (issue 9 part 4), MESH-2 across a SIGKILL: 200 notifications from 20 goroutines, the
// mesh process killed once 150 are acknowledged, while a slow fetch (2 s) is under way, restarted on the
// same data file: a fetch starts after the last acknowledged notification and the pending set drains.
func TestMeshSurvivesSIGKILL(t *testing.T) {
	bin := buildSimrun(t)
	data := filepath.Join(t.TempDir(), "mesh.db")
	st := &slowSite{delay: 2 * time.Second}
	ts := httptest.NewServer(st)
	defer ts.Close()
	args := []string{"mesh", "--site", testSite.Name, "--key", testSite.EncryptionKey, "--site-url", ts.URL,
		"--data", data, "--debounce", "50ms"}
	p := startProc(t, bin, args...)

	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 20}}
	defer c.CloseIdleConnections()
	var acked atomic.Int64
	var mu sync.Mutex
	var lastAck time.Time
	killed := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	for g := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				req, _ := http.NewRequest("POST", p.url+"/", strings.NewReader("operation=update-triggers"))
				req.Header.Set("Content-Type", formType)
				req.Header.Set("fx-current-instance", fmt.Sprintf("pod-%02d", g))
				resp, err := c.Do(req)
				if err != nil {
					continue // after the kill
				}
				resp.Body.Close()
				if resp.StatusCode/100 == 2 {
					now := time.Now()
					mu.Lock()
					if now.After(lastAck) {
						lastAck = now
					}
					mu.Unlock()
					if acked.Add(1) >= 150 {
						once.Do(func() { p.kill(t); close(killed) })
					}
				}
				time.Sleep(150 * time.Millisecond) // the load lasts 1.5 s: MaxWait starts a slow fetch at 1 s
			}
		}()
	}
	wg.Wait()
	select {
	case <-killed:
	default:
		t.Fatalf("only %d notifications acknowledged; the kill never came", acked.Load())
	}
	before := readPending(t, data)
	t.Logf("acknowledged %d of 200 before/around the kill; on disk: accepted %d, covered %d, pending %d; fetches started %d",
		acked.Load(), before.Accepted, before.Covered, before.Pending(), st.fetchesAfter(time.Time{}))
	if int64(before.Accepted) < acked.Load() {
		t.Fatalf("the data file holds %d accepted notifications, %d were acknowledged", before.Accepted, acked.Load())
	}
	if before.Pending() == 0 {
		t.Fatal("nothing pending at the kill: the test did not kill in the middle of the work")
	}
	if st.fetchesAfter(time.Time{}) == 0 {
		t.Log("no fetch had started before the kill (a slow machine): the restart still owes one")
	}

	st.mu.Lock()
	st.delay = 0
	st.mu.Unlock()
	restart := time.Now()
	p = startProc(t, bin, args...)
	deadline := time.Now().Add(20 * time.Second)
	var status MeshStatus
	for time.Now().Before(deadline) {
		if resp, err := c.Get(p.url + "/status"); err == nil {
			json.NewDecoder(resp.Body).Decode(&status)
			resp.Body.Close()
		}
		if status.Pending == 0 && status.Stored > 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	after := st.fetchesAfter(lastAck)
	t.Logf("after the restart: restored %d, stored %d, pending %d; fetches after the last ack %d (after the restart %d)",
		status.Restored, status.Stored, status.Pending, after, st.fetchesAfter(restart))
	if status.Restored != before.Pending() || status.Pending != 0 || status.Stored == 0 || st.fetchesAfter(restart) == 0 || after == 0 {
		t.Fatalf("MESH-2 across the restart: status %+v, %d fetches after the last ack; want %d restored, drained, a fetch after it",
			status, after, before.Pending())
	}
	p.interrupt(t)
	if got := readPending(t, data); got.Pending() != 0 {
		t.Fatalf("on disk after the drain: %+v, want nothing pending", got)
	}
}

// Durability, FE-5 across a SIGKILL: publishes with increasing revisions, the front end killed after
// 100 acknowledgements and restarted on the same file holds the last acknowledged payload (or the one
// after it, committed but not yet answered) and a write count that includes every acknowledged one.
func TestFrontEndSurvivesSIGKILL(t *testing.T) {
	bin := buildSimrun(t)
	data := filepath.Join(t.TempDir(), "fe.db")
	args := []string{"frontend", "--site", testSite.Name, "--key", testSite.EncryptionKey, "--data", data}
	p := startProc(t, bin, args...)
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{}}
	defer c.CloseIdleConnections()
	key := testKey(t)
	payload := func(rev int) string { return `{"triggers":[],"hostId":"myapp","rev":` + strconv.Itoa(rev) + `}` }
	lastAcked, ackedCount, sent := 0, 0, 0
	for rev := 1; rev <= 300; rev++ {
		tok, _ := host.IssueSiteToken(key, testSite.Name, time.Now())
		req, _ := http.NewRequest("POST", p.url+PathSetTriggers, strings.NewReader(payload(rev)))
		req.Header.Set("Content-Type", jsonType)
		req.Header.Set("x-ms-site-token", tok)
		req.Header.Set("x-syncsim-revision", strconv.Itoa(rev))
		sent = rev
		if ackedCount == 100 {
			// Kill while this publish is on its way.
			go p.kill(t)
		}
		resp, err := c.Do(req)
		if err != nil {
			break
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("publish %d: %d", rev, resp.StatusCode)
		}
		lastAcked, ackedCount = rev, ackedCount+1
	}
	if sent == 300 {
		t.Fatal("the kill did not interrupt the publishes")
	}
	p.kill(t)
	p = startProc(t, bin, args...)
	resp, err := c.Get(p.url + PathSetTriggers)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp, err = c.Get(p.url + "/status")
	if err != nil {
		t.Fatal(err)
	}
	var status FrontEndStatus
	json.NewDecoder(resp.Body).Decode(&status)
	resp.Body.Close()
	t.Logf("acknowledged %d publishes (last revision %d); after the restart: %d writes, revision %d", ackedCount, lastAcked, status.Writes, status.LastRevision)
	okRev := status.LastRevision == lastAcked || status.LastRevision == lastAcked+1
	if !okRev || string(body) != payload(status.LastRevision) || status.Writes < ackedCount || status.Writes > ackedCount+1 {
		t.Fatalf("FE-5 across the restart: read-back %s, status %+v; want revision %d (or %d) and %d (or %d) writes",
			body, status, lastAcked, lastAcked+1, ackedCount, ackedCount+1)
	}
	p.interrupt(t)
}
