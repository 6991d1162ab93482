package conformance

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/plant"
)

// meshRow is one mesh of the isolation table: where it comes from and the verdict each rule must
// reach on it, alone and in the full suite alike.
type meshRow struct {
	// mesh is "go:" (the reference mesh), "go:DEFECT" (the reference mesh with a planted defect),
	// "py:FILE" or "node:FILE" (testdata/meshes/FILE.py or .js, whose header names its bug).
	mesh string
	// fail and inconclusive list the rules that must fail or be inconclusive; every other rule must
	// pass.
	fail, inconclusive []string
}

// meshArgs are the foreign meshes' flags: the harness's placeholders, and a backoff scaled to the
// tests' 5 s retry window (0.2 s, doubling).
const meshArgs = " --port {port} --site-url {site_url} --site {site} --backoff-min 0.2"

// target is how Prepare starts the row's mesh.
func (r meshRow) target() Target {
	lang, name, _ := strings.Cut(r.mesh, ":")
	switch lang {
	case "py":
		return Target{Kind: "mesh", MeshCmd: "python3 testdata/meshes/" + name + ".py" + meshArgs}
	case "node":
		return Target{Kind: "mesh", MeshCmd: "node testdata/meshes/" + name + ".js" + meshArgs}
	}
	if name == "" {
		return Target{Kind: "mesh"}
	}
	return Target{Kind: "mesh", Defects: []string{name}}
}

