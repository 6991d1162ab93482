package purity

import (
	"fmt"
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

// module is the import path every package of the repository starts with.
const module = "github.com/syncsim/syncsim"

// A layerRule bans imports downward-only layering forbids: no non-test file of a package matched by
// from may import a package of the module matched by banned, unless except matches it too. A
// pattern is a package path inside the module ("internal/live"), "p/..." for p and every package
// under it, or "..." for the whole module.
type layerRule struct {
	from, banned, except []string
	why                  string
}

// layerRules are the layers (the issue "one core, thin drivers"): the trace vocabulary and the
// kernel at the bottom; the step machines and the fakes they talk to; the driver core
// (internal/drive), which knows every machine; the drivers (internal/world, internal/live) and the
// HTTP adapters; the checkers beside them, reading traces only; the runner; the reports; the CLI.
var layerRules = []layerRule{
	{from: []string{"sim/...", "internal/trace/..."}, banned: []string{"..."}, except: []string{"internal/trace/..."},
		why: "the kernel and the trace vocabulary are the bottom layer, which every driver, checker and report builds on"},
	{from: []string{"host/..."},
		banned: []string{"fakes/...", "internal/world/...", "internal/live/...", "internal/runner/...", "reports/...", "cmd/..."},
		why:    "the host machine and its adapter stand on the driver core and the HTTP helpers; what a host talks to is given to it (package serve assembles the standalone host)"},
	{from: []string{"fakes/..."},
		banned: []string{"host/hosthttp/...", "internal/world/...", "internal/live/...", "internal/runner/...", "reports/..."},
		why:    "a fake stands for a platform part: drivers run it, it runs no driver and renders no report"},
	{from: []string{"internal/check/..."},
		banned: []string{"host/...", "fakes/...", "internal/world/...", "internal/live/...", "internal/drive/..."},
		why:    "a checker judges a trace and never calls the code it judges, so that both drivers are judged alike"},
	{from: []string{"internal/drive/...", "host/...", "fakes/..."}, banned: []string{"internal/check/..."},
		why: "the driver core and the machines write records and their canonical hashes (internal/trace/canonical); judging them is the checkers', a layer above"},
	{from: []string{"host", "fakes/blob", "fakes/mesh", "internal/drive/..."}, banned: []string{"internal/plant/..."},
		why: "the reference parts and the driver core know no planted defect: a defect is an interceptor of package internal/plant, planted through a part's seams by a run's options or a server's config"},
	{from: []string{"internal/live/..."}, banned: []string{"internal/world/..."},
		why: "the live and the simulated drivers are both environments of internal/drive; neither builds on the other"},
	{from: []string{"internal/runner/..."}, banned: []string{"reports/..."}, except: []string{"reports/redact/...", "reports/output/..."},
		why: "the runner makes and judges runs; reports render them (it keeps the one redaction and P11's output judge)"},
	{from: []string{"reports/..."}, banned: []string{"internal/runner/...", "cmd/..."},
		why: "a report renders verdicts, traces and sweep results: it runs nothing and takes no part of the CLI"},
}

// testOnlyPackages are fixtures of tests: no rule applies to their files, and only test files may
// import them (TestTestOnlyPackagesAreImportedByTestsOnly).
var testOnlyPackages = map[string]string{
	"reports/internal/testrun": "makes the runs the report writers' tests render",
}

// pendingLayerViolations are imports that break a rule today, to be removed as they are fixed
// (the test fails when one no longer occurs, so that the list only shrinks).
var pendingLayerViolations = map[string]string{}

// matches reports whether a module-relative package path matches a pattern.
func matches(pattern, pkg string) bool {
	if pattern == "..." {
		return true
	}
	if p, ok := strings.CutSuffix(pattern, "/..."); ok {
		return pkg == p || strings.HasPrefix(pkg, p+"/")
	}
	return pkg == pattern
}

func matchesAny(patterns []string, pkg string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return matches(p, pkg) })
}

// goFile is one source file: its module-relative path and its imports of the module's packages,
// module-relative ("." for the module's root).
type goFile struct {
	path    string
	imports []string
}

