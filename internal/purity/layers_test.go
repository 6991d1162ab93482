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

// A layer is a set of packages and what their code may import of the module: its own packages
// only when self is set, and the packages of the layers named in may, each of which must come
// earlier in layers (an import can only run down). A pattern is a package path inside the module
// ("live"), or "p/..." for p and every package under it.
type layer struct {
	name string
	pkgs []string
	may  []string
	self bool
	why  string
}

// layers are the module's layers, bottom first: the vocabulary and support packages; the judges
// (reading traces only); the reference parts; the scenarios; the kernel; the site core; the
// drivers and their HTTP adapters; the runner; the tools that make many runs; the log readers;
// the renderers; conformance; the catalogue and benchmarks; the CLI. Every package of the module
// is in exactly one layer (TestEveryPackageHasALayer).
var layers = []layer{
	{name: "vocabulary", pkgs: []string{"trace", "trace/canonical", "scenarios/faults", "check/outcome"},
		why: "the records, their canonical hash, the fault catalogue and the exit outcome: the words every other layer speaks, depending on none"},
	{name: "support", pkgs: []string{"internal/random", "internal/ids", "internal/version", "internal/httpbound/...",
		"internal/purity", "output/redact", "output/progress", "logs", "live/azurite"},
		why: "seeded streams, ids, bounded HTTP bodies, the one redaction, progress lines, the log formats and the storage emulator's process: leaves any layer may use"},
	{name: "judges", pkgs: []string{"check"}, may: []string{"vocabulary"},
		why: "a checker judges a trace and never calls the code it judges (host, platform, drivers), so both drivers are judged alike"},
	{name: "output gate", pkgs: []string{"output"}, may: []string{"vocabulary", "support", "judges"},
		why: "every file leaves through the one redaction, then P11's own detector"},
	{name: "reference host", pkgs: []string{"host"}, may: []string{"vocabulary", "support"},
		why: "the host's step machine: pure, given everything it talks to"},
	{name: "reference platform", pkgs: []string{"fakes/mesh", "fakes/blob"}, may: []string{"vocabulary", "support", "reference host"},
		why: "the mesh, front end, store and blob model speak the host's contract types (tokens, payloads) and run no driver"},
	{name: "interceptors", pkgs: []string{"plant"}, may: []string{"vocabulary", "support", "reference host", "reference platform"},
		why: "each planted defect is written once, as an interceptor around the reference parts (their wrappers and seams, an HTTP middleware), for the simulator and the servers alike; the reference code knows none"},
	{name: "scenarios", pkgs: []string{"scenarios"}, may: []string{"vocabulary", "support", "reference host"},
		why: "a scenario names a site, its content and faults in the host's terms; it is input, and judging it is a layer above"},
	{name: "kernel", pkgs: []string{"sim"}, may: []string{"vocabulary", "support"},
		why: "the simulator's clock, queue, network and strategies know records and seeds, not what runs on them"},
	{name: "run files", pkgs: []string{"runner/tracefile"}, may: []string{"vocabulary", "support", "judges", "output gate", "scenarios"},
		why: "a recorded run (trace, verdicts, schedule, scenario) reads and writes without running anything"},
	{name: "site core", pkgs: []string{"site"}, may: []string{"vocabulary", "support", "reference host", "reference platform", "scenarios"},
		why: "the one interpreter of every machine's effects, the fleet, the router, the timeline and the fault decisions, for both drivers"},
	{name: "real-time adapters", pkgs: []string{"live/realtime"},
		may: []string{"vocabulary", "support", "reference host", "reference platform", "site core"},
		why: "one goroutine adapter per party (host, platform) on the real clock, with its timers, joined goroutines and HTTP plumbing, for every driver that is not the simulator"},
	{name: "drivers", pkgs: []string{"sim/world", "live", "live/hosthttp", "live/meshhttp", "fakes/blob/blobhttp"},
		may: []string{"vocabulary", "support", "reference host", "reference platform", "interceptors", "scenarios", "kernel", "site core", "real-time adapters"},
		why: "a driver gives the core a clock, a transport, storage and a recorder: the simulator's kernel, or real time and HTTP; no driver builds on another"},
	{name: "standalone parts", pkgs: []string{"live/standalone"}, may: []string{"vocabulary", "support", "reference host", "reference platform", "interceptors", "site core", "real-time adapters", "drivers"},
		why: "assembles the host and platform servers a user points a real peer at (simrun serve)"},
	{name: "runner", pkgs: []string{"runner"},
		may: []string{"vocabulary", "support", "judges", "output gate", "reference host", "reference platform", "interceptors", "scenarios", "run files", "drivers"},
		why: "makes a run with either driver and judges it; renders nothing"},
	{name: "many runs", pkgs: []string{"runner/sweep", "explore", "explore/replay"},
		may: []string{"vocabulary", "support", "judges", "output gate", "reference host", "scenarios", "kernel", "run files", "drivers", "runner"},
		why: "seeds swept, states explored, schedules replayed and shrunk: each is many calls of the runner"},
	{name: "mutant catalogue", pkgs: []string{"explore/mutants"},
		may: []string{"vocabulary", "support", "judges", "reference host", "reference platform", "interceptors", "scenarios", "runner", "many runs"},
		why: "each planted defect is run over seeds (a sweep) and shrunk (replay) to show its property catches it"},
	{name: "log import", pkgs: []string{"logs/importer"},
		may: []string{"vocabulary", "support", "judges", "reference host", "scenarios", "runner"},
		why: "a real log becomes a scenario, which the runner then plays"},
	{name: "log validation", pkgs: []string{"logs/validate"},
		may: []string{"vocabulary", "support", "reference host", "reference platform", "log import"},
		why: "a real log is read as import reads it and replayed line by line against the model"},
	{name: "renderers", pkgs: []string{"reports/explain", "reports/chrome", "reports/junit"},
		may: []string{"vocabulary", "support", "judges", "output gate", "run files", "many runs"},
		why: "a timeline, a Chrome trace or JUnit XML from recorded runs and sweeps: they run nothing"},
	{name: "report", pkgs: []string{"reports/html"},
		may: []string{"vocabulary", "support", "judges", "output gate", "reference host", "run files", "many runs", "renderers"},
		why: "the HTML report embeds the explained timelines of the runs it renders"},
	{name: "conformance", pkgs: []string{"conformance", "conformance/load"},
		may: []string{"vocabulary", "support", "judges", "output gate", "reference host", "reference platform", "interceptors", "scenarios", "drivers",
			"real-time adapters", "standalone parts", "runner", "renderers", "report"},
		why: "judges a real endpoint by the contract's rules, with the reference parts as peers, and renders its verdicts"},
	{name: "conformance suites", pkgs: []string{"conformance/suites/..."}, may: []string{"judges", "conformance"},
		why: "the Ginkgo specs run the conformance library"},
	{name: "tools", pkgs: []string{"cmd/simrun/catalogue", "cmd/simrun/bench"},
		may: []string{"vocabulary", "support", "judges", "output gate", "reference host", "reference platform", "interceptors", "scenarios", "kernel",
			"site core", "drivers", "standalone parts", "runner", "many runs", "mutant catalogue", "conformance"},
		why: "the catalogue lists what every layer offers; the benchmarks time every layer"},
	{name: "cli", pkgs: []string{"cmd/..."}, self: false,
		may: []string{"vocabulary", "support", "judges", "output gate", "reference host", "reference platform", "interceptors", "scenarios", "kernel",
			"run files", "site core", "drivers", "standalone parts", "runner", "many runs", "mutant catalogue", "log import",
			"log validation", "renderers", "report", "conformance", "tools"},
		why: "flags and wiring: every command is a library call"},
}

