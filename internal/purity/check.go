package purity

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Violation is one banned import, name or statement found in a checked file.
type Violation struct {
	File         string // the file's path as CheckDir's dir joined with its name
	Line, Column int
	What         string // e.g. "call of time.Now"
	Why          string // e.g. "virtual time only; ... (DESIGN.md principle 1)"
}

// String renders v as "file:line:col: what: why", the form compilers and editors understand.
func (v Violation) String() string {
	return fmt.Sprintf("%s:%d:%d: %s: %s", v.File, v.Line, v.Column, v.What, v.Why)
}

// CheckDir applies DefaultBanned to the non-test .go files of dir (not its subdirectories).
func CheckDir(dir string) ([]Violation, error) {
	return DefaultBanned().CheckDir(dir)
}

// CheckDir applies r to the non-test .go files of dir (not its subdirectories) and returns the
// violations sorted by file, line and column. An error means a file could not be read or parsed.
func (r Rule) CheckDir(dir string) ([]Violation, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("purity: %w", err)
	}
	var out []Violation
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		path := filepath.Join(dir, name)
		src, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("purity: %w", err)
		}
		vs, err := r.CheckSource(path, src)
		if err != nil {
			return nil, err
		}
		out = append(out, vs...)
	}
	sortViolations(out)
	return out, nil
}

// CheckSource applies r to one file's source; filename is used for positions only.
func (r Rule) CheckSource(filename string, src []byte) ([]Violation, error) {
	fset := token.NewFileSet()
	// Object resolution stays on: ast.Ident.Obj is how a shadowing local is told from a package.
	f, err := parser.ParseFile(fset, filename, src, parser.ParseComments)
	if err != nil {
		return nil, fmt.Errorf("purity: %w", err)
	}
	c := &fileChecker{rule: r, fset: fset, names: map[string]string{}, called: map[*ast.SelectorExpr]bool{}}
	c.imports(f)
	ast.Inspect(f, c.visit)
	if c.err != nil {
		return nil, c.err
	}
	sortViolations(c.out)
	return c.out, nil
}

func sortViolations(vs []Violation) {
	slices.SortStableFunc(vs, func(a, b Violation) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		if a.Column != b.Column {
			return a.Column - b.Column
		}
		return strings.Compare(a.What, b.What)
	})
}

// fileChecker holds what one file's walk needs.
type fileChecker struct {
	rule   Rule
	fset   *token.FileSet
	names  map[string]string          // local import name -> import path
	called map[*ast.SelectorExpr]bool // selectors in a call's function position
	out    []Violation
	err    error
}

func (c *fileChecker) report(pos token.Pos, what, why string) {
	p := c.fset.Position(pos)
	c.out = append(c.out, Violation{File: p.Filename, Line: p.Line, Column: p.Column, What: what, Why: why})
}

// imports reports banned imports and dot imports, and fills the import name table.
func (c *fileChecker) imports(f *ast.File) {
	for _, spec := range f.Imports {
		path, err := strconv.Unquote(spec.Path.Value)
		if err != nil {
			continue // the parser accepted it, so this does not happen
		}
		if b, ok := c.rule.importBan(path); ok {
			c.report(spec.Pos(), "import of "+path, b.Why)
		}
		name := defaultName(path)
		if spec.Name != nil {
			name = spec.Name.Name
		}
		switch name {
		case "_":
		case ".":
			if c.rule.hasNameBans(path) {
				c.report(spec.Pos(), "dot import of "+path, "a dot import hides which names are used, so the purity check cannot see them (DESIGN.md principle 1)")
			}
		default:
			c.names[name] = path
		}
	}
}

// defaultName is the name an unnamed import binds: the last path element, skipping a major-version
// suffix ("math/rand/v2" binds rand) and a ".vN" suffix. Packages whose name differs from their path
// are not recognised, which only matters for packages with banned names (all of them standard).
func defaultName(path string) string {
	elems := strings.Split(path, "/")
	last := elems[len(elems)-1]
	if len(elems) > 1 && isMajorVersion(last) {
		last = elems[len(elems)-2]
	}
	if i := strings.Index(last, ".v"); i > 0 && isMajorVersion(last[i+1:]) {
		last = last[:i]
	}
	return last
}

func isMajorVersion(s string) bool {
	if len(s) < 2 || s[0] != 'v' {
		return false
	}
	_, err := strconv.Atoi(s[1:])
	return err == nil
}

func (c *fileChecker) visit(n ast.Node) bool {
	if c.err != nil {
		return false
	}
	switch n := n.(type) {
	case *ast.GoStmt:
		if c.rule.GoStatement != "" {
			c.report(n.Pos(), "go statement", c.rule.GoStatement)
		}
	case *ast.CallExpr:
		// Visited before its children, so the selector below already knows it is called.
		if sel := callee(n.Fun); sel != nil {
			c.called[sel] = true
		}
	case *ast.SelectorExpr:
		c.selector(n)
	}
	return true
}

// callee returns the selector a call's function expression names, looking through parentheses and
// generic instantiation (rand.N[int64]).
func callee(fun ast.Expr) *ast.SelectorExpr {
	for {
		switch e := fun.(type) {
		case *ast.ParenExpr:
			fun = e.X
		case *ast.IndexExpr:
			fun = e.X
		case *ast.IndexListExpr:
			fun = e.X
		case *ast.SelectorExpr:
			return e
		default:
			return nil
		}
	}
}

// selector reports x.Name when x is an unshadowed import name and Name is banned in that package.
func (c *fileChecker) selector(sel *ast.SelectorExpr) {
	id, ok := sel.X.(*ast.Ident)
	if !ok || id.Obj != nil { // Obj set: the parser resolved it to a declaration that shadows the import
		return
	}
	path, ok := c.names[id.Name]
	if !ok {
		return
	}
	why, banned, err := c.rule.nameBan(path, sel.Sel.Name)
	if err != nil {
		c.err = err
		return
	}
	if !banned {
		return
	}
	what := "reference to "
	if c.called[sel] {
		what = "call of "
	}
	c.report(sel.Pos(), what+path+"."+sel.Sel.Name, why)
}

// nameBan reports whether the package-level name of the package at path is banned, and why.
func (r Rule) nameBan(path, name string) (string, bool, error) {
	for _, b := range r.Calls {
		if b.Pkg == path && b.Name == name {
			return b.Why, true, nil
		}
	}
	for _, b := range r.Packages {
		if b.Pkg != path || slices.Contains(b.Except, name) {
			continue
		}
		funcs, err := packageFuncs(path)
		if err != nil {
			return "", false, err
		}
		if funcs[name] {
			return b.Why, true, nil
		}
	}
	return "", false, nil
}
