package purity

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// stepMachineRoots are the packages that must stay pure (DESIGN.md principle 1), with their
// subpackages except the I/O adapters (see isAdapter): the step machines and the kernel, and what
// every simulated run is made of besides them: the trace vocabulary, the site core, the simulator's
// driver, the fault catalogue and the checkers. A run's outcome depends on its seed alone only if none
// of these reads the clock, the OS or an unseeded source, or starts a goroutine.
var stepMachineRoots = []string{"sim", "host", "fakes/blob", "fakes/mesh",
	"trace", "site", "sim/world", "scenarios/faults", "check"}

// isAdapter reports whether a directory is an adapter allowed to do I/O: an HTTP server or client
// (name ends in "http") or the live runtime ("live"). Its whole subtree is skipped.
func isAdapter(name string) bool {
	return strings.HasSuffix(name, "http") || name == "live"
}

// TestStepMachinesArePure enforces DESIGN.md principle 1 on the step-machine packages and the
// simulator's core.
func TestStepMachinesArePure(t *testing.T) {
	root := repoRoot(t)
	for _, rel := range stepMachineRoots {
		dirs, err := packageDirs(filepath.Join(root, rel))
		if err != nil {
			t.Errorf("step-machine package %s: %v", rel, err)
			continue
		}
		for _, dir := range dirs {
			vs, err := CheckDir(dir)
			if err != nil {
				t.Errorf("%v", err)
				continue
			}
			for _, v := range vs {
				if r, err := filepath.Rel(root, v.File); err == nil {
					v.File = filepath.ToSlash(r)
				}
				t.Errorf("%s", v)
			}
		}
	}
}

// packageDirs returns top and its subdirectories, skipping adapters, testdata and the directories
// the go tool ignores (names starting with "." or "_"). A missing top is an error.
func packageDirs(top string) ([]string, error) {
	var dirs []string
	err := filepath.WalkDir(top, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != top && (isAdapter(name) || name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return filepath.SkipDir
		}
		dirs = append(dirs, path)
		return nil
	})
	return dirs, err
}

// repoRoot walks up from the test's directory to the one holding go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

func TestIsAdapter(t *testing.T) {
	for name, want := range map[string]bool{
		"blobhttp": true, "http": true, "live": true, "blob": false, "httpx": false, "lively": false,
	} {
		if got := isAdapter(name); got != want {
			t.Errorf("isAdapter(%q) = %v, want %v", name, got, want)
		}
	}
}
