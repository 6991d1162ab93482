package output

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/syncsim/syncsim/check"
)

const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl"

// A file is written masked; with a redaction that misses (planted), P11 refuses it, names it, and
// nothing is written, whatever the kind of output.
func TestWriteFileMasksAndJudges(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sub", "run.json")
	if err := WriteFile(p, []byte(`{"text":"key master-key-0001 used"}`), []string{"master-key-0001"}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); strings.Contains(string(b), "master-key-0001") || !strings.Contains(string(b), "used") {
		t.Fatalf("written: %s", b)
	}
	defer func(r func([]string, []byte) []byte) { redactText = r }(redactText)
	redactText = func(_ []string, data []byte) []byte { return data }
	for name, text := range map[string]string{
		"run.json":   `{"evidence":["secret master-key-0001"]}`,
		"index.html": "<td>" + jwt + "</td>",
		"run.xml":    `<failure message="AccountKey=c3RvcmFnZS1rZXk="/>`,
		"s.yaml":     "# Authorization: Bearer abcdefghijklmnop\n",
	} {
		p := filepath.Join(dir, name)
		err := WriteFile(p, []byte(text), []string{"master-key-0001"})
		var leak *check.LeakError
		if !errors.As(err, &leak) || leak.Output != p {
			t.Errorf("%s: want a LeakError naming the file, got %v", name, err)
		}
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s: a leaking file was written", name)
		}
	}
}

// A stream passes clean lines on and withholds a line that holds a credential, naming its line.
func TestStreamWithholdsLeakingLines(t *testing.T) {
	var b strings.Builder
	s := NewStream("stdout", &b)
	s.Write([]byte("P1 pass\n"))
	s.Write([]byte("token " + jwt + "\n"))
	s.Write([]byte("P2 pass\n"))
	if b.String() != "P1 pass\nP2 pass\n" {
		t.Fatalf("passed on: %q", b.String())
	}
	leaks := s.Leaks()
	var leak *check.LeakError
	if len(leaks) != 1 || !errors.As(leaks[0], &leak) || leak.Output != "stdout line 2" || strings.Contains(leaks[0].Error(), jwt) {
		t.Fatalf("leaks: %v", leaks)
	}
	if s.Unwrap() != &b {
		t.Fatal("Unwrap")
	}
}

// WriteMasked writes a masked text unchanged (a scenario's `key: host.default` stays) and judges it.
func TestWriteMaskedOnlyJudges(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "s.yaml")
	text := "timeline:\n  - at: 1m\n    rotate_key: {key: host.default}\n"
	if err := WriteMasked(p, []byte(text), nil); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != text {
		t.Fatalf("written: %q", b)
	}
	var leak *check.LeakError
	if err := WriteMasked(filepath.Join(dir, "leak.yaml"), []byte("# token "+jwt+"\n"), nil); !errors.As(err, &leak) {
		t.Fatalf("want a LeakError, got %v", err)
	}
}
