package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/syncsim/syncsim/runner"
	"github.com/syncsim/syncsim/runner/sweep"
)

// The tests run from cmd/simrun; the scenarios are at the repository's root.
const root = "../.."

func simrun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := execute(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

type jsonRun struct {
	Scenario  string `json:"scenario"`
	Mode      string `json:"mode"`
	Seed      uint64 `json:"seed"`
	TraceHash string `json:"trace_hash"`
	Verdicts  []struct {
		ID      string `json:"id"`
		Level   string `json:"level"`
		Status  string `json:"status"`
		Checked int    `json:"checked"`
	} `json:"verdicts"`
	EventCount int   `json:"event_count"`
	SimTimeMs  int64 `json:"sim_time_ms"`
}

func readRuns(t *testing.T, path string) []jsonRun {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var runs []jsonRun
	if err := json.Unmarshal(data, &runs); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return runs
}

// The main job: every scenario in every mode it names exits 0, the incident's failures as xfail.
func TestMainJobExitsZero(t *testing.T) {
	code, out, errOut := simrun(t, "run", filepath.Join(root, "scenarios"))
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"smoke.yaml  mode=frontend seed=1  ok", "smoke.yaml  mode=platform seed=1  ok", "P1   MUST   xfail", "P4   MUST   xfail", "exit 0"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// Done-when of the first milestone: --raw in platform mode exits 1 with P1 and P4 failing in the
// JSON; the same in frontend mode exits 0.
func TestIncidentRawExitCodesAndJSON(t *testing.T) {
	incident := filepath.Join(root, "scenarios", "incidents", "worker-deleted-before-fetch.yaml")
	dir := t.TempDir()
	out1 := filepath.Join(dir, "platform.json")
	code, out, _ := simrun(t, "run", "--raw", "--mode", "platform", "--seed", "1", "--json", out1, incident)
	if code != 1 {
		t.Fatalf("platform exit %d, want 1\n%s", code, out)
	}
	if !strings.Contains(out, "replay: simrun run --mode platform --seed 1 --raw "+incident) {
		t.Fatalf("no replay command:\n%s", out)
	}
	runs := readRuns(t, out1)
	if len(runs) != 1 || runs[0].Mode != "platform" || runs[0].Seed != 1 || runs[0].TraceHash == "" || runs[0].EventCount == 0 || runs[0].SimTimeMs == 0 {
		t.Fatalf("runs %+v", runs)
	}
	status := map[string]string{}
	for _, v := range runs[0].Verdicts {
		status[v.ID] = v.Status
	}
	if status["P1"] != "fail" || status["P4"] != "fail" || status["P3"] != "pass" || status["P12"] != "pass" {
		t.Fatalf("verdicts %v", status)
	}
	out2 := filepath.Join(dir, "frontend.json")
	if code, out, _ := simrun(t, "run", "--raw", "--mode", "frontend", "--seed", "1", "--json", out2, incident); code != 0 {
		t.Fatalf("frontend exit %d\n%s", code, out)
	}
	for _, v := range readRuns(t, out2)[0].Verdicts {
		if v.Status != "pass" {
			t.Fatalf("frontend %s %s", v.ID, v.Status)
		}
	}
}

// Two runs with the same seed print the same trace hash; another seed prints another.
func TestSameSeedSameTraceHash(t *testing.T) {
	smoke := filepath.Join(root, "scenarios", "smoke.yaml")
	re := regexp.MustCompile(`trace_hash=([0-9a-f]{64})`)
	hashes := func(seed string) []string {
		_, out, _ := simrun(t, "run", "--seed", seed, smoke)
		var hs []string
		for _, m := range re.FindAllStringSubmatch(out, -1) {
			hs = append(hs, m[1])
		}
		// smoke names the three modes of record: frontend, platform, additive.
		if len(hs) != 3 {
			t.Fatalf("want three runs, got %q", out)
		}
		return hs
	}
	a, b, c := hashes("5"), hashes("5"), hashes("6")
	if !slices.Equal(a, b) {
		t.Fatalf("same seed, different hashes: %v %v", a, b)
	}
	if a[0] == c[0] {
		t.Fatal("different seeds, same hash")
	}
}

// An expected failure that does not happen is an xpass: exit 1.
func TestXPassFails(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join(root, "scenarios", "smoke.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(src), "  frontend: []", "  frontend: [P1]", 1)
	path := filepath.Join(dir, "xpass.yaml")
	os.WriteFile(path, []byte(bad), 0o644)
	code, out, _ := simrun(t, "run", "--mode", "frontend", path)
	if code != 1 || !strings.Contains(out, "xpass") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}

// Exit 2 when only inconclusive verdicts stand in the way.
func TestInconclusiveExitsTwo(t *testing.T) {
	code, out, _ := simrun(t, "run", filepath.Join(root, "sim", "world", "testdata", "budget.yaml"))
	if code != 2 || !strings.Contains(out, "inconclusive") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}

// Exit 3 for usage and input errors, naming the file, line and field, and never echoing a secret.
func TestUsageErrorsExitThree(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("name: bad\nsite:\n  name: x\ncontent:\n  keys:\n    master: [s3cr3t-master-0000]\ninstances: {count: 1}\nsettle: 1x\nmodes: [frontend]\n"), 0o644)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"run", bad}, "bad.yaml:"},
		{[]string{"run", "--mode", "sideways", filepath.Join(root, "scenarios", "smoke.yaml")}, "unknown mode"},
		{[]string{"run", filepath.Join(dir, "missing.yaml")}, "missing.yaml"},
		{[]string{"run", "--runs", "0", filepath.Join(root, "scenarios", "smoke.yaml")}, "--runs"},
		{[]string{"run"}, "requires at least 1 arg"},
		{[]string{"run", "--bogus", "x"}, "unknown flag"},
		{[]string{"fly"}, "unknown command"},
	}
	for _, c := range cases {
		code, out, errOut := simrun(t, c.args...)
		if code != 3 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want 3 and %q", c.args, code, errOut, c.want)
		}
		if strings.Contains(out+errOut, "s3cr3t-master-0000") {
			t.Errorf("%v: secret echoed", c.args)
		}
	}
	_, _, errOut := simrun(t, "run", bad)
	if !regexp.MustCompile(`bad\.yaml:6:\d+: content\.keys\.master`).MatchString(errOut) || !strings.Contains(errOut, "settle") {
		t.Errorf("errors should name line 6's content.keys.master and the settle field: %s", errOut)
	}
}

