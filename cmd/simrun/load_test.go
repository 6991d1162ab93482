package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/syncsim/syncsim/conformance/load"
)

// `simrun load mesh --instances 100 --requests 100` against the in-process mesh passes and writes
// its figures with --json.
func TestLoadMeshCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 requests")
	}
	out := filepath.Join(t.TempDir(), "load.json")
	var stdout, stderr bytes.Buffer
	code := execute([]string{"load", "mesh", "--instances", "100", "--requests", "100", "--json", out}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep load.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if !rep.Passed || rep.OK != 10000 || rep.Fetches < 1 || rep.Fetches > 10000 || rep.FetchesAfterLast < 1 || rep.Leak {
		t.Fatalf("report %+v", rep)
	}
	if !strings.Contains(stdout.String(), "PASS") {
		t.Fatalf("stdout: %s", stdout.String())
	}
}

func TestLoadFrontEndCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := execute([]string{"load", "frontend", "--instances", "10", "--requests", "20"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
}

// Load goes to loopback only: any other host is refused with exit 3 before a request is sent.
func TestLoadRefusesNonLoopbackTarget(t *testing.T) {
	for _, target := range []string{"http://192.0.2.10:8080/", "http://example.com/", "http://127.0.0.2:1/"} {
		var stdout, stderr bytes.Buffer
		code := execute([]string{"load", "mesh", "--instances", "1", "--requests", "1", "--target", target}, &stdout, &stderr)
		if code != 3 || !strings.Contains(stderr.String(), "127.0.0.1, localhost or [::1]") {
			t.Fatalf("%s: exit %d, stderr %q; want 3 and the loopback rule", target, code, stderr.String())
		}
	}
	var stdout, stderr bytes.Buffer
	if code := execute([]string{"load", "bogus"}, &stdout, &stderr); code != 3 {
		t.Fatalf("load bogus: exit %d, want 3", code)
	}
}
