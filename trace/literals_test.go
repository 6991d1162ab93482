package trace

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// kindLiteral is a record kind written as a string literal where a Kind constant belongs.
type kindLiteral struct {
	pos  token.Position
	kind Kind
	name string // the constant to use
	rule string // what made the literal a kind
}

func (l kindLiteral) String() string {
	return l.pos.String() + ": " + strconv.Quote(string(l.kind)) + " " + l.rule + ": use trace." + l.name
}

// kindCalls are the calls whose second argument is a record's kind: Recorder.Add and Put, and the
// drivers' own recorders' add.
var kindCalls = []string{"Add", "Put", "add"}

// kindLiterals lists the record kinds f writes as string literals. A kind with a dot ("sync.end")
// names nothing else, so every literal equal to one counts. A kind without one ("log", "lease",
// "primary", "timeline") is also a field name, a YAML key or an instance choice, so its literal
// counts only where it stands for a kind: compared with or switched against an expression ending
// in .Kind, passed as the kind argument of an Add/Put/add call, written as a Kind: field,
// converted with Kind(...), or returned as a function's Kind result.
func kindLiterals(fset *token.FileSet, f *ast.File, names map[Kind]string) []kindLiteral {
	var out []kindLiteral
	seen := map[token.Pos]bool{}
	check := func(e ast.Expr, dotless bool, rule string) {
		lit, ok := ast.Unparen(e).(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING || seen[lit.Pos()] {
			return
		}
		v, err := strconv.Unquote(lit.Value)
		if err != nil {
			return
		}
		name, ok := names[Kind(v)]
		if !ok || strings.Contains(v, ".") == dotless {
			return
		}
		seen[lit.Pos()] = true
		out = append(out, kindLiteral{fset.Position(lit.Pos()), Kind(v), name, rule})
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BasicLit:
			check(n, false, "is a record kind")
		case *ast.BinaryExpr:
			if n.Op == token.EQL || n.Op == token.NEQ {
				if endsInKind(n.X) {
					check(n.Y, true, "is compared with "+render(n.X))
				}
				if endsInKind(n.Y) {
					check(n.X, true, "is compared with "+render(n.Y))
				}
			}
		case *ast.SwitchStmt:
			if n.Tag != nil && endsInKind(n.Tag) {
				for _, c := range n.Body.List {
					for _, e := range c.(*ast.CaseClause).List {
						check(e, true, "is a case of switch "+render(n.Tag))
					}
				}
			}
		case *ast.CallExpr:
			switch fn := callName(n.Fun); {
			case slices.Contains(kindCalls, fn) && len(n.Args) >= 2:
				check(n.Args[1], true, "is the kind argument of "+fn)
			case fn == "Kind" && len(n.Args) == 1:
				check(n.Args[0], true, "is converted to Kind")
			}
		case *ast.KeyValueExpr:
			if k, ok := n.Key.(*ast.Ident); ok && k.Name == "Kind" {
				check(n.Value, true, "is a Kind: field")
			}
		case *ast.FuncDecl:
			if n.Body != nil {
				kindReturns(n.Type, n.Body, check)
			}
		case *ast.FuncLit:
			kindReturns(n.Type, n.Body, check)
		}
		return true
	})
	slices.SortFunc(out, func(a, b kindLiteral) int { return a.pos.Offset - b.pos.Offset })
	return out
}

// kindReturns checks the literals a function returns in its Kind results (not those of the
// function literals inside it: the caller's walk reaches them on their own).
func kindReturns(typ *ast.FuncType, body *ast.BlockStmt, check func(ast.Expr, bool, string)) {
	if typ.Results == nil {
		return
	}
	var kinds []bool
	for _, fl := range typ.Results.List {
		for range max(len(fl.Names), 1) {
			kinds = append(kinds, isKindType(fl.Type))
		}
	}
	if !slices.Contains(kinds, true) {
		return
	}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			if len(n.Results) == len(kinds) {
				for i, e := range n.Results {
					if kinds[i] {
						check(e, true, "is returned as a Kind")
					}
				}
			}
		}
		return true
	})
}

// isKindType reports whether a type expression is Kind or trace.Kind.
func isKindType(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name == "Kind"
	case *ast.SelectorExpr:
		x, ok := e.X.(*ast.Ident)
		return ok && x.Name == "trace" && e.Sel.Name == "Kind"
	}
	return false
}

// endsInKind reports whether e is x.Kind, also in parentheses or converted with string(...).
func endsInKind(e ast.Expr) bool {
	e = ast.Unparen(e)
	if c, ok := e.(*ast.CallExpr); ok && len(c.Args) == 1 && callName(c.Fun) == "string" {
		e = ast.Unparen(c.Args[0])
	}
	s, ok := e.(*ast.SelectorExpr)
	return ok && s.Sel.Name == "Kind"
}