func (f goFile) pkg() string { return filepath.ToSlash(filepath.Dir(f.path)) }

// parseImports reads a file's imports (parser.ImportsOnly); src nil reads the file at abs. Imports
// from outside the module are left out: no rule is about them.
func parseImports(fset *token.FileSet, rel, abs string, src any) (goFile, error) {
	af, err := parser.ParseFile(fset, abs, src, parser.ImportsOnly)
	if err != nil {
		return goFile{}, err
	}
	f := goFile{path: filepath.ToSlash(rel)}
	for _, is := range af.Imports {
		p, err := strconv.Unquote(is.Path.Value)
		if err != nil {
			return goFile{}, fmt.Errorf("%s: import %s: %v", rel, is.Path.Value, err)
		}
		if p == module {
			f.imports = append(f.imports, ".")
		} else if r, ok := strings.CutPrefix(p, module+"/"); ok {
			f.imports = append(f.imports, r)
		}
	}
	return f, nil
}

// layerViolations lists each import of files that a rule bans, as "FILE imports PKG: ...".
func layerViolations(rules []layerRule, files []goFile) []string {
	var out []string
	for _, f := range files {
		if _, ok := testOnlyPackages[f.pkg()]; ok {
			continue
		}
		for _, r := range rules {
			if !matchesAny(r.from, f.pkg()) {
				continue
			}
			for _, imp := range f.imports {
				if imp == f.pkg() || !matchesAny(r.banned, imp) || matchesAny(r.except, imp) {
					continue
				}
				out = append(out, fmt.Sprintf("%s imports %s: %s must not import %s%s: %s",
					f.path, imp, strings.Join(r.from, ", "), strings.Join(r.banned, ", "), except(r.except), r.why))
			}
		}
	}
	return out
}

func except(ps []string) string {
	if len(ps) == 0 {
		return ""
	}
	return " but " + strings.Join(ps, ", ")
}

