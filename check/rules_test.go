package check

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// ruleIDPattern matches a contract rule ID anywhere in PROTOCOL.md's text.
var ruleIDPattern = regexp.MustCompile(`\b(PAY|BLOB|TOK|MSG|SYNC|MESH|FE|HOST)-[0-9]+\b`)

// ruleDefinition matches the line that states a rule: "- PAY-1 ..." or "3. SYNC-3 ...".
var ruleDefinition = regexp.MustCompile(`^\s*(?:-|[0-9]+\.)\s+((?:PAY|BLOB|TOK|MSG|SYNC|MESH|FE|HOST)-[0-9]+)\s+(.*)$`)

// protocolRules reads the shared PROTOCOL.md: every rule ID it mentions, and each defined rule's
// level (the first RFC 2119 keyword of its line; a rule without one defines a term or format: MUST),
// in the order the contract defines them.
func protocolRules(t *testing.T) (mentioned map[string]bool, defined []string, levels map[string]Level) {
	t.Helper()
	path := filepath.Join("..", "..", "..", "shared", "PROTOCOL.md")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("PROTOCOL.md not found at %s (%v): the contract lives beside the checkout", path, err)
	}
	mentioned, levels = map[string]bool{}, map[string]Level{}
	for _, id := range ruleIDPattern.FindAllString(string(data), -1) {
		mentioned[id] = true
	}
	keyword := regexp.MustCompile(`\b(MUST|SHOULD|MAY)\b`)
	for _, line := range strings.Split(string(data), "\n") {
		m := ruleDefinition.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		defined = append(defined, m[1])
		levels[m[1]] = Must
		if k := keyword.FindString(m[2]); k != "" {
			levels[m[1]] = Level(k)
		}
	}
	return mentioned, defined, levels
}

// Every rule PROTOCOL.md mentions is mapped exactly once, in the contract's order, at its level.
func TestRulesCoverProtocol(t *testing.T) {
	mentioned, defined, levels := protocolRules(t)
	if len(defined) < 40 {
		t.Fatalf("found %d rule definitions in PROTOCOL.md; the pattern no longer matches its layout", len(defined))
	}
	var ids []string
	count := map[string]int{}
	for _, r := range Rules() {
		ids = append(ids, r.ID)
		count[r.ID]++
	}
	for id := range mentioned {
		if count[id] != 1 {
			t.Errorf("%s is in PROTOCOL.md and mapped %d times in Rules()", id, count[id])
		}
	}
	for id, n := range count {
		if !mentioned[id] {
			t.Errorf("Rules() maps %s, which PROTOCOL.md does not have", id)
		}
		if n > 1 {
			t.Errorf("%s mapped %d times", id, n)
		}
	}
	if !slices.Equal(ids, defined) {
		t.Errorf("Rules() order\n%v\ndiffers from PROTOCOL.md's\n%v", ids, defined)
	}
	for _, r := range Rules() {
		if want, ok := levels[r.ID]; ok && r.Level != want {
			t.Errorf("%s: level %s, PROTOCOL.md says %s", r.ID, r.Level, want)
		}
	}
}

// Every property a rule names exists; every property of the catalogue judges at least one rule; a
// rule no property judges says why, and one that nothing at all judges does not exist.
func TestRulesAndCatalogue(t *testing.T) {
	judges := map[string]int{}
	for _, r := range Rules() {
		for _, id := range r.Properties {
			if _, ok := Lookup(id); !ok {
				t.Errorf("%s names %s, which is not in Catalogue()", r.ID, id)
			}
			judges[id]++
		}
		if len(r.Properties) == 0 && r.Note == "" {
			t.Errorf("%s: no property judges it and the note does not say why", r.ID)
		}
		if len(r.Properties) == 0 && !strings.HasPrefix(r.Note, "no property:") {
			t.Errorf("%s: a rule without properties starts its note with \"no property:\": %q", r.ID, r.Note)
		}
		if len(r.Properties) > 0 && strings.HasPrefix(r.Note, "no property") {
			t.Errorf("%s: names %v but its note says no property", r.ID, r.Properties)
		}
		if fam, _, _ := strings.Cut(r.ID, "-"); (fam == "MESH" || fam == "FE" || fam == "HOST") && r.Conformance != r.ID {
			t.Errorf("%s: a platform or host API rule is judged by the conformance rule of its own ID, not %q", r.ID, r.Conformance)
		}
	}
	for _, p := range Catalogue() {
		if judges[p.ID] == 0 {
			t.Errorf("%s (%s) judges no contract rule in Rules()", p.ID, p.Name)
		}
	}
}

// The test's PROTOCOL.md reader finds definitions and levels in the contract's two layouts.
func TestRuleDefinitionPattern(t *testing.T) {
	cases := []struct {
		line, id, rest string
	}{
		{"- PAY-1 The payload is a JSON object", "PAY-1", "The payload is a JSON object"},
		{"3. SYNC-3 Clear the secrets cache", "SYNC-3", "Clear the secrets cache"},
		{"- MESH-6 SHOULD coalesce: a burst", "MESH-6", "SHOULD coalesce: a burst"},
		{"  headers `x-ms-site-token` (TOK-3), `X-ARR-LOG-ID`", "", ""},
		{"| primary | ... (SYNC-8) |", "", ""},
	}
	for _, c := range cases {
		m := ruleDefinition.FindStringSubmatch(c.line)
		switch {
		case c.id == "" && m != nil:
			t.Errorf("%q: read as a definition of %s", c.line, m[1])
		case c.id != "" && (m == nil || m[1] != c.id || m[2] != c.rest):
			t.Errorf("%q: got %q, want %s %q", c.line, m, c.id, c.rest)
		}
	}
}
