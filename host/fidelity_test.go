package host

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// ruleRef is a contract rule ID as code and FIDELITY.md cite it.
var ruleRef = regexp.MustCompile(`\b(SYNC|PAY|MSG|TOK|BLOB|MESH|FE|HOST)-[0-9]+\b`)

// upstreamRef is an upstream citation: File.cs#Method @commit.
var upstreamRef = regexp.MustCompile(`[A-Za-z]+\.cs#[A-Za-z]+.*@[0-9a-f]{7}`)

// TestFidelityCitesEveryRule checks that every SYNC/PAY/MSG rule the host model cites in its code
// has a row in FIDELITY.md with an upstream file#method @commit, that FIDELITY.md names only rules
// PROTOCOL.md defines, and that the upstream citations in the code name a commit FIDELITY.md read.
func TestFidelityCitesEveryRule(t *testing.T) {
	fidelity, err := os.ReadFile("../FIDELITY.md")
	if err != nil {
		t.Fatalf("FIDELITY.md: %v", err)
	}
	protocol, err := os.ReadFile("../../../shared/PROTOCOL.md")
	if err != nil {
		t.Skipf("PROTOCOL.md is not at ../../../shared/PROTOCOL.md (%v): cannot check rule names", err)
	}
	defined := map[string]bool{}
	for _, line := range strings.Split(string(protocol), "\n") {
		// A rule is defined where a line starts with its ID (after list markers and numbers).
		trimmed := strings.TrimLeft(line, " -0123456789.")
		if id := ruleRef.FindString(trimmed); id != "" && strings.HasPrefix(trimmed, id) {
			defined[id] = true
		}
	}
	if len(defined) < 20 {
		t.Fatalf("found only %d rule definitions in PROTOCOL.md: the parser is wrong", len(defined))
	}

	cited := map[string]bool{}
	var codeRefs []string
	files, _ := filepath.Glob("*.go")
	sub, _ := filepath.Glob("hosthttp/*.go")
	for _, f := range append(files, sub...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ruleRef.FindAllString(string(b), -1) {
			if strings.HasPrefix(id, "SYNC-") || strings.HasPrefix(id, "PAY-") || strings.HasPrefix(id, "MSG-") {
				cited[id] = true
			}
		}
		codeRefs = append(codeRefs, regexp.MustCompile(`@[0-9a-f]{7}\b`).FindAllString(string(b), -1)...)
	}
	if len(cited) == 0 || len(codeRefs) == 0 {
		t.Fatalf("no rule (%d) or upstream (%d) citations found in host/: the scan is wrong", len(cited), len(codeRefs))
	}

	rows := map[string]bool{} // rules with a row that has an upstream citation
	for _, line := range strings.Split(string(fidelity), "\n") {
		for _, id := range ruleRef.FindAllString(line, -1) {
			if !defined[id] {
				t.Errorf("FIDELITY.md names %s, which PROTOCOL.md does not define: %s", id, line)
			}
		}
		if cells := strings.Split(line, "|"); len(cells) > 3 && upstreamRef.MatchString(cells[2]) {
			if id := ruleRef.FindString(cells[1]); id != "" {
				rows[id] = true
			}
		}
	}
	var missing []string
	for id := range cited {
		if !rows[id] {
			missing = append(missing, id)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("rules cited in host/ without an upstream citation in FIDELITY.md: %s", strings.Join(missing, ", "))
	}
	for _, ref := range codeRefs {
		if !strings.Contains(string(fidelity), ref) {
			t.Errorf("host/ cites upstream %s, which FIDELITY.md does not name", ref)
		}
	}
}
