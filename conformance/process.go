package conformance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	mathrand "math/rand/v2"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Endpoint processes: how long the harness waits for the port, and for a stopped process.
const (
	PortTimeout = 10 * time.Second
	StopGrace   = 3 * time.Second
)

// CommandVars are the placeholders of an endpoint command (--mesh-cmd): {port}, {site_url},
// {site}, {key} and {simrun}.
type CommandVars struct {
	Port    int
	SiteURL string
	Site    string
	Key     string
	Simrun  string
}

// Expand substitutes the placeholders. Values that a shell would split are single-quoted.
func (v CommandVars) Expand(cmd string) string {
	return strings.NewReplacer(
		"{port}", strconv.Itoa(v.Port),
		"{site_url}", shellWord(v.SiteURL),
		"{site}", shellWord(v.Site),
		"{key}", shellWord(v.Key),
		"{simrun}", shellWord(v.Simrun),
	).Replace(cmd)
}

func shellWord(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=+@%,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// FreePort returns a port of 127.0.0.1 that was free a moment ago. It is drawn below Linux's
// ephemeral range (32768 and up), so that no listener on port 0 (the harness's site, a reference
// part) can be given it before the endpoint's command binds it; after 50 draws in use it takes an
// ephemeral port.
func FreePort() (int, error) {
	for range 50 {
		port := 20000 + mathrand.IntN(12000)
		if ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port)); err == nil {
			ln.Close()
			return port, nil
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// Process is an endpoint under test the harness started from a command, in its own process group.
type Process struct {
	cmd    *exec.Cmd
	out    *tailBuffer
	exited chan struct{}
	once   sync.Once
}

// StartProcess runs command with sh -c in its own process group, with the key in the environment
// as WEBSITE_AUTH_ENCRYPTION_KEY, and waits until 127.0.0.1:port accepts connections (PortTimeout).
// On failure the process is stopped and the error holds the tail of its output (never the key:
// the command line is not echoed).
func StartProcess(ctx context.Context, command string, port int, key string) (*Process, error) {
	c := exec.Command("/bin/sh", "-c", command)
	c.Env = append(os.Environ(), "WEBSITE_AUTH_ENCRYPTION_KEY="+key)
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p := &Process{cmd: c, out: &tailBuffer{max: 4096}, exited: make(chan struct{})}
	c.Stdout, c.Stderr = p.out, p.out
	if err := c.Start(); err != nil {
		return nil, fmt.Errorf("conformance: cannot start the endpoint command: %w", err)
	}
	go func() {
		c.Wait()
		close(p.exited)
	}()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(PortTimeout)
	for {
		if conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			conn.Close()
			return p, nil
		}
		select {
		case <-p.exited:
			return nil, fmt.Errorf("conformance: the endpoint command exited (%s) before %s accepted connections; its output:\n%s",
				c.ProcessState, addr, redactKey(p.out.String(), key))
		case <-ctx.Done():
			p.Stop()
			return nil, fmt.Errorf("conformance: interrupted while waiting for %s", addr)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.Stop()
			return nil, fmt.Errorf("conformance: the endpoint command did not accept connections on %s within %s (fix: make it listen on {port}); its output:\n%s",
				addr, PortTimeout, redactKey(p.out.String(), key))
		}
	}
}

// Output is the tail of the process's output.
func (p *Process) Output() string { return p.out.String() }

// Stop sends SIGTERM to the process group, then SIGKILL after StopGrace; it waits for the process.
func (p *Process) Stop() {
	p.once.Do(func() {
		pgid := p.cmd.Process.Pid
		syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(StopGrace):
			syscall.Kill(-pgid, syscall.SIGKILL)
			<-p.exited
		}
		// Children that outlived the leader get the same treatment.
		if syscall.Kill(-pgid, 0) == nil {
			syscall.Kill(-pgid, syscall.SIGKILL)
		}
	})
}

// tailBuffer keeps the last max bytes written.
type tailBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (t *tailBuffer) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(b)
	if over := t.buf.Len() - t.max; over > 0 {
		t.buf.Next(over)
	}
	return len(b), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buf.String()
}

func redactKey(s, key string) string {
	if key == "" {
		return s
	}
	return strings.ReplaceAll(s, key, "[key]")
}

// ErrSetup marks errors of the environment (exit code 3): a port, a process, a missing option.
var ErrSetup = errors.New("conformance: setup")
