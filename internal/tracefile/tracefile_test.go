package tracefile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/syncsim/syncsim/internal/world"
)

func valid() *File {
	return &File{Format: Format, Harness: "h", Scenario: Scenario{Path: "s.yaml", SHA256: "ab"}, Mode: "platform",
		Seed: 1, Strategy: "uniform", Schedule: world.Script{Timeline: []int{0}, Firings: []string{"f@x#1"}, Choices: []string{}}, Size: 2,
		Failed: []string{}}
}

func TestRoundTripPlainAndGzip(t *testing.T) {
	for _, name := range []string{"t.json", "t.json.gz"} {
		p := filepath.Join(t.TempDir(), name)
		if err := Write(p, valid()); err != nil {
			t.Fatal(err)
		}
		f, err := Read(p)
		if err != nil || f.Mode != "platform" || f.Schedule.Firings[0] != "f@x#1" {
			t.Fatalf("%s: %+v %v", name, f, err)
		}
	}
}

// Malformed trace files give errors that name the file, the place and the fix.
func TestMalformedTraces(t *testing.T) {
	cases := []struct {
		name, body, want string
	}{
		{"empty", ``, "t.json:1:1: unexpected end of JSON input"},
		{"not json", "hello", "t.json:1:2: invalid character 'h'"},
		{"truncated", `{"format": 1, "mode": "platform"`, "unexpected end of JSON input"},
		{"no format", `{"mode": "platform"}`, `no "format" field`},
		{"future format", `{"format": 9}`, "trace format 9, this build reads format 1"},
		{"format as text", `{"format": "1"}`, `field "format" must be int`},
		{"unknown field", `{"format": 1, "colour": "red"}`, `unknown field "colour"`},
		{"seed as text", "{\"format\": 1,\n \"seed\": \"one\"}", `t.json:2:`},
		{"missing mode and scenario", `{"format": 1, "schedule": {"timeline": [], "firings": [], "choices": []}}`, "missing scenario.path, mode"},
		{"missing schedule", `{"format": 1, "scenario": {"path": "s.yaml"}, "mode": "frontend"}`, "missing schedule"},
		{"edited size", `{"format": 1, "scenario": {"path": "s.yaml"}, "mode": "frontend", "size": 5, "schedule": {"timeline": [0], "firings": [], "choices": []}}`, "size 5 does not match the schedule's 1"},
		{"array", `[1, 2]`, "t.json:1:2: field \"\" must be struct"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("t.json", []byte(c.body))
			if err == nil || !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v, want %q", err, c.want)
			}
		})
	}
	p := filepath.Join(t.TempDir(), "bad.json.gz")
	os.WriteFile(p, []byte{0x1f, 0x8b, 1, 2, 3}, 0o644)
	if _, err := Read(p); err == nil || !strings.Contains(err.Error(), "not a readable gzip file") {
		t.Fatalf("bad gzip: %v", err)
	}
	if _, err := Read(filepath.Join(t.TempDir(), "missing.json")); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Fatalf("missing file: %v", err)
	}
}