// testOnlyPackages are fixtures of tests: no layer holds them, and only test files may import them
// (TestTestOnlyPackagesAreImportedByTestsOnly).
var testOnlyPackages = map[string]string{
	"reports/internal/testrun": "makes the runs the report writers' tests render",
}

// matches reports whether a module-relative package path matches a pattern.
func matches(pattern, pkg string) bool {
	if p, ok := strings.CutSuffix(pattern, "/..."); ok {
		return pkg == p || strings.HasPrefix(pkg, p+"/")
	}
	return pkg == pattern
}

// layerOf is the layer holding pkg: the one whose most specific pattern matches (a package path
// beats a "p/..." pattern, a longer one a shorter), or -1.
func layerOf(ls []layer, pkg string) int {
	best, bestLen := -1, -1
	for i, l := range ls {
		for _, p := range l.pkgs {
			n := len(p)
			if strings.HasSuffix(p, "/...") {
				n -= 4 // "p/..." is less specific than "p"
			} else {
				n += 1000
			}
			if matches(p, pkg) && n > bestLen {
				best, bestLen = i, n
			}
		}
	}
	return best
}

// goFile is one source file: its module-relative path and its imports of the module's packages,
// module-relative.
type goFile struct {
	path    string
	imports []string
}

func (f goFile) pkg() string { return filepath.ToSlash(filepath.Dir(f.path)) }

