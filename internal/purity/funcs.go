package purity

import (
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// funcCache holds, per package path, the names of its exported package-level functions.
var funcCache sync.Map // string -> map[string]bool

// packageFuncs returns the exported package-level functions (not methods, not types) of the
// package at path, read from its source, so that a PackageBan tells rand.IntN (a function) from
// rand.Rand (a type) without go/types. The set follows the toolchain that runs the check.
func packageFuncs(path string) (map[string]bool, error) {
	if m, ok := funcCache.Load(path); ok {
		return m.(map[string]bool), nil
	}
	pkg, err := build.Default.Import(path, "", build.FindOnly)
	if err != nil {
		return nil, fmt.Errorf("purity: finding the source of %s: %w", path, err)
	}
	entries, err := os.ReadDir(pkg.Dir)
	if err != nil {
		return nil, fmt.Errorf("purity: reading the source of %s: %w", path, err)
	}
	funcs := map[string]bool{}
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(pkg.Dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, fmt.Errorf("purity: parsing the source of %s: %w", path, err)
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.IsExported() {
				funcs[fd.Name.Name] = true
			}
		}
	}
	if len(funcs) == 0 {
		return nil, fmt.Errorf("purity: no functions found in the source of %s at %s", path, pkg.Dir)
	}
	funcCache.Store(path, funcs)
	return funcs, nil
}
