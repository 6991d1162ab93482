package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type sweepReport struct {
	Seeds struct {
		From      uint64 `json:"from"`
		To        uint64 `json:"to"`
		CoveredTo uint64 `json:"covered_to"`
	} `json:"seeds"`
	Matrix []struct {
		Scenario            string  `json:"scenario"`
		Property            string  `json:"property"`
		Mode                string  `json:"mode"`
		Pass                int     `json:"pass"`
		Fail                int     `json:"fail"`
		SmallestFailingSeed *uint64 `json:"smallest_failing_seed"`
		Replay              string  `json:"replay"`
	} `json:"matrix"`
	Shard *shardField `json:"shard"`
	Runs  int         `json:"runs"`
	Exit  int         `json:"exit"`
}

type shardField struct {
	Index int    `json:"index"`
	Count int    `json:"count"`
	From  uint64 `json:"from"`
	To    uint64 `json:"to"`
}

var (
	smokePath    = filepath.Join(root, "scenarios", "smoke.yaml")
	incidentPath = filepath.Join(root, "scenarios", "incidents", "worker-deleted-before-fetch.yaml")
)

// The matrix end to end: --raw makes the incident's platform P1/P4 fail from the first seed; the exit
// code, the text tables and the JSON report agree.
func TestSweepMatrix(t *testing.T) {
	t.Setenv("CI", "") // the progress notes this test reads are written outside CI (TestSweepQuietUnderCI holds both)
	dir := t.TempDir()
	js, runsPath := filepath.Join(dir, "matrix.json"), filepath.Join(dir, "runs.json")
	code, out, errOut := simrun(t, "sweep", "--seeds", "2-4", "--raw", "--workers", "2", "--matrix", js, "--json", runsPath, smokePath, incidentPath)
	if code != 1 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"frontend", "platform", "P1   MUST   eventual-convergence", "fail 3 (seed 2)",
		"simrun run --mode platform --seed 2 --raw " + incidentPath, "24 runs, ", "; exit 1"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "first fail at seed 2") {
		t.Errorf("no progress on stderr: %q", errOut)
	}
	data, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	var rep sweepReport
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if runs := readRuns(t, runsPath); len(runs) != 24 || runs[0].Seed != 2 || runs[23].Seed != 4 {
		t.Fatalf("runs array: %d runs", len(runs))
	}
	if rep.Exit != 1 || rep.Runs != 24 || rep.Seeds.From != 2 || rep.Seeds.To != 4 || rep.Seeds.CoveredTo != 4 {
		t.Fatalf("report %+v", rep)
	}
	found := 0
	for _, c := range rep.Matrix {
		if c.Scenario == incidentPath && c.Mode == "platform" && (c.Property == "P1" || c.Property == "P4") {
			found++
			if c.Fail != 3 || c.SmallestFailingSeed == nil || *c.SmallestFailingSeed != 2 || !strings.Contains(c.Replay, "--seed 2") {
				t.Errorf("%+v", c)
			}
		}
	}
	if found != 2 {
		t.Fatalf("P1/P4 platform cells: %d", found)
	}
}

// With the scenarios' expectations the incident's failures are xfails: exit 0. A single seed is a
// range of one.
func TestSweepAsExpected(t *testing.T) {
	code, out, errOut := simrun(t, "sweep", "--seeds", "3", filepath.Join(root, "scenarios"))
	if code != 0 || !strings.Contains(out, "xfail 1 (seed 3)") || !strings.Contains(out, "(expected)") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
}

// --max-time stops dispatching new seeds; the first seed always runs and the report says what was
// covered.
func TestSweepMaxTime(t *testing.T) {
	code, out, errOut := simrun(t, "sweep", "--seeds", "1-100000", "--max-time", "1ns", "--workers", "1", smokePath)
	if code != 0 || !strings.Contains(out, "covered seeds 1-1 of 1-100000 (stopped by --max-time)") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
}

// --shard i/n sweeps only shard i's block of the seeds; the report names the shard, the whole range
// and the seeds covered.
func TestSweepShard(t *testing.T) {
	js := filepath.Join(t.TempDir(), "shard.json")
	code, out, errOut := simrun(t, "sweep", "--seeds", "1-9", "--shard", "2/4", "--raw", "--matrix", js, incidentPath)
	if code != 1 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"worker-deleted-before-fetch), seeds 4-5\n", "fail 2 (seed 4)", "--seed 4 --raw", "shard 2/4: seeds 4-5 of 1-9"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	var rep sweepReport
	data, _ := os.ReadFile(js)
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Seeds.From != 1 || rep.Seeds.To != 9 || rep.Seeds.CoveredTo != 5 || rep.Shard == nil || *rep.Shard != (shardField{2, 4, 4, 5}) {
		t.Fatalf("report %+v shard %+v", rep.Seeds, rep.Shard)
	}
}

