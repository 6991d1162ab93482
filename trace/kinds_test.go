package trace

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// kindConstants maps each Kind constant's value to its name, read from kinds.go's source: the
// literal rules (literals_test.go) name the constant to use, and Kinds must list every one of them.
func kindConstants(t *testing.T) map[Kind]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "kinds.go", nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	names := map[Kind]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			vs := spec.(*ast.ValueSpec)
			if typ, ok := vs.Type.(*ast.Ident); !ok || typ.Name != "Kind" {
				continue
			}
			for i, n := range vs.Names {
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					t.Fatalf("kinds.go: %s is not a string literal", n.Name)
				}
				v, _ := strconv.Unquote(lit.Value)
				if prev, dup := names[Kind(v)]; dup {
					t.Fatalf("kinds.go: %s and %s are both %q", prev, n.Name, v)
				}
				names[Kind(v)] = n.Name
			}
		}
	}
	return names
}

// TestKindsListsEveryConstant: Kinds is the list the other tests (and the literal rules) range over,
// so a constant missing from it would go unchecked.
func TestKindsListsEveryConstant(t *testing.T) {
	names := kindConstants(t)
	seen := map[Kind]bool{}
	for _, k := range Kinds() {
		if seen[k] {
			t.Errorf("Kinds lists %q twice", k)
		}
		seen[k] = true
		if _, ok := names[k]; !ok {
			t.Errorf("Kinds lists %q, which is no Kind constant of kinds.go", k)
		}
	}
	for k, name := range names {
		if !seen[k] {
			t.Errorf("Kinds does not list %s (%q)", name, k)
		}
	}
}

// TestKindsDocumented: every kind is a row of trace/TRACE.md's table, and every kind the table names
// is one of Kinds, so that the document and the vocabulary cannot drift apart.
func TestKindsDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(moduleRoot(t), "trace", "TRACE.md"))
	if err != nil {
		t.Fatal(err)
	}
	documented, err := documentedKinds(string(doc))
	if err != nil {
		t.Fatalf("trace/TRACE.md: %v", err)
	}
	for _, k := range Kinds() {
		if !slices.Contains(documented, k) {
			t.Errorf("kind %q is not in trace/TRACE.md's table (add a row: party, kind, fields, meaning)", k)
		}
	}
	for _, k := range documented {
		if !slices.Contains(Kinds(), k) {
			t.Errorf("trace/TRACE.md's table documents %q, which is not in trace.Kinds()", k)
		}
	}
}

// TestDocumentedKindsReadsTheTable: the table reader takes every backquoted kind of the kind column
// (a row may name several), and only from the table whose header is party | kind | fields | meaning.
func TestDocumentedKindsReadsTheTable(t *testing.T) {
	doc := "# T\n\nText naming `not.a.kind`.\n\n| a | b |\n|---|---|\n| x | `other.table` |\n\n" +
		"| party | kind | fields | meaning |\n|---|---|---|---|\n" +
		"| world | `run.start` | scenario, `mode` | the run begins |\n" +
		"| any | `net.send`, `net.lost` | msg | the network |\n\nAfter the table: `after.table`.\n"
	got, err := documentedKinds(doc)
	if err != nil {
		t.Fatal(err)
	}
	if want := []Kind{"run.start", "net.send", "net.lost"}; !slices.Equal(got, want) {
		t.Errorf("documentedKinds = %q, want %q", got, want)
	}
	if _, err := documentedKinds("# no table\n"); err == nil {
		t.Error("a document without the kinds table is not an error")
	}
	if _, err := documentedKinds("| party | kind | fields | meaning |\n|---|---|---|---|\n| world | run.start | | |\n"); err == nil {
		t.Error("a row whose kind column names no backquoted kind is not an error")
	}
}

var backquoted = regexp.MustCompile("`([^`]+)`")

// documentedKinds reads the kind column of the markdown table headed party | kind | fields | meaning.
func documentedKinds(doc string) ([]Kind, error) {
	var kinds []Kind
	in := false
	for n, line := range strings.Split(doc, "\n") {
		cells := strings.Split(strings.TrimSpace(line), "|")
		if !in {
			in = len(cells) == 6 && strings.TrimSpace(cells[1]) == "party" && strings.TrimSpace(cells[2]) == "kind"
			continue
		}
		if !strings.HasPrefix(strings.TrimSpace(line), "|") {
			break
		}
		if len(cells) < 4 {
			return nil, fmt.Errorf("line %d: a table row with %d cells", n+1, len(cells)-2)
		}
		if strings.Trim(cells[2], " -:") == "" {
			continue // the separator row
		}
		ms := backquoted.FindAllStringSubmatch(cells[2], -1)
		if len(ms) == 0 {
			return nil, fmt.Errorf("line %d: the kind column %q names no `kind`", n+1, strings.TrimSpace(cells[2]))
		}
		for _, m := range ms {
			kinds = append(kinds, Kind(m[1]))
		}
	}
	if len(kinds) == 0 {
		return nil, fmt.Errorf("no table headed | party | kind | fields | meaning |")
	}
	return kinds, nil
}

// moduleRoot is the directory of the module's go.mod, found from the test's directory upwards.
func moduleRoot(t *testing.T) string {
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