// moduleFiles parses the imports of every .go file of the repository (tests with them), skipping
// testdata and the directories the go tool ignores.
func moduleFiles(t *testing.T, root string) (src, tests []goFile) {
	t.Helper()
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		f, err := parseImports(fset, rel, path, nil)
		if err != nil {
			return err
		}
		if strings.HasSuffix(name, "_test.go") {
			tests = append(tests, f)
		} else {
			src = append(src, f)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return src, tests
}

// TestLayersImportDownwardOnly holds layerRules on every non-test file of the module.
func TestLayersImportDownwardOnly(t *testing.T) {
	root := repoRoot(t)
	files, _ := moduleFiles(t, root)
	pending := map[string]bool{}
	for _, v := range layerViolations(layerRules, files) {
		file, rest, _ := strings.Cut(v, " imports ")
		imp, _, _ := strings.Cut(rest, ":")
		key := file + " imports " + imp
		if _, ok := pendingLayerViolations[key]; ok {
			pending[key] = true
			continue
		}
		t.Error(v)
	}
	for key := range pendingLayerViolations {
		if !pending[key] {
			t.Errorf("%s no longer happens: remove it from pendingLayerViolations", key)
		}
	}
	// A rule whose packages are all gone holds vacuously: name the packages of today.
	for _, r := range layerRules {
		for _, from := range r.from {
			if !slices.ContainsFunc(files, func(f goFile) bool { return matches(from, f.pkg()) }) {
				t.Errorf("layer rule for %s matches no package of the module (renamed?)", from)
			}
		}
	}
}

// TestTestOnlyPackagesAreImportedByTestsOnly: a package the rules skip as a test fixture is one no
// other package's code imports.
func TestTestOnlyPackagesAreImportedByTestsOnly(t *testing.T) {
	root := repoRoot(t)
	files, tests := moduleFiles(t, root)
	for pkg := range testOnlyPackages {
		if _, err := os.Stat(filepath.Join(root, pkg)); err != nil {
			t.Errorf("test-only package %s: %v", pkg, err)
		}
		if !slices.ContainsFunc(tests, func(f goFile) bool { return slices.Contains(f.imports, pkg) }) {
			t.Errorf("test-only package %s is imported by no test: remove it", pkg)
		}
	}
	for _, f := range files {
		for _, imp := range f.imports {
			if _, ok := testOnlyPackages[imp]; ok && f.pkg() != imp {
				t.Errorf("%s imports %s, which is for tests only", f.path, imp)
			}
		}
	}
}

// Each rule fires on a planted file that breaks it, and not on its neighbour that keeps to it.
func TestLayerRulesFire(t *testing.T) {
	imp := func(paths ...string) string {
		src := "package p\n\nimport (\n"
		for _, p := range paths {
			src += "\t" + strconv.Quote(p) + "\n"
		}
		return src + ")\n"
	}
	m := func(p string) string { return module + "/" + p }
	for _, tt := range []struct {
		file, src string
		want      []string // the imports reported, in order
	}{
		{"sim/queue.go", imp("fmt", m("internal/trace"), m("host")), []string{"host"}},
		{"internal/trace/x.go", imp(m("internal/trace"), m("sim")), []string{"sim"}},
		{"host/payload.go", imp(m("internal/drive"), m("internal/httpbound"), m("sim"), m("fakes/mesh")), []string{"fakes/mesh"}},
		{"host/hosthttp/server.go", imp(m("host"), m("internal/drive"), m("fakes/blob"), m("fakes/mesh/meshhttp"),
			m("internal/world"), m("internal/live"), m("internal/runner"), m("reports/redact"), m("cmd/simrun")),
			[]string{"fakes/blob", "fakes/mesh/meshhttp", "internal/world", "internal/live", "internal/runner", "reports/redact", "cmd/simrun"}},
		{"fakes/mesh/meshhttp/mesh.go", imp(m("fakes/mesh"), m("internal/drive"), m("host"), m("host/hosthttp"),
			m("internal/world"), m("internal/live"), m("internal/runner"), m("reports/html")),
			[]string{"host/hosthttp", "internal/world", "internal/live", "internal/runner", "reports/html"}},
		{"internal/check/p1.go", imp(m("internal/trace"), m("sim"), m("host"), m("fakes/mesh"), m("internal/world"),
			m("internal/live"), m("internal/drive")),
			[]string{"host", "fakes/mesh", "internal/world", "internal/live", "internal/drive"}},
		{"internal/live/host.go", imp(m("internal/drive"), m("fakes/mesh"), m("internal/world")), []string{"internal/world"}},
		{"internal/runner/runner.go", imp(m("internal/world"), m("reports/redact"), m("reports/output"), m("reports/chrome")),
			[]string{"reports/chrome"}},
		{"reports/html/page.go", imp(m("internal/sweep"), m("internal/check"), m("internal/runner"), m("cmd/simrun")),
			[]string{"internal/runner", "cmd/simrun"}},
		{"reports/internal/testrun/testrun.go", imp(m("internal/runner")), nil},
		{"cmd/simrun/main.go", imp(m("internal/runner"), m("reports/html"), m("internal/world")), nil},
	} {
		f, err := parseImports(token.NewFileSet(), tt.file, tt.file, tt.src)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, v := range layerViolations(layerRules, []goFile{f}) {
			if !strings.HasPrefix(v, tt.file+" imports ") {
				t.Errorf("%s: violation names another file: %s", tt.file, v)
			}
			imp, _, _ := strings.Cut(strings.TrimPrefix(v, tt.file+" imports "), ":")
			got = append(got, imp)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: reported %v, want %v", tt.file, got, tt.want)
		}
	}
}

func TestLayerPatterns(t *testing.T) {
	for _, tt := range []struct {
		pattern, pkg string
		want         bool
	}{
		{"host/...", "host", true}, {"host/...", "host/hosthttp", true}, {"host/...", "hostx", false},
		{"host", "host/hosthttp", false}, {"host", "host", true}, {"...", "cmd/simrun", true},
	} {
		if got := matches(tt.pattern, tt.pkg); got != tt.want {
			t.Errorf("matches(%q, %q) = %v, want %v", tt.pattern, tt.pkg, got, tt.want)
		}
	}
}