func (r meshRow) want(rule string) check.Status {
	switch {
	case contains(r.fail, rule):
		return check.Fail
	case contains(r.inconclusive, rule):
		return check.Inconclusive
	}
	return check.Pass
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// isolationTable is every mesh the tests have, correct and broken (one bug each), with the
// verdicts the rules must reach on it. A breach of MESH-1 fails the rule that sees it (slow-accept,
// busy_503, silent_during_fetch); a mesh that never fetches leaves the token, retry, hold and
// burst rules without evidence.
var isolationTable = []meshRow{
	// Correct meshes: ours, one in Python, one in Node, and one whose backoff grows 4x.
	{mesh: "go:"},
	{mesh: "py:mesh"},
	{mesh: "node:mesh"},
	{mesh: "py:backoff_4x"},
	// The reference mesh's planted defects (plant.MeshServer).
	{mesh: "go:slow-accept", fail: []string{"MESH-1", "MESH-2", "MESH-3", "MESH-4", "MESH-5", "MESH-6", "MESH-8", "MESH-9"}},
	{mesh: "go:no-fetch", fail: []string{"MESH-2"}, inconclusive: []string{"MESH-3", "MESH-4", "MESH-5", "MESH-6"}},
	{mesh: "go:no-token", fail: []string{"MESH-3"}},
	{mesh: "go:no-retry", fail: []string{"MESH-4"}},
	{mesh: "go:lose-during-fetch", fail: []string{"MESH-5"}},
	{mesh: "go:fetch-per-notification", fail: []string{"MESH-6"}},
	{mesh: "go:accept-malformed", fail: []string{"MESH-7"}},
	{mesh: "go:serialize", fail: []string{"MESH-8"}},
	{mesh: "go:reject-unknown-field", fail: []string{"MESH-9"}},
	// Python meshes with one bug each.
	{mesh: "py:wrong_audience", fail: []string{"MESH-3"}},
	{mesh: "py:exp_only_token", fail: []string{"MESH-3"}},
	{mesh: "py:post_fetch", fail: []string{"MESH-2"}, inconclusive: []string{"MESH-3", "MESH-4", "MESH-5", "MESH-6"}},
	{mesh: "py:gives_up_after_two", fail: []string{"MESH-4"}},
	{mesh: "py:busy_503", fail: []string{"MESH-5"}},
	{mesh: "py:accept_empty_operation", fail: []string{"MESH-7"}},
	{mesh: "py:reject_hash_field", fail: []string{"MESH-9"}},
	{mesh: "py:serial_queue", fail: []string{"MESH-8"}},
	// Node meshes with one bug each.
	{mesh: "node:wrong_issuer", fail: []string{"MESH-3"}},
	{mesh: "node:long_token", fail: []string{"MESH-3"}},
	{mesh: "node:silent_during_fetch", fail: []string{"MESH-5"}},
	{mesh: "node:no_coalesce", fail: []string{"MESH-6"}},
	{mesh: "node:lose_during_fetch", fail: []string{"MESH-5"}},
	{mesh: "node:fetch_on_malformed", fail: []string{"MESH-7"}},
	{mesh: "node:no_retry_on_404", fail: []string{"MESH-4"}},
}

// isolationRows narrows TestIsolation to the rows whose mesh matches (-isolation.rows 'py:wrong').
var isolationRows = flag.String("isolation.rows", "", "TestIsolation: run only the rows whose mesh matches this regexp")

// isolationWorkers bounds the runs in flight: they mostly wait on timers, and the package's tests
// stay within about a minute and a half.
const isolationWorkers = 30

// runMesh starts a row's mesh, runs the rules against it in one Run (the full suite, or one rule
// as `--rule X` does), and stops it.
func runMesh(row meshRow, rules []Rule) ([]check.Verdict, *Env, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	p, err := Prepare(ctx, row.target())
	if err != nil {
		return nil, nil, err
	}
	defer p.Close()
	testTiming(p.Env)
	return Run(ctx, p.Env, rules, nil), p.Env, nil
}

// Every rule reaches the same verdict on every mesh alone (a fresh mesh, that rule only, as
// `--rule X`) and in the full suite (one mesh, every rule in Run's order), and that verdict is the
// table's: rules are isolated from each other's traffic, and each broken mesh fails the rule its
// header names. The run's exit code (with --strict) is 1 for a broken mesh and 0 for a correct one.
func TestIsolation(t *testing.T) {
	t.Parallel()
	for _, bin := range []string{"python3", "node"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Fatalf("%s is needed for the foreign meshes of testdata/meshes: %v", bin, err)
		}
	}
	rows := regexp.MustCompile(*isolationRows)
	rules := MeshRules()
	type job struct {
		row   int
		rules []Rule // all: the suite; one: alone
	}
	var jobs []job
	for i, row := range isolationTable {
		if rows.MatchString(row.mesh) {
			jobs = append(jobs, job{i, rules}) // suites first: they are the longest
		}
	}
	// Rules in turn across rows, so that the runs in flight at once are of different rules (not a
	// hundred notifications times every row at once).
	for k := range rules {
		for i, row := range isolationTable {
			if rows.MatchString(row.mesh) {
				jobs = append(jobs, job{i, []Rule{rules[(i+k)%len(rules)]}})
			}
		}
	}
	suite := make([][]check.Verdict, len(isolationTable))
	alone := make([]map[string]check.Verdict, len(isolationTable))
	for i := range alone {
		alone[i] = map[string]check.Verdict{}
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, isolationWorkers)
	for _, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			row := isolationTable[j.row]
			vs, env, err := runMesh(row, j.rules)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Errorf("%s: %v", row.mesh, err)
				return
			}
			assertNoSecrets(t, row.mesh, env, vs)
			if len(j.rules) > 1 {
				suite[j.row] = vs
			} else {
				alone[j.row][vs[0].ID] = vs[0]
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	var table strings.Builder
	fmt.Fprintf(&table, "%-28s", "mesh (alone/suite)")
	for _, r := range rules {
		fmt.Fprintf(&table, " %-7s", r.ID)
	}
	table.WriteString("\n")
	for i, row := range isolationTable {
		if !rows.MatchString(row.mesh) {
			continue
		}
		fmt.Fprintf(&table, "%-28s", row.mesh)
		for k, r := range rules {
			a, s := alone[i][r.ID], suite[i][k]
			fmt.Fprintf(&table, " %-7s", short(a.Status)+"/"+short(s.Status))
			want := row.want(r.ID)
			if a.Status != s.Status {
				t.Errorf("%s %s: alone %s, in the suite %s\nalone:\n  %s\nsuite:\n  %s", row.mesh, r.ID, a.Status, s.Status,
					strings.Join(a.EvidenceText(), "\n  "), strings.Join(s.EvidenceText(), "\n  "))
			} else if s.Status != want {
				t.Errorf("%s %s: %s, want %s\n  %s", row.mesh, r.ID, s.Status, want, strings.Join(s.EvidenceText(), "\n  "))
			}
			// A MESH-1 breach seen by another rule fails it, naming MESH-1 (never inconclusive).
			if breaches := strings.Contains(row.mesh, "busy_503") || strings.Contains(row.mesh, "silent_during_fetch"); breaches && r.ID == "MESH-5" &&
				!strings.Contains(strings.Join(s.EvidenceText(), "\n"), "breaks MESH-1") {
				t.Errorf("%s %s: the failure does not name the MESH-1 breach:\n  %s", row.mesh, r.ID, strings.Join(s.EvidenceText(), "\n  "))
			}
			if s.Status == check.Pass && s.Level == check.Must && s.Checked == 0 {
				t.Errorf("%s %s: passed vacuously", row.mesh, r.ID)
			}
		}
		table.WriteString("\n")
		wantExit := ExitFailed
		if len(row.fail) == 0 {
			wantExit = ExitOK
		}
		if got := ExitCode(suite[i], true); got != wantExit {
			t.Errorf("%s: exit %d, want %d", row.mesh, got, wantExit)
		}
	}
	t.Logf("verdicts, alone/suite (P pass, F fail, I inconclusive):\n%s", table.String())
}

