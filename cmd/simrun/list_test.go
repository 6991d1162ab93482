package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/conformance"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/scenarios/faults"
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
	kinds := "modes, faults, properties, rules, defects, mutants, scenarios"
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

// One line per contract rule, in check.Rules()'s order, with its level, the properties and the
// conformance rule that judge it and its note; every conformance rule it names is one a suite runs,
// at the same level, and every rule the suites run is named by its own ID.
func TestListRules(t *testing.T) {
	code, out, _ := simrun(t, "list", "rules")
	ls := lines(out)
	if code != 0 || len(ls) != len(check.Rules()) {
		t.Fatalf("exit %d, %d lines for %d rules\n%s", code, len(ls), len(check.Rules()), out)
	}
	suites := map[string]conformance.Rule{}
	for _, rs := range [][]conformance.Rule{conformance.MeshRules(), conformance.FrontEndRules(), conformance.HostRules()} {
		for _, r := range rs {
			suites[r.ID] = r
		}
	}
	named := map[string]bool{}
	for i, r := range check.Rules() {
		wants := []string{r.ID + " ", " " + string(r.Level) + " ", r.Note, "[PROTOCOL.md "}
		if len(r.Properties) > 0 {
			wants = append(wants, strings.Join(r.Properties, ","))
		}
		if r.Conformance != "" {
			wants = append(wants, "conformance "+conformance.SuiteOf(r.Conformance)+" "+r.Conformance)
			c, ok := suites[r.Conformance]
			switch {
			case !ok:
				t.Errorf("%s names conformance rule %s, which no suite runs", r.ID, r.Conformance)
			case r.Conformance == r.ID && c.Level != r.Level:
				t.Errorf("%s: level %s, the conformance rule says %s", r.ID, r.Level, c.Level)
			}
			named[r.Conformance] = true
		}
		for _, w := range wants {
			if !strings.Contains(ls[i], w) {
				t.Errorf("line %d lacks %q: %q", i, w, ls[i])
			}
		}
	}
	for id := range suites {
		if !named[id] {
			t.Errorf("conformance rule %s judges no rule of check.Rules()", id)
		}
	}
}
