package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/check"
	"github.com/syncsim/syncsim/internal/faults"
)

func lines(s string) []string { return strings.Split(strings.TrimRight(s, "\n"), "\n") }

// Every mode of host.Modes() on its own line, with its PROTOCOL.md section 7 reference.
func TestListModes(t *testing.T) {
	code, out, _ := simrun(t, "list", "modes")
	ls := lines(out)
	if code != 0 || len(ls) != len(host.Modes()) {
		t.Fatalf("exit %d\n%s", code, out)
	}
	for i, m := range host.Modes() {
		if !strings.HasPrefix(ls[i], m.String()+" ") || !strings.Contains(ls[i], "[PROTOCOL.md 7") {
			t.Errorf("line %d: %q", i, ls[i])
		}
	}
}

// Every property of the catalogue: ID, level, name and statement.
func TestListProperties(t *testing.T) {
	code, out, _ := simrun(t, "list", "properties")
	ls := lines(out)
	if code != 0 || len(ls) != len(check.Catalogue()) {
		t.Fatalf("exit %d\n%s", code, out)
	}
	for i, p := range check.Catalogue() {
		for _, want := range []string{p.ID + " ", string(p.Level), p.Name, p.Statement, `[DESIGN.md "Properties"]`} {
			if !strings.Contains(ls[i], want) {
				t.Errorf("line %d lacks %q: %q", i, want, ls[i])
			}
		}
	}
}

// Every fault of the catalogue and every fault point, each with a reference.
func TestListFaults(t *testing.T) {
	code, out, _ := simrun(t, "list", "faults")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	want := []string{"delete-instance ", "PROTOCOL.md 6"}
	for _, f := range faults.Catalogue() {
		want = append(want, f.Name+" ")
	}
	for _, p := range faults.Points {
		want = append(want, "point "+p+" ")
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("lacks %q", w)
		}
	}
	for _, l := range lines(out) {
		if !strings.HasSuffix(l, "]") {
			t.Errorf("no reference: %q", l)
		}
	}
}

// Scenarios of a directory: path, name, modes and description.
func TestListScenarios(t *testing.T) {
	code, out, _ := simrun(t, "list", "scenarios", filepath.Join(root, "scenarios"))
	if code != 0 || len(lines(out)) < 2 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	for _, want := range []string{filepath.Join(root, "scenarios", "smoke.yaml"), " smoke ", "modes=frontend,platform", "a deploy, a key rotation", "worker-deleted-before-fetch"} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
}

// Exit 3 for an unknown or missing kind (listing the kinds), a DIR where none is taken, and a
// directory without scenarios.
func TestListUsageErrors(t *testing.T) {
	kinds := "modes, faults, properties, defects, mutants, scenarios"
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"list", "widgets"}, kinds},
		{[]string{"list"}, kinds},
		{[]string{"list", "modes", "x"}, "takes no DIR"},
		{[]string{"list", "scenarios", t.TempDir()}, "scenario"},
	}
	for _, c := range cases {
		code, out, errOut := simrun(t, c.args...)
		if code != 3 || !strings.Contains(errOut, c.want) || out != "" {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want 3 and %q", c.args, code, errOut, out, c.want)
		}
	}
}