// PAY-4 / P11: the smoke scenario's planted master key appears in no output of a run.
func TestPlantedSecretNeverPrinted(t *testing.T) {
	dir := t.TempDir()
	js := filepath.Join(dir, "out.json")
	_, out, errOut := simrun(t, "run", "--mode", "all", "--json", js, filepath.Join(root, "scenarios"))
	data, _ := os.ReadFile(js)
	for _, text := range []string{out, errOut, string(data)} {
		if strings.Contains(text, "s3cr3t-master-0000") {
			t.Fatal("the planted master key was printed")
		}
	}
}

// A panic in a command is an internal error: exit 4, "simrun: internal error: <value>" and a short
// stack from the panic on, never Go's exit 2. A sweep worker's panic, raised again on the command's
// goroutine as a *sweep.WorkerPanic, shows the worker's stack and the run that panicked.
func TestPanicIsAnInternalError(t *testing.T) {
	workerStack := "goroutine 7 [running]:\nruntime/debug.Stack()\n\t/go/debug.go:1\npanic({0x1, 0x2})\n\t/go/panic.go:2\n" +
		"github.com/syncsim/syncsim/sim.(*Kernel).Run()\n\t/src/sim/kernel.go:99\n"
	cases := []struct {
		name  string
		value any
		want  []string
	}{
		{"string", "planted panic", []string{"simrun: internal error: planted panic\ngoroutine ", "main_test.go:", "not a problem with the input"}},
		{"error", errors.New("planted error"), []string{"simrun: internal error: planted error\n"}},
		{"sweep worker", &sweep.WorkerPanic{Value: "planted in a worker", Stack: []byte(workerStack), Scenario: "s.yaml", Mode: "platform", Seed: 9},
			[]string{"simrun: internal error: planted in a worker (in a sweep worker: s.yaml mode=platform seed=9)\ngoroutine 7 [running]:\ngithub.com/syncsim/syncsim/sim.(*Kernel).Run()\n\t/src/sim/kernel.go:99\n"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := newRoot(io.Discard)
			// Registered only here: a command that panics.
			root.AddCommand(&cobra.Command{Use: "planted-panic", RunE: func(*cobra.Command, []string) error { panic(c.value) }})
			var out, errOut bytes.Buffer
			code := runRoot(root, []string{"planted-panic"}, &out, &errOut)
			if code != runner.ExitInternal {
				t.Fatalf("exit %d, want 4\n%s", code, errOut.String())
			}
			for _, want := range c.want {
				if !strings.Contains(errOut.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, errOut.String())
				}
			}
			if strings.Contains(errOut.String(), "runtime/debug.Stack") || strings.Count(errOut.String(), "\n") > 2*maxStackFrames+4 {
				t.Errorf("the stack is not cut to the frames from the panic on:\n%s", errOut.String())
			}
		})
	}
	// The commands of the real tree still answer with their own codes.
	if code, _, _ := simrun(t, "list", "modes"); code != 0 {
		t.Fatalf("list modes: exit %d", code)
	}
	if runner.ExitInternal != 4 {
		t.Fatalf("ExitInternal is %d; DESIGN.md says 4", runner.ExitInternal)
	}
}

// shortStack keeps the goroutine line and at most the given frames after the runtime's panic frame.
func TestShortStack(t *testing.T) {
	var b strings.Builder
	b.WriteString("goroutine 1 [running]:\nruntime/debug.Stack()\n\t/d.go:1\nmain.recoverer()\n\t/m.go:2\npanic({0x0})\n\t/p.go:3\n")
	for i := range 20 {
		fmt.Fprintf(&b, "main.f%d()\n\t/m.go:%d\n", i, 10+i)
	}
	got := shortStack([]byte(b.String()), 3)
	want := "goroutine 1 [running]:\nmain.f0()\n\t/m.go:10\nmain.f1()\n\t/m.go:11\nmain.f2()\n\t/m.go:12\n\t...\n"
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if got := shortStack([]byte("goroutine 1 [running]:\nmain.g()\n\t/m.go:1\n"), 3); got != "goroutine 1 [running]:\nmain.g()\n\t/m.go:1\n" {
		t.Fatalf("a stack without a panic frame: %q", got)
	}
}
