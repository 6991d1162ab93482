package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

func TestExploreCommand(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"signal-all fails P3 as expected", []string{"explore", "--mode", "signal-all", "--max-depth", "1", "--max-faults", "0",
			"--json", filepath.Join(dir, "r.json"), "--trace-out", filepath.Join(dir, "cx.json"), "../../scenarios/concurrency.yaml"}, 0, "P3 fails: shortest schedule"},
		{"limit is inconclusive", []string{"explore", "--mode", "frontend", "--max-depth", "2", "--max-faults", "0", "--max-states", "2", "../../scenarios/concurrency.yaml"}, 2, "stopped by --max-states 2"},
		{"no mode", []string{"explore", "../../scenarios/concurrency.yaml"}, 3, ""},
		{"bad depth", []string{"explore", "--mode", "frontend", "--max-depth", "99", "../../scenarios/concurrency.yaml"}, 3, ""},
		{"missing scenario", []string{"explore", "--mode", "frontend", filepath.Join(dir, "none.yaml")}, 3, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := execute(tc.args, &out, &errOut); code != tc.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tc.code, out.String(), errOut.String())
			}
			if !strings.Contains(out.String(), tc.out) {
				t.Errorf("output lacks %q:\n%s", tc.out, out.String())
			}
		})
	}
}