func short(s check.Status) string {
	switch s {
	case check.Pass:
		return "P"
	case check.Fail:
		return "F"
	case check.Inconclusive:
		return "I"
	}
	return "?"
}

// assertNoSecrets holds evidence to PAY-4: no key, token or payload secret.
func assertNoSecrets(t *testing.T, mesh string, env *Env, vs []check.Verdict) {
	t.Helper()
	for _, v := range vs {
		for _, e := range v.EvidenceText() {
			for _, secret := range []string{env.Key, "eyJ", "conformance-master-", "conformance-host-"} {
				if secret != "" && strings.Contains(e, secret) {
					t.Errorf("%s %s: evidence holds a secret: %q", mesh, v.ID, e)
				}
			}
		}
	}
}

// Every row of the table is a mesh the repository has: each reference defect appears once, and
// each foreign mesh's header names the rule the table makes it fail.
func TestIsolationTableCoversTheMeshes(t *testing.T) {
	var defects []string
	for _, row := range isolationTable {
		if name, ok := strings.CutPrefix(row.mesh, "go:"); ok && name != "" {
			defects = append(defects, name)
			if d := plant.MeshServer[name]; !contains(row.fail, d.Rule) {
				t.Errorf("%s breaks %s, but the table does not fail it", row.mesh, d.Rule)
			}
		}
	}
	sort.Strings(defects)
	if got, want := strings.Join(defects, ","), strings.Join(plant.Names(plant.MeshServer), ","); got != want {
		t.Errorf("the table's defects %s, want every planted one: %s", got, want)
	}
	for _, row := range isolationTable {
		lang, name, _ := strings.Cut(row.mesh, ":")
		if lang == "go" {
			continue
		}
		ext := map[string]string{"py": ".py", "node": ".js"}[lang]
		header := readHeader(t, "testdata/meshes/"+name+ext)
		switch {
		case len(row.fail) == 0 && !strings.Contains(header, "Bug: none"):
			t.Errorf("%s passes every rule in the table, but its header names a bug:\n%s", row.mesh, header)
		case len(row.fail) > 0 && !strings.Contains(header, "Must fail: "+firstOwn(row)):
			t.Errorf("%s: its header does not say it must fail %s:\n%s", row.mesh, firstOwn(row), header)
		}
	}
}

// firstOwn is the rule a broken foreign mesh's header names: the only one it fails.
func firstOwn(row meshRow) string {
	if len(row.fail) == 0 {
		return ""
	}
	return row.fail[0]
}

// readHeader is a mesh file's opening comment as one line of words.
func readHeader(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	var words []string
	for _, l := range lines[:min(len(lines), 15)] {
		l = strings.TrimSpace(l)
		for _, p := range []string{"#!", "//", "#", `"""`} {
			l = strings.TrimPrefix(l, p)
		}
		words = append(words, strings.Fields(l)...)
	}
	return strings.Join(words, " ")
}