// parseImports reads a file's imports (parser.ImportsOnly); src nil reads the file at abs. Imports
// from outside the module are left out: no layer is about them.
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

// layerProblems checks the layers themselves: each name once, each may naming an earlier layer.
func layerProblems(ls []layer) []string {
	var out []string
	index := map[string]int{}
	for i, l := range ls {
		if _, dup := index[l.name]; dup {
			out = append(out, fmt.Sprintf("layer %q is listed twice", l.name))
		}
		index[l.name] = i
		if l.why == "" {
			out = append(out, fmt.Sprintf("layer %q gives no reason", l.name))
		}
		for _, m := range l.may {
			j, ok := index[m]
			switch {
			case m == l.name:
				out = append(out, fmt.Sprintf("layer %q names itself in may: set self", l.name))
			case !ok && slices.ContainsFunc(ls[i+1:], func(x layer) bool { return x.name == m }):
				out = append(out, fmt.Sprintf("layer %q may import %q, a layer above it: an arrow upward", l.name, m))
			case !ok:
				out = append(out, fmt.Sprintf("layer %q may import %q, which is no layer", l.name, m))
			case j >= i:
				out = append(out, fmt.Sprintf("layer %q may import %q, which is not below it", l.name, m))
			}
		}
	}
	return out
}

// importViolations lists each import the layers do not allow, as "FILE imports PKG: ...", and each
// file whose package is in no layer.
func importViolations(ls []layer, files []goFile) []string {
	var out []string
	for _, f := range files {
		if _, ok := testOnlyPackages[f.pkg()]; ok {
			continue
		}
		li := layerOf(ls, f.pkg())
		if li < 0 {
			out = append(out, fmt.Sprintf("%s: package %s is in no layer: add it to layers", f.path, f.pkg()))
			continue
		}
		l := ls[li]
		for _, imp := range f.imports {
			if imp == f.pkg() {
				continue
			}
			if _, ok := testOnlyPackages[imp]; ok {
				out = append(out, fmt.Sprintf("%s imports %s: a test fixture", f.path, imp))
				continue
			}
			ti := layerOf(ls, imp)
			switch {
			case ti < 0:
				out = append(out, fmt.Sprintf("%s imports %s: a package in no layer", f.path, imp))
			case ti == li && l.self:
			case ti == li:
				out = append(out, fmt.Sprintf("%s imports %s: layer %q does not import its own packages (%s)", f.path, imp, l.name, l.why))
			case ti > li:
				out = append(out, fmt.Sprintf("%s imports %s: layer %q imports %q, a layer above it: an arrow upward (%s)", f.path, imp, l.name, ls[ti].name, l.why))
			case !slices.Contains(l.may, ls[ti].name):
				out = append(out, fmt.Sprintf("%s imports %s: layer %q may import only %s, not %q (%s)", f.path, imp, l.name, strings.Join(l.may, ", "), ls[ti].name, l.why))
			}
		}
	}
	return out
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
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor" || name == "node_modules") {
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

// TestLayersAreOrdered: every layer names a reason, and may names only layers below it.
func TestLayersAreOrdered(t *testing.T) {
	for _, p := range layerProblems(layers) {
		t.Error(p)
	}
}

// TestLayersImportDownwardOnly holds the allow-lists on every non-test file of the module: no
// import runs up a layer, sideways inside one, or to a lower layer the list leaves out.
func TestLayersImportDownwardOnly(t *testing.T) {
	files, _ := moduleFiles(t, repoRoot(t))
	for _, v := range importViolations(layers, files) {
		t.Error(v)
	}
}

// TestEveryPackageHasALayer: each layer's patterns match a package of today (a renamed package
// leaves no stale entry behind), and no two layers claim one package at the same specificity.
func TestEveryPackageHasALayer(t *testing.T) {
	files, _ := moduleFiles(t, repoRoot(t))
	pkgs := map[string]bool{}
	for _, f := range files {
		pkgs[f.pkg()] = true
	}
	for _, l := range layers {
		for _, p := range l.pkgs {
			found := false
			for pkg := range pkgs {
				if matches(p, pkg) {
					found = true
				}
			}
			if !found {
				t.Errorf("layer %q: %s matches no package of the module (renamed?)", l.name, p)
			}
		}
	}
	seen := map[string]string{}
	for _, l := range layers {
		for _, p := range l.pkgs {
			if other, dup := seen[p]; dup {
				t.Errorf("%s is in layers %q and %q", p, other, l.name)
			}
			seen[p] = l.name
		}
	}
}

// TestTestOnlyPackagesAreImportedByTestsOnly: a package the layers skip as a test fixture is one no
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

// Each kind of violation is reported on a planted file, and a file that keeps to its allow-list is
// not reported.
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
		{"trace/x.go", imp("fmt", m("trace/canonical")), []string{"trace/canonical"}},
		{"sim/queue.go", imp("fmt", m("trace"), m("internal/random"), m("host")), []string{"host"}},
		{"check/p1.go", imp(m("trace"), m("sim"), m("host"), m("fakes/mesh"), m("sim/world"), m("live"), m("site")),
			[]string{"sim", "host", "fakes/mesh", "sim/world", "live", "site"}},
		{"scenarios/load.go", imp(m("host"), m("scenarios/faults"), m("check")), []string{"check"}},
		{"output/redact/x.go", imp(m("scenarios")), []string{"scenarios"}},
		{"runner/tracefile/f.go", imp(m("check"), m("sim/world")), []string{"sim/world"}},
		{"live/hosthttp/server.go", imp(m("host"), m("site"), m("internal/random"), m("sim"), m("live/meshhttp"), m("runner")),
			[]string{"live/meshhttp", "runner"}},
		{"live/host.go", imp(m("site"), m("fakes/mesh"), m("sim/world")), []string{"sim/world"}},
		{"site/fleet.go", imp(m("host"), m("sim"), m("check")), []string{"sim", "check"}},
		{"runner/runner.go", imp(m("sim/world"), m("output/redact"), m("output"), m("reports/chrome")), []string{"reports/chrome"}},
		{"reports/html/page.go", imp(m("runner/sweep"), m("check"), m("runner"), m("cmd/simrun")), []string{"runner", "cmd/simrun"}},
		{"reports/internal/testrun/testrun.go", imp(m("runner")), nil},
		{"newpkg/x.go", imp(m("trace")), []string{""}},
		{"cmd/simrun/main.go", imp(m("runner"), m("reports/html"), m("sim/world"), m("reports/internal/testrun")),
			[]string{"reports/internal/testrun"}},
	} {
		f, err := parseImports(token.NewFileSet(), tt.file, tt.file, tt.src)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, v := range importViolations(layers, []goFile{f}) {
			if !strings.HasPrefix(v, tt.file) {
				t.Errorf("%s: violation names another file: %s", tt.file, v)
			}
			imp, _, _ := strings.Cut(strings.TrimPrefix(v, tt.file+" imports "), ":")
			if strings.HasPrefix(v, tt.file+": package") {
				imp = ""
			}
			got = append(got, imp)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: reported %v, want %v", tt.file, got, tt.want)
		}
	}
}

