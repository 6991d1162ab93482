// Package scripts holds the tests of the repository's shell scripts.
package scripts

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// plantedModule writes a module with one fuzz target: it fails on any input holding a zero byte when
// failing is true (the fuzzer finds one within a few hundred executions), and never otherwise.
func plantedModule(t *testing.T, failing bool) string {
	t.Helper()
	dir := t.TempDir()
	body := "return"
	if failing {
		body = `if bytes.IndexByte(b, 0) >= 0 { t.Fatalf("planted finding: %q", b) }`
	}
	src := `package planted

import (
	"bytes"
	"testing"
)

func FuzzPlanted(f *testing.F) {
	f.Add([]byte("abc"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = bytes.MinRead
		` + body + `
	})
}
`
	files := map[string]string{
		"go.mod":          "module planted\n\ngo 1.26.0\n",
		"planted_test.go": src,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func runFuzz(t *testing.T, root, budget string) (string, error) {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skipf("go is not on PATH: %v", err)
	}
	cmd := exec.Command("bash", "fuzz")
	cmd.Env = append(os.Environ(),
		"FUZZ_ROOT="+root,
		"FUZZ_TARGETS=FuzzPlanted . "+budget,
		"GOFLAGS=-mod=mod",
	)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestFuzzScriptFailsOnAFinding: a target that finds a failing input makes scripts/fuzz exit non-zero
// and name the input it wrote under testdata/fuzz.
func TestFuzzScriptFailsOnAFinding(t *testing.T) {
	root := plantedModule(t, true)
	out, err := runFuzz(t, root, "200000")
	if err == nil {
		t.Fatalf("scripts/fuzz exited 0 on a planted finding:\n%s", out)
	}
	if !strings.Contains(out, "failing input written: ./testdata/fuzz/FuzzPlanted/") {
		t.Fatalf("scripts/fuzz did not name the written input:\n%s", out)
	}
	written, _ := filepath.Glob(filepath.Join(root, "testdata", "fuzz", "FuzzPlanted", "*"))
	if len(written) == 0 {
		t.Fatalf("no failing input under testdata/fuzz/FuzzPlanted:\n%s", out)
	}
}

// TestFuzzScriptPassesOnACountBudget: a clean target runs exactly its execution budget and passes.
func TestFuzzScriptPassesOnACountBudget(t *testing.T) {
	root := plantedModule(t, false)
	out, err := runFuzz(t, root, "3000")
	if err != nil {
		t.Fatalf("scripts/fuzz failed on a clean target: %v\n%s", err, out)
	}
	if !strings.Contains(out, "-fuzztime") && !strings.Contains(out, "3000x") {
		t.Fatalf("budget not shown as an execution count:\n%s", out)
	}
	if !strings.Contains(out, "execs: 3000") {
		t.Fatalf("the target did not run its 3000 executions:\n%s", out)
	}
}
