package scenarios

import (
	"path/filepath"
	"strings"
	"testing"
)

// A scenario's baseline field names a file relative to the scenario; an empty name is refused with
// its line.
func TestBaselineField(t *testing.T) {
	const top = "site: {name: app}\ncontent:\n  keys: {master: m}\nmodes: [frontend]\n"
	tests := []struct {
		name, path, text, want, err string
	}{
		{"relative to the scenario", filepath.Join("dir", "s.yaml"), top + "baseline: s.baseline.json\n", filepath.Join("dir", "s.baseline.json"), ""},
		{"absolute", "s.yaml", top + "baseline: /b/s.json\n", "/b/s.json", ""},
		{"absent", "s.yaml", top, "", ""},
		{"empty", "s.yaml", top + "baseline: \"\"\n", "", "s.yaml:5"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sc, err := Parse(tc.path, []byte(tc.text))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one naming %s", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if sc.Baseline != tc.want {
				t.Fatalf("Baseline = %q, want %q", sc.Baseline, tc.want)
			}
		})
	}
}