// callName is the name a call's function ends in: f for f(...) and x.f(...), "" otherwise.
func callName(e ast.Expr) string {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return e.Sel.Name
	}
	return ""
}

// render is a short rendering of x.Kind-like expressions for messages.
func render(e ast.Expr) string {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return render(e.X) + "." + e.Sel.Name
	case *ast.CallExpr:
		if len(e.Args) == 1 {
			return render(e.Fun) + "(" + render(e.Args[0]) + ")"
		}
		return render(e.Fun) + "(...)"
	case *ast.IndexExpr:
		return render(e.X) + "[...]"
	}
	return "..."
}

// TestNoKindLiterals: outside trace, no source file of the module writes a record kind as
// a string literal; each one found is named with the constant to use (trace.Kind*).
func TestNoKindLiterals(t *testing.T) {
	root := moduleRoot(t)
	names := kindConstants(t)
	self, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	files := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && skipDir(path, d.Name()) || path == self {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files++
		for _, l := range kindLiterals(fset, f, names) {
			if rel, err := filepath.Rel(root, l.pos.Filename); err == nil {
				l.pos.Filename = rel
			}
			t.Error(l)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The walk must have reached the module's packages: a wrong root or skip rule would make
	// the test pass over nothing.
	if files < 100 {
		t.Fatalf("parsed %d source files under %s, want the module's (over 100)", files, root)
	}
}

// skipDir reports whether the walk leaves a directory out: test data, node_modules, the
// directories the go tool ignores (. and _ prefixes) and nested modules.
func skipDir(path, name string) bool {
	if name == "testdata" || name == "node_modules" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
		return true
	}
	_, err := os.Stat(filepath.Join(path, "go.mod"))
	return err == nil
}

// plantedSource breaks every rule once, on a line marked "want" with the constant the test must
// name, and writes the dotless kinds where they are not kinds on unmarked lines.
const plantedSource = `package planted

import "github.com/syncsim/syncsim/trace"

type rec struct {
	Kind trace.Kind
	Name string
}

func judge(r rec, tr *trace.Recorder, which string) {
	if r.Kind == "sync.end" { // want KindSyncEnd
	}
	_ = []string{"net.send"} // want KindNetSend
	if r.Kind == "log" { // want KindLog
	}
	if "lease" != r.Kind { // want KindLease
	}
	if string(r.Kind) == "primary" { // want KindPrimary
	}
	switch (r.Kind) {
	case "store.write", "timeline": // want KindStoreWrite KindTimeline
	}
	tr.Add("world", "timeline") // want KindTimeline
	tr.add("world", "log", trace.F("level", "x")) // want KindLog
	tr.Put("world", trace.Event{Kind: "lease"}) // want KindLease
	_ = trace.Kind("primary") // want KindPrimary
	_ = func() trace.Kind { return "log" } // want KindLog

	if r.Name == "log" || r.Kind == trace.KindLog {
	}
	switch which {
	case "primary", "oldest":
	}
	_ = map[string]int{"timeline": 1, "lease": 2}
	tr.Add("log", trace.KindLog)
	_ = "sync.end.x" + "net." + "primary"
	_ = func() string { return "log" }
}

func record(e any) (trace.Kind, []trace.Field) {
	if e == nil {
		return "primary", nil // want KindPrimary
	}
	_ = func() (string, int) { return "log", 1 }
	return trace.KindLog, nil
}
`

// TestKindLiteralRules: each rule of kindLiterals fires on a planted file, naming the line and the
// constant, and none fires on a dotless kind's literal that stands for something else.
func TestKindLiteralRules(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "planted.go", plantedSource, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	var want, got []string
	for i, line := range strings.Split(plantedSource, "\n") {
		if _, marks, ok := strings.Cut(line, "// want "); ok {
			for _, name := range strings.Fields(marks) {
				want = append(want, "planted.go:"+strconv.Itoa(i+1)+" "+name)
			}
		}
	}
	found := kindLiterals(fset, f, kindConstants(t))
	for _, l := range found {
		got = append(got, l.pos.Filename+":"+strconv.Itoa(l.pos.Line)+" "+l.name)
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(want) < 13 {
		t.Fatalf("the planted file marks %d findings, want one per rule", len(want))
	}
	if len(found) > 0 {
		msg := found[0].String()
		if !strings.Contains(msg, "planted.go:11:") || !strings.Contains(msg, "trace.KindSyncEnd") {
			t.Errorf("a finding reads %q, want the file:line and the constant to use", msg)
		}
	}
}
