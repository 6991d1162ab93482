//go:build linux

package httpbound

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/syncsim/syncsim/internal/httpbound/boundtest"
)

// childEnv marks the child process of TestServedUnderLowFileLimit.
const childEnv = "SYNCSIM_HTTPBOUND_CHILD"

// The reported case: a server limited to 128 descriptors and 150 abusive connections (idle
// keep-alive and slow bodies). The server runs in a child process under RLIMIT_NOFILE 128 with the
// default bound (a quarter of the limit: 32); while the connections are held it can still open
// files of its own, another client is served, and every held connection is closed.
func TestServedUnderLowFileLimit(t *testing.T) {
	if os.Getenv(childEnv) == "1" {
		serveChild()
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestServedUnderLowFileLimit$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	out := bufio.NewScanner(stdout)
	line := func() string {
		if !out.Scan() {
			t.Fatalf("the child stopped: %v", out.Err())
		}
		return out.Text()
	}
	var addr string
	var conns int
	if _, err := fmt.Sscanf(line(), "serving %s bound %d", &addr, &conns); err != nil {
		t.Fatal(err)
	}
	if conns != 32 {
		t.Errorf("default bound under 128 descriptors: %d, want 32", conns)
	}
	idle, err := boundtest.Hold(addr, boundtest.Idle, 75, "GET / HTTP/1.1\r\n")
	if err != nil {
		t.Fatal(err)
	}
	defer boundtest.CloseAll(idle)
	slow, err := boundtest.Hold(addr, boundtest.SlowBody, 75, "POST / HTTP/1.1\r\n")
	if err != nil {
		t.Fatal(err)
	}
	defer boundtest.CloseAll(slow)
	fmt.Fprintln(stdin, "files")
	if got := line(); got != "files ok" {
		t.Errorf("the server opening files while 150 connections are held: %s", got)
	}
	if status, body, err := get(addr); err != nil || status != 200 || body != "ok" {
		t.Errorf("another client: %d %q %v, want 200 ok", status, body, err)
	}
	held := append(idle, slow...)
	if n := boundtest.Closed(held, generous); n != len(held) {
		t.Errorf("the server closed %d of %d held connections", n, len(held))
	}
}

// serveChild is the child: it lowers its descriptor limit to 128, serves with short timeouts and
// the default bound, and on "files" opens 16 files and says whether it could.
func serveChild() {
	lim := syscall.Rlimit{Cur: 128, Max: 128}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		fmt.Println("setrlimit:", err)
		os.Exit(1)
	}
	l := short
	l.MaxConns = 0
	srv, ln, err := Listen("127.0.0.1:0", echo, l)
	if err != nil {
		fmt.Println("listen:", err)
		os.Exit(1)
	}
	go srv.Serve(ln)
	defer srv.Close()
	fmt.Printf("serving %s bound %d\n", ln.Addr(), l.WithDefaults().MaxConns)
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		if strings.TrimSpace(in.Text()) != "files" {
			continue
		}
		var files []*os.File
		var openErr error
		for range 16 {
			f, err := os.Open(os.DevNull)
			if err != nil {
				openErr = err
				break
			}
			files = append(files, f)
		}
		for _, f := range files {
			f.Close()
		}
		if openErr != nil {
			fmt.Println("files:", openErr)
		} else {
			fmt.Println("files ok")
		}
	}
}
