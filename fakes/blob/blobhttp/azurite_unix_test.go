//go:build unix

package blobhttp_test

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"
)

// This file is a stopgap until live/azurite (the shared provider that starts and stops
// Azurite) exists; switch startAzurite to it then.

// azuriteBin is where `npm install --prefix tools/azurite` puts the binary, from this package.
const azuriteBin = "../../../tools/azurite/node_modules/.bin/azurite-blob"

var listening = regexp.MustCompile(`successfully listens on http://127\.0\.0\.1:(\d+)`)

// findAzurite returns the azurite-blob binary, or skips (fails when CI=true) saying how to install it.
func findAzurite(t *testing.T) string {
	t.Helper()
	if p, err := filepath.Abs(azuriteBin); err == nil {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("azurite-blob"); err == nil {
		return p
	}
	why := "azurite-blob not found at tools/azurite/node_modules/.bin nor on PATH; install it with " +
		"`npm install --prefix tools/azurite` from the repository root"
	if os.Getenv("CI") == "true" {
		t.Fatal(why + " (CI=true: not skipping)")
	}
	t.Skip(why)
	return ""
}

// startAzurite runs Azurite in memory on a free port in its own process group and returns the
// port. t.Cleanup kills the whole group (node and anything it started), also on failure, and then
// checks that nothing listens on the port any more.
func startAzurite(t *testing.T) string {
	t.Helper()
	bin := findAzurite(t)
	cmd := exec.Command(bin, "--blobHost", "127.0.0.1", "--blobPort", "0", "--inMemoryPersistence",
		"--skipApiVersionCheck", "--disableTelemetry", "--silent")
	cmd.Dir = t.TempDir() // Azurite may write its debug and metadata files here
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	port := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				port <- m[1]
			}
		}
		close(port)
	}()
	var p string
	t.Cleanup(func() { stopAzurite(t, cmd, p) })
	select {
	case got, ok := <-port:
		if !ok {
			t.Fatal("azurite-blob exited before listening")
		}
		p = got
	case <-time.After(30 * time.Second):
		t.Fatal("azurite-blob did not report its port within 30 s")
	}
	return p
}

func stopAzurite(t *testing.T, cmd *exec.Cmd, port string) {
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	_ = cmd.Wait()
	if port == "" {
		return
	}
	if c, err := net.DialTimeout("tcp", "127.0.0.1:"+port, time.Second); err == nil {
		c.Close()
		t.Errorf("something still listens on Azurite's port %s after stopping it", port)
	}
}