// Exit 3 for bad seed ranges and other usage errors, with a message that says what is wrong.
func TestSweepUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"sweep", "--seeds", "9-3", smokePath}, "ends before it starts"},
		{[]string{"sweep", "--seeds", "one-3", smokePath}, `"one" is not a seed number`},
		{[]string{"sweep", "--seeds", "1-x", smokePath}, `"x" is not a seed number`},
		{[]string{"sweep", smokePath}, `required flag(s) "seeds"`},
		{[]string{"sweep", "--seeds", "1"}, "requires at least 1 arg"},
		{[]string{"sweep", "--seeds", "1", "--mode", "sideways", smokePath}, "unknown mode"},
		{[]string{"sweep", "--seeds", "1", "--workers", "-2", smokePath}, "--workers"},
		{[]string{"sweep", "--seeds", "1", "--max-time", "soon", smokePath}, "--max-time"},
		{[]string{"sweep", "--seeds", "1", filepath.Join(t.TempDir(), "missing.yaml")}, "missing.yaml"},
		{[]string{"sweep", "--seeds", "1-9", "--shard", "0/3", smokePath}, `--shard "0/3": the index must be from 1 to 3`},
		{[]string{"sweep", "--seeds", "1-9", "--shard", "4/3", smokePath}, `--shard "4/3": the index must be from 1 to 3`},
		{[]string{"sweep", "--seeds", "1-9", "--shard", "x", smokePath}, `--shard "x": no "/"`},
		{[]string{"sweep", "--seeds", "1-2", "--shard", "1/3", smokePath}, "fewer than 3 shards"},
	}
	for _, c := range cases {
		code, _, errOut := simrun(t, c.args...)
		if code != 3 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want 3 and %q", c.args, code, errOut, c.want)
		}
	}
}

// `run --strategy` and `--fault` are accepted and carried into the replay command of a failing run.
func TestRunStrategyAndFaultsInReplay(t *testing.T) {
	js := filepath.Join(t.TempDir(), "run.json")
	code, out, errOut := simrun(t, "run", "--raw", "--mode", "platform", "--seed", "4", "--strategy", "random",
		"--fault", "fe-status:status=503", "--fault", "fe-timeout:p=0.5", "--json", js, incidentPath)
	if code != 1 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	want := "simrun run --mode platform --seed 4 --strategy random --fault fe-status:status=503 --fault fe-timeout:p=0.5 --raw " + incidentPath
	if !strings.Contains(out, "replay: "+want) {
		t.Fatalf("replay lacks %q:\n%s", want, out)
	}
	data, _ := os.ReadFile(js)
	var runs []struct {
		Replay string `json:"replay"`
	}
	if err := json.Unmarshal(data, &runs); err != nil || len(runs) != 1 || runs[0].Replay != want {
		t.Fatalf("%v %+v", err, runs)
	}
}

// Under CI=true a sweep prints no progress: neither the progress line nor its notes (`sweep: seeds
// ... done`, `first fail at seed N`); its results (the matrix on stdout, the exit code) are those of
// the same sweep outside CI, which prints the notes on stderr.
func TestSweepQuietUnderCI(t *testing.T) {
	args := []string{"sweep", "--seeds", "2-3", "--raw", "--workers", "1", "--mode", "platform", incidentPath}
	t.Setenv("CI", "false")
	code, out, errOut := simrun(t, args...)
	if code != 1 || !strings.Contains(errOut, "first fail at seed 2") || !strings.Contains(errOut, "sweep: seeds 2-3 done") {
		t.Fatalf("outside CI: exit %d, want 1 with progress notes on stderr\n%s", code, errOut)
	}
	t.Setenv("CI", "true")
	ciCode, ciOut, ciErr := simrun(t, args...)
	if ciCode != code || ciOut != out {
		t.Errorf("under CI the results differ: exit %d (want %d)\n%s\nwant\n%s", ciCode, code, ciOut, out)
	}
	if strings.Contains(ciErr, "sweep: ") || strings.Contains(ciErr, "\r") || strings.Contains(ciErr, "runs/s") {
		t.Errorf("under CI=true the sweep printed progress: %q", ciErr)
	}
}
