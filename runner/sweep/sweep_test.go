package sweep

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/runner"
	"github.com/syncsim/syncsim/runner/tracefile"
	"github.com/syncsim/syncsim/scenarios"
)

// repoRoot walks up from the test's directory to go.mod.
func repoRoot(t *testing.T) string {
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

func load(t *testing.T, rel ...string) []*scenarios.Scenario {
	t.Helper()
	var paths []string
	for _, r := range rel {
		paths = append(paths, filepath.Join(repoRoot(t), r))
	}
	scs, err := scenarios.LoadAll(paths...)
	if err != nil {
		t.Fatal(err)
	}
	return scs
}

const (
	smoke    = "scenarios/smoke.yaml"
	incident = "scenarios/incidents/worker-deleted-before-fetch.yaml"
)

func sweep(t *testing.T, cfg Config) *Report {
	t.Helper()
	rep, err := Sweep(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func cell(t *testing.T, rep *Report, scenario, property, mode string) Cell {
	t.Helper()
	for _, c := range rep.Matrix {
		if strings.HasSuffix(c.Scenario, scenario) && c.Property == property && c.Mode == mode {
			return c
		}
	}
	t.Fatalf("no cell %s %s %s", scenario, property, mode)
	return Cell{}
}

// DESIGN.md "Properties": platform breaks P1/P4 on the incident, frontend keeps them; the matrix names
// the smallest failing seed and the command that replays it.
func TestMatrixRaw(t *testing.T) {
	const from, to = 3, 6
	rep := sweep(t, Config{Scenarios: load(t, smoke, incident), Seeds: Range{from, to}, Raw: true, Workers: 2})
	seeds := to - from + 1
	runsPerSeed := len(load(t, smoke)[0].Modes) + len(load(t, incident)[0].Modes)
	if rep.Runs != runsPerSeed*seeds || rep.Seeds.CoveredTo != to || rep.CutShort() || rep.Exit != runner.ExitFailed {
		t.Fatalf("runs %d seeds %+v exit %d", rep.Runs, rep.Seeds, rep.Exit)
	}
	for _, id := range []string{"P1", "P4"} {
		c := cell(t, rep, incident, id, "platform")
		if c.Fail != seeds || c.Pass != 0 || c.SmallestFailingSeed == nil || *c.SmallestFailingSeed != from {
			t.Errorf("%s platform: %+v", id, c)
		}
		if !strings.Contains(c.Replay, "--seed 3 ") || !strings.Contains(c.Replay, "--mode platform") || !strings.Contains(c.Replay, "--raw") {
			t.Errorf("%s replay %q", id, c.Replay)
		}
	}
	sampled := 0 // P12 is judged on the sample: the first seed and the seeds that hash into it
	for seed := uint64(from); seed <= to; seed++ {
		if seed == from || Sampled(seed) {
			sampled++
		}
	}
	for _, c := range rep.Matrix {
		if c.Mode == "frontend" || strings.HasSuffix(c.Scenario, smoke) {
			want := seeds
			if c.Property == "P12" {
				want = sampled
			}
			if c.Pass != want || c.Failing() || c.Replay != "" {
				t.Errorf("%s %s %s: %+v", c.Scenario, c.Property, c.Mode, c)
			}
		}
	}
}

// With expectations, the incident's platform failures are xfails: the sweep exits 0 and still names
// the smallest (expected) failing seed.
func TestMatrixExpectations(t *testing.T) {
	rep := sweep(t, Config{Scenarios: load(t, incident), Seeds: Range{1, 3}, Mode: "platform"})
	c := cell(t, rep, incident, "P1", "platform")
	if c.XFail != 3 || c.Fail != 0 || *c.SmallestFailingSeed != 1 || strings.Contains(c.Replay, "--raw") {
		t.Fatalf("%+v", c)
	}
	if rep.Exit != runner.ExitOK || len(rep.Scenarios) != 1 || strings.Join(rep.Scenarios[0].Modes, ",") != "platform" {
		t.Fatalf("exit %d scenarios %+v", rep.Exit, rep.Scenarios)
	}
}

// The matrix is sorted by scenario, property number (P12 after P4), then mode in host.Modes() order.
func TestMatrixOrder(t *testing.T) {
	rep := sweep(t, Config{Scenarios: load(t, smoke, incident), Seeds: Range{1, 1}, Mode: "all"})
	for i := 1; i < len(rep.Matrix); i++ {
		a, b := rep.Matrix[i-1], rep.Matrix[i]
		ordered := a.Scenario < b.Scenario || a.Scenario == b.Scenario &&
			(propertyNumber(a.Property) < propertyNumber(b.Property) ||
				a.Property == b.Property && modeRank(a.Mode) < modeRank(b.Mode))
		if !ordered {
			t.Fatalf("%s %s %s before %s %s %s", a.Scenario, a.Property, a.Mode, b.Scenario, b.Property, b.Mode)
		}
	}
	if first := rep.Matrix[0]; !strings.HasSuffix(first.Scenario, incident) || first.Property != "P1" || first.Mode != "frontend" {
		t.Fatalf("first cell %+v", first)
	}
	if propertyNumber("P12") < propertyNumber("P4") || propertyNumber("X1") < propertyNumber("P13") {
		t.Fatal("propertyNumber")
	}
}

// The report does not depend on the number of workers or on the order in which runs finish.
func TestReportIndependentOfWorkers(t *testing.T) {
	scs := load(t, smoke, incident)
	render := func(workers int) ([]byte, string, string) {
		var progress bytes.Buffer
		rep, err := Sweep(Config{Scenarios: scs, Seeds: Range{1, 8}, Raw: true, Workers: workers}, &progress)
		if err != nil {
			t.Fatal(err)
		}
		js, err := rep.JSON()
		if err != nil {
			t.Fatal(err)
		}
		var text bytes.Buffer
		rep.WriteText(&text)
		return js, text.String(), progress.String()
	}
	js1, text1, prog1 := render(1)
	js4, text4, prog4 := render(4)
	if !bytes.Equal(js1, js4) || text1 != text4 || prog1 != prog4 {
		t.Fatalf("workers=1 and workers=4 differ:\n%s\n---\n%s", js1, js4)
	}
	for _, want := range []string{"pass 8", "fail 8 (seed 1)", "simrun run --mode platform --seed 1 --raw", "exit 1"} {
		if !strings.Contains(text1, want) {
			t.Errorf("text lacks %q:\n%s", want, text1)
		}
	}
}

// fakeClock advances a second on every read.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) read() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Second)
	return c.now
}

// --max-time stops dispatching new seeds; the covered seeds are a prefix and the report says so.
func TestMaxTimeStopsEarly(t *testing.T) {
	scs := load(t, smoke, incident)
	for _, workers := range []int{1, 3} {
		clock := &fakeClock{}
		// Reads: the start, then one before each seed after the first: seeds 10, 11 and 12 run.
		rep := sweep(t, Config{Scenarios: scs, Seeds: Range{10, 500}, Raw: true, Workers: workers, MaxTime: 3 * time.Second, Clock: clock.read})
		runsPerSeed := len(scs[0].Modes) + len(scs[1].Modes)
		if rep.Seeds.CoveredTo != 12 || rep.Seeds.StoppedBy != "max-time" || rep.Runs != 3*runsPerSeed || rep.Scenarios[0].SeedsCovered != 3 {
			t.Fatalf("workers=%d: seeds %+v runs %d", workers, rep.Seeds, rep.Runs)
		}
		if c := cell(t, rep, incident, "P1", "platform"); c.Fail != 3 || *c.SmallestFailingSeed != 10 {
			t.Fatalf("cell %+v", c)
		}
		var text bytes.Buffer
		rep.WriteText(&text)
		if !strings.Contains(text.String(), "covered seeds 10-12 of 10-500 (stopped by --max-time)") {
			t.Fatalf("text:\n%s", text.String())
		}
	}
	// A budget that lasts covers everything and says nothing about stopping.
	rep := sweep(t, Config{Scenarios: scs, Seeds: Range{1, 2}, MaxTime: time.Hour, Clock: (&fakeClock{}).read})
	var text bytes.Buffer
	rep.WriteText(&text)
	if rep.CutShort() || rep.Seeds.CoveredTo != 2 || strings.Contains(text.String(), "max-time") {
		t.Fatalf("seeds %+v\n%s", rep.Seeds, text.String())
	}
}

// Exit codes follow runner.ExitCode over all runs: 0 as expected, 1 a failure (which beats an
// inconclusive), 2 only inconclusive verdicts.
func TestExitCodes(t *testing.T) {
	budget := "sim/world/testdata/budget.yaml"
	cases := []struct {
		name  string
		paths []string
		raw   bool
		want  int
	}{
		{"as expected", []string{smoke, incident}, false, runner.ExitOK},
		{"raw failure", []string{incident}, true, runner.ExitFailed},
		{"inconclusive", []string{budget}, false, runner.ExitInconclusive},
		{"fail beats inconclusive", []string{budget, incident}, true, runner.ExitFailed},
	}
	for _, c := range cases {
		rep := sweep(t, Config{Scenarios: load(t, c.paths...), Seeds: Range{1, 2}, Raw: c.raw})
		if rep.Exit != c.want {
			t.Errorf("%s: exit %d, want %d", c.name, rep.Exit, c.want)
		}
		// A merge computes the exit code from the cells: the same code.
		if got := exitFromCells(rep.Matrix, rep.Strict); got != rep.Exit {
			t.Errorf("%s: exit %d from the cells, %d from the runs", c.name, got, rep.Exit)
		}
		// The outcome every writer shows says the same.
		if o := OutcomeOf(rep); o.Exit != rep.Exit || (len(o.Gating()) > 0) != (rep.Exit != runner.ExitOK) {
			t.Errorf("%s: outcome %+v, exit %d", c.name, o, rep.Exit)
		}
	}
}

func TestWorse(t *testing.T) {
	for _, c := range [][3]int{{0, 0, 0}, {0, 2, 2}, {2, 0, 2}, {2, 1, 1}, {1, 2, 1}, {1, 0, 1}} {
		if got := worse(c[0], c[1]); got != c[2] {
			t.Errorf("worse(%d, %d) = %d, want %d", c[0], c[1], got, c[2])
		}
	}
}

func TestSweepRejectsBadConfig(t *testing.T) {
	scs := load(t, smoke)
	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no scenarios", Config{Seeds: Range{1, 1}}, "no scenarios"},
		{"backwards", Config{Scenarios: scs, Seeds: Range{5, 2}}, "ends before it starts"},
		{"unknown mode", Config{Scenarios: scs, Seeds: Range{1, 1}, Mode: "sideways"}, "unknown mode"},
		{"negative workers", Config{Scenarios: scs, Seeds: Range{1, 1}, Workers: -1}, "--workers"},
	}
	for _, c := range cases {
		if _, err := Sweep(c.cfg, nil); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
}

// A run that cannot be made stops the sweep with the error of the first such run in seed order, and
// no goroutine is left blocked.
func TestRunErrorStopsSweep(t *testing.T) {
	orig := runOne
	defer func() { runOne = orig }()
	runOne = func(sc *scenarios.Scenario, m host.Mode, seed uint64, opts runner.Options) (*runner.Result, error) {
		if seed >= 5 {
			return nil, errors.New("planted failure")
		}
		return runner.RunOne(sc, m, seed, opts)
	}
	for _, workers := range []int{1, 4} {
		_, err := Sweep(Config{Scenarios: load(t, smoke, incident), Seeds: Range{1, 1000}, Workers: workers}, nil)
		if err == nil || !strings.Contains(err.Error(), "worker-deleted-before-fetch.yaml mode=frontend seed=5: planted failure") {
			t.Fatalf("workers=%d: %v", workers, err)
		}
	}
}

// A run that panics on a worker stops the sweep; the panic of the first such run in seed order is
// raised again on the caller's goroutine as a *WorkerPanic with the worker's stack and the run named,
// after every worker has stopped, so that the CLI can report it as an internal error.
func TestWorkerPanicRaisedOnTheCaller(t *testing.T) {
	orig := runOne
	defer func() { runOne = orig }()
	runOne = func(sc *scenarios.Scenario, m host.Mode, seed uint64, opts runner.Options) (*runner.Result, error) {
		if seed >= 3 {
			panic(fmt.Sprintf("planted panic at seed %d", seed))
		}
		return runner.RunOne(sc, m, seed, opts)
	}
	for _, workers := range []int{1, 4} {
		var got any
		func() {
			defer func() { got = recover() }()
			Sweep(Config{Scenarios: load(t, smoke), Seeds: Range{1, 1000}, Workers: workers}, nil)
		}()
		wp, ok := got.(*WorkerPanic)
		if !ok {
			t.Fatalf("workers=%d: recovered %v (%T), want a *WorkerPanic", workers, got, got)
		}
		if wp.Value != "planted panic at seed 3" || wp.Seed != 3 || !strings.HasSuffix(wp.Scenario, "smoke.yaml") ||
			!strings.Contains(wp.Error(), "planted panic at seed 3 (in a sweep worker: ") || !strings.Contains(string(wp.PanicStack()), "sweep_test.go") {
			t.Fatalf("workers=%d: %v\n%s", workers, wp, wp.Stack)
		}
	}
}

func TestParseRange(t *testing.T) {
	cases := []struct {
		in   string
		want Range
		err  string
	}{
		{"1-300", Range{1, 300}, ""},
		{"7", Range{7, 7}, ""},
		{"5-5", Range{5, 5}, ""},
		{"9-3", Range{}, "ends before it starts"},
		{"x-3", Range{}, `"x" is not a seed number`},
		{"1-", Range{}, `"" is not a seed number`},
		{"", Range{}, "not a seed number"},
		{"-3", Range{}, "not a seed number"},
		{"1-2-3", Range{}, "not a seed number"},
	}
	for _, c := range cases {
		got, err := ParseRange(c.in)
		switch {
		case c.err == "" && (err != nil || got != c.want):
			t.Errorf("%q: %+v, %v", c.in, got, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%q: error %v, want %q", c.in, err, c.err)
		}
	}
	if s := (Range{3, 9}).String(); s != "3-9" {
		t.Error(s)
	}
}

// Execute wires parsing, loading, sweeping and the JSON file; bad input is a usage error.
func TestExecute(t *testing.T) {
	dir := t.TempDir()
	js, matrix := filepath.Join(dir, "runs.json"), filepath.Join(dir, "matrix.json")
	var out bytes.Buffer
	code, err := Execute(Job{Paths: []string{filepath.Join(repoRoot(t), incident)}, Seeds: "2-3", Raw: true, JSON: js, Matrix: matrix}, &out, nil)
	if err != nil || code != runner.ExitFailed {
		t.Fatalf("exit %d, %v", code, err)
	}
	data, err := os.ReadFile(matrix)
	if err != nil || !bytes.Contains(data, []byte(`"covered_to": 3`)) || !bytes.Contains(data, []byte(`"smallest_failing_seed": 2`)) {
		t.Fatalf("%v\n%s", err, data)
	}
	// DESIGN.md: --json writes an array of run objects.
	var runs []struct {
		Scenario  string `json:"scenario"`
		Mode      string `json:"mode"`
		Seed      uint64 `json:"seed"`
		TraceHash string `json:"trace_hash"`
		Verdicts  []any  `json:"verdicts"`
		Events    int    `json:"event_count"`
		SimTimeMs int64  `json:"sim_time_ms"`
	}
	data, err = os.ReadFile(js)
	if err != nil || json.Unmarshal(data, &runs) != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	modes := len(load(t, incident)[0].Modes)
	if len(runs) != 2*modes || runs[0].Seed != 2 || runs[len(runs)-1].Seed != 3 || runs[0].TraceHash == "" || len(runs[0].Verdicts) == 0 || runs[0].Events == 0 || runs[0].SimTimeMs == 0 {
		t.Fatalf("runs %+v", runs)
	}
	if code, err := Execute(Job{Paths: []string{smoke}, Seeds: "4-1"}, &out, nil); code != runner.ExitUsage || err == nil {
		t.Fatalf("bad seeds: exit %d, %v", code, err)
	}
}

// --trace-dir writes one trace per failing run: the smallest failing seed of each failing cell.
func TestTraceDirWritesFailingCells(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	code, err := Execute(Job{Paths: []string{filepath.Join(repoRoot(t), incident)}, Seeds: "4-5", Raw: true, TraceDir: dir}, &out, nil)
	if err != nil || code != runner.ExitFailed {
		t.Fatalf("exit %d, %v", code, err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json.gz"))
	if len(files) != 1 || !strings.HasSuffix(files[0], "worker-deleted-before-fetch-platform-seed4.json.gz") {
		t.Fatalf("files %v\n%s", files, out.String())
	}
	f, err := tracefile.Read(files[0])
	if err != nil || f.Seed != 4 || f.Mode != "platform" || len(f.Failed) == 0 {
		t.Fatalf("%+v %v", f, err)
	}
}
