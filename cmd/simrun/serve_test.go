package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"

	"github.com/syncsim/syncsim/internal/httpbound"
)

// `simrun serve` takes exactly one known kind; anything else is a usage error (exit 3) that lists
// the kinds.
func TestServeRefusesUnknownKinds(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"serve"}, "name what to serve (kinds: blob"},
		{[]string{"serve", "queue"}, `unknown kind "queue" (kinds: blob`},
		{[]string{"serve", "blob", "mesh"}, "one kind at a time"},
	}
	for _, tt := range tests {
		code, _, errOut := simrun(t, tt.args...)
		if code != 3 || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, stderr %q, want exit 3 and %q", tt.args, code, errOut, tt.want)
		}
	}
}

// serve blob prints its address and a connection string azblob accepts, serves until the context
// ends, then stops and frees the port.
func TestServeBlob(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, w := io.Pipe()
	var stderr strings.Builder
	done := make(chan error, 1)
	go func() {
		done <- serveBlob(ctx, "127.0.0.1:0", httpbound.Limits{}, w, &stderr)
		w.Close()
	}()
	sc := bufio.NewScanner(r)
	var addr, conn string
	for conn == "" && sc.Scan() {
		line := sc.Text()
		if a, ok := strings.CutPrefix(line, "blob listening on http://"); ok {
			addr, _, _ = strings.Cut(a, "/")
		}
		if c, ok := strings.CutPrefix(line, "connection string: "); ok {
			conn = c
		}
	}
	go io.Copy(io.Discard, r)
	if addr == "" || conn == "" {
		t.Fatalf("no address or connection string (addr %q, conn %q)", addr, conn)
	}
	client, err := azblob.NewClientFromConnectionString(conn, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateContainer(ctx, "azure-webjobs-hosts", nil); err != nil {
		t.Fatalf("create container over %s: %v", addr, err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serveBlob: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serveBlob did not return after its context ended")
	}
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Errorf("%s still accepts connections", addr)
	}
	if !strings.Contains(stderr.String(), "stopped") {
		t.Errorf("stderr = %q", stderr.String())
	}
}

// A listen address that cannot be used is exit 3.
func TestServeBadAddress(t *testing.T) {
	code, _, errOut := simrun(t, "serve", "blob", "--listen", "127.0.0.1:notaport")
	if code != 3 || !strings.Contains(errOut, "serve blob") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}
