package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `run --trace-out F --trace-format log --log-format X` writes the run as a host log in format X: the
// harness's Site settings line first, then the host's lines in the real host's words.
func TestRunWritesHostLog(t *testing.T) {
	incident := filepath.Join(root, "scenarios", "incidents", "worker-deleted-before-fetch.yaml")
	for _, tc := range []struct {
		format, first, host string
	}{
		{"syncsim", "Syncsim.World Site settings (Site=myapp, HostId=myapp, Mode=platform,", "Host.Startup Host started (2000ms)"},
		{"ms-function-logs", `MS_FUNCTION_LOGS 4,,myapp,,,Syncsim.World,"","Site settings (`, `Host.Startup,"","Host started (2000ms)"`},
		{"appinsights-json", "", `"Host started (2000ms)"`},
	} {
		out := filepath.Join(t.TempDir(), "model.log")
		code, _, errOut := simrun(t, "run", "--mode", "platform", "--trace-out", out, "--trace-format", "log", "--log-format", tc.format, incident)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", tc.format, code, errOut)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(string(b), "\n")
		if !strings.Contains(first, tc.first) || !strings.Contains(string(b), tc.host) {
			t.Errorf("%s: first line %q; want %q first and %q in:\n%.2000s", tc.format, first, tc.first, tc.host, b)
		}
	}
	code, _, errOut := simrun(t, "run", "--trace-out", filepath.Join(t.TempDir(), "x.log"), "--trace-format", "log", "--log-format", "logstream", incident)
	if code != 3 || !strings.Contains(errOut, "--log-format") || !strings.Contains(errOut, "appinsights-json") {
		t.Errorf("a format Write does not write: exit %d: %s", code, errOut)
	}
}