// A layer list with an arrow upward, a self-reference, an unknown name or no reason is refused.
func TestLayerProblemsFire(t *testing.T) {
	bad := []layer{
		{name: "a", pkgs: []string{"a"}, may: []string{"b"}, why: "x"},
		{name: "b", pkgs: []string{"b"}, may: []string{"b", "zz"}, why: "x"},
		{name: "c", pkgs: []string{"c"}},
	}
	got := layerProblems(bad)
	want := []string{`"a" may import "b", a layer above it`, `"b" names itself`, `"b" may import "zz", which is no layer`, `"c" gives no reason`}
	if len(got) != len(want) {
		t.Fatalf("problems %q, want %d", got, len(want))
	}
	for i, w := range want {
		if !strings.Contains(got[i], w) {
			t.Errorf("problem %d: %q, want it to say %q", i, got[i], w)
		}
	}
}

func TestLayerPatterns(t *testing.T) {
	for _, tt := range []struct {
		pattern, pkg string
		want         bool
	}{
		{"host/...", "host", true}, {"host/...", "host/hosthttp", true}, {"host/...", "hostx", false},
		{"host", "live/hosthttp", false}, {"host", "host", true},
	} {
		if got := matches(tt.pattern, tt.pkg); got != tt.want {
			t.Errorf("matches(%q, %q) = %v, want %v", tt.pattern, tt.pkg, got, tt.want)
		}
	}
	ls := []layer{{name: "a", pkgs: []string{"x/..."}}, {name: "b", pkgs: []string{"x/y"}}}
	if got := layerOf(ls, "x/y"); got != 1 {
		t.Errorf("x/y in layer %d, want the exact pattern's (1)", got)
	}
	if got := layerOf(ls, "x/z"); got != 0 {
		t.Errorf("x/z in layer %d, want 0", got)
	}
}
