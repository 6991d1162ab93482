package sweep

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/syncsim/syncsim/runner"
)

func text(r *Report) string {
	var b bytes.Buffer
	r.WriteText(&b)
	return b.String()
}

// withoutShard is the report's JSON with the shard field dropped.
func withoutShard(t *testing.T, r *Report) string {
	t.Helper()
	c := *r
	c.Shard = nil
	js, err := c.JSON()
	if err != nil {
		t.Fatal(err)
	}
	return string(js)
}

// shardFiles sweeps each shard of cfg and writes its matrix report to a file, as n machines would.
func shardFiles(t *testing.T, cfg Config, n int) []ShardReport {
	t.Helper()
	dir := t.TempDir()
	var out []ShardReport
	for i := 1; i <= n; i++ {
		cfg.Shard = Shard{i, n}
		rep := sweep(t, cfg)
		file := filepath.Join(dir, fmt.Sprintf("shard%d.json", i))
		if err := rep.WriteJSON(file); err != nil {
			t.Fatal(err)
		}
		read, err := ReadReport(file)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ShardReport{file, read})
	}
	return out
}

// clone deep-copies a report through its JSON, so a test can tamper with it.
func clone(t *testing.T, r *Report) *Report {
	t.Helper()
	js, err := r.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var c Report
	if err := json.Unmarshal(js, &c); err != nil {
		t.Fatal(err)
	}
	return &c
}

// Four shards of seeds 1-9 (3, 2, 2 and 2 seeds), merged in any order, give the report of one
// unsharded sweep: the same text byte for byte and the same JSON but for the shard field.
func TestMergeEqualsUnsharded(t *testing.T) {
	cfg := Config{Scenarios: load(t, smoke, incident), Seeds: Range{1, 9}, Raw: true, Workers: 2}
	whole := sweep(t, cfg)
	shards := shardFiles(t, cfg, 4)
	if s := shards[1].Report; s.Shard == nil || *s.Shard != (ShardInfo{2, 4, 4, 5}) || s.Seeds.CoveredTo != 5 || s.Seeds.From != 1 || s.Seeds.To != 9 || s.CutShort() {
		t.Fatalf("shard 2: %+v %+v", s.Shard, s.Seeds)
	}
	if got := text(shards[1].Report); !strings.Contains(got, "seeds 4-5\n") || !strings.Contains(got, "shard 2/4: seeds 4-5 of 1-9") {
		t.Fatalf("shard 2's text:\n%s", got)
	}
	if !strings.Contains(withoutShard(t, whole), `"sha256": "`) || strings.Contains(withoutShard(t, whole), `"sha256": ""`) {
		t.Fatal("no scenario SHA-256 in the report")
	}
	shuffled := []ShardReport{shards[2], shards[0], shards[3], shards[1]}
	merged, err := Merge(shuffled)
	if err != nil {
		t.Fatal(err)
	}
	if merged.Shard != nil {
		t.Fatal("a merge of every shard has a shard field")
	}
	if got, want := text(merged), text(whole); got != want {
		t.Fatalf("text differs:\n%s\n--- unsharded:\n%s", got, want)
	}
	if got, want := withoutShard(t, merged), withoutShard(t, whole); got != want {
		t.Fatalf("JSON differs:\n%s\n--- unsharded:\n%s", got, want)
	}
	if whole.Exit != runner.ExitFailed || !strings.Contains(text(merged), "fail 9 (seed 1)") {
		t.Fatalf("exit %d\n%s", whole.Exit, text(merged))
	}
}

// A shard cut short by --max-time: the merge says which seeds are missing. When only the last
// shard was cut short the merge is what an unsharded sweep cut short at the same seed reports.
func TestMergeIncomplete(t *testing.T) {
	scs := load(t, smoke, incident)
	cfg := Config{Scenarios: scs, Seeds: Range{1, 9}, Raw: true, Workers: 1}
	cut := func(shard Shard, budget time.Duration) ShardReport {
		c := cfg
		c.Shard, c.MaxTime, c.Clock = shard, budget, (&fakeClock{}).read
		return ShardReport{fmt.Sprintf("shard%d.json", shard.Index), sweep(t, c)}
	}
	cfg.Shard = Shard{1, 2}
	first := ShardReport{"shard1.json", sweep(t, cfg)}

	// Shard 2/2 (seeds 6-9) covers 6-7; an unsharded sweep stopped after seed 7 is the same.
	second := cut(Shard{2, 2}, 2*time.Second)
	if s := second.Report; s.Seeds.CoveredTo != 7 || len(s.Seeds.Missing) != 1 || s.Seeds.Missing[0] != (Range{8, 9}) {
		t.Fatalf("shard 2: %+v", s.Seeds)
	}
	merged, err := Merge([]ShardReport{first, second})
	if err != nil {
		t.Fatal(err)
	}
	c := cfg
	c.Shard, c.MaxTime, c.Clock = Shard{}, 7*time.Second, (&fakeClock{}).read
	whole := sweep(t, c)
	if text(merged) != text(whole) || withoutShard(t, merged) != withoutShard(t, whole) {
		t.Fatalf("merge:\n%s\n--- unsharded:\n%s", text(merged), text(whole))
	}
	if !strings.Contains(text(merged), "covered seeds 1-7 of 1-9 (stopped by --max-time)\nincomplete: seeds 8-9 missing\n") {
		t.Fatalf("text:\n%s", text(merged))
	}

	// Shard 1/2 (seeds 1-5) covers 1-1: a gap in the middle.
	merged, err = Merge([]ShardReport{cut(Shard{1, 2}, time.Second), second})
	if err != nil {
		t.Fatal(err)
	}
	want := Seeds{From: 1, To: 9, CoveredTo: 1, StoppedBy: "max-time", Missing: []Range{{2, 5}, {8, 9}}}
	js, _ := json.Marshal(merged.Seeds)
	wantJS, _ := json.Marshal(want)
	if !bytes.Equal(js, wantJS) || merged.Runs != 3*(len(scs[0].Modes)+len(scs[1].Modes)) || merged.Exit != runner.ExitFailed {
		t.Fatalf("seeds %s, runs %d, exit %d", js, merged.Runs, merged.Exit)
	}
	for _, line := range []string{"seeds 1, 6-7\n", "covered seeds 1-1, 6-7 of 1-9 (stopped by --max-time)\n", "incomplete: seeds 2-5, 8-9 missing\n", "fail 3 (seed 1)"} {
		if !strings.Contains(text(merged), line) {
			t.Errorf("text lacks %q:\n%s", line, text(merged))
		}
	}
}

// The smallest failing seed of a merged cell is the smallest over the shards, with its replay; the
// counts add up; the exit code comes from the cells.
func TestMergeCells(t *testing.T) {
	seed := func(n uint64) *uint64 { return &n }
	shard := func(i int, from, to uint64, cells ...Cell) ShardReport {
		r := &Report{
			Scenarios: []ScenarioInfo{{Path: "a.yaml", Name: "a", SHA256: "ab", Modes: []string{"platform"}, SeedsCovered: to - from + 1}},
			Seeds:     Seeds{From: 1, To: 6, CoveredTo: to}, Shard: &ShardInfo{i, 3, from, to},
			Matrix: cells, Runs: int(to - from + 1),
		}
		return ShardReport{fmt.Sprintf("s%d.json", i), r}
	}
	c := func(pass, fail int, s *uint64, replay string) Cell {
		return Cell{Scenario: "a.yaml", Property: "P6", Name: "bounded-fetches", Mode: "platform", Level: "SHOULD", Pass: pass, Fail: fail, SmallestFailingSeed: s, Replay: replay}
	}
	merged, err := Merge([]ShardReport{
		shard(3, 5, 6, c(0, 2, seed(5), "r5")),
		shard(1, 1, 2, c(2, 0, nil, "")),
		shard(2, 3, 4, c(1, 1, seed(4), "r4")),
	})
	if err != nil {
		t.Fatal(err)
	}
	got := merged.Matrix[0]
	if len(merged.Matrix) != 1 || got.Pass != 3 || got.Fail != 3 || *got.SmallestFailingSeed != 4 || got.Replay != "r4" || merged.Runs != 6 {
		t.Fatalf("%+v", merged)
	}
	if merged.Exit != runner.ExitOK { // a SHOULD failure gates only with --strict
		t.Fatalf("exit %d", merged.Exit)
	}
}

// exitFromCells is runner.ExitCode over the runs the cells count.
func TestExitFromCells(t *testing.T) {
	cases := []struct {
		cell   Cell
		strict bool
		want   int
	}{
		{Cell{Level: "MUST", Pass: 3}, false, runner.ExitOK},
		{Cell{Level: "MUST", Fail: 1}, false, runner.ExitFailed},
		{Cell{Level: "MAY", XPass: 1}, false, runner.ExitFailed},
		{Cell{Level: "SHOULD", Fail: 1}, false, runner.ExitOK},
		{Cell{Level: "SHOULD", Fail: 1}, true, runner.ExitFailed},
		{Cell{Level: "MUST", Inconclusive: 1}, false, runner.ExitInconclusive},
		{Cell{Level: "SHOULD", Inconclusive: 1}, false, runner.ExitOK},
		{Cell{Level: "MUST", XFail: 2}, false, runner.ExitOK},
	}
	for _, c := range cases {
		if got := exitFromCells([]Cell{c.cell}, c.strict); got != c.want {
			t.Errorf("%+v strict=%t: exit %d, want %d", c.cell, c.strict, got, c.want)
		}
	}
	// A failure beats an inconclusive, in either order.
	inconclusive, fail := Cell{Level: "MUST", Inconclusive: 1}, Cell{Level: "MUST", Fail: 1}
	if exitFromCells([]Cell{inconclusive, fail}, false) != runner.ExitFailed || exitFromCells([]Cell{fail, inconclusive}, false) != runner.ExitFailed {
		t.Error("a failure does not beat an inconclusive")
	}
}

// Merge refuses shards of different sweeps, naming the file and what differs.
func TestMergeRefusesMismatches(t *testing.T) {
	cfg := Config{Scenarios: load(t, smoke, incident), Seeds: Range{1, 3}, Workers: 2}
	shards := shardFiles(t, cfg, 3)
	cases := []struct {
		name   string
		tamper func(r *Report)
		want   string
	}{
		{"range", func(r *Report) { r.Seeds.To = 4 }, "seeds 1-4, but "},
		{"count", func(r *Report) { r.Shard.Count = 4 }, "4 shards, but "},
		{"strategy", func(r *Report) { r.Strategy = "pct" }, `--strategy "pct", but `},
		{"faults", func(r *Report) { r.Faults = []string{"fe-timeout"} }, `--fault ["fe-timeout"], but `},
		{"raw", func(r *Report) { r.Raw = true }, "--raw=true, but "},
		{"strict", func(r *Report) { r.Strict = true }, "--strict=true, but "},
		{"mode", func(r *Report) { r.Mode = "all" }, `--mode "all", but `},
		{"scenarios", func(r *Report) { r.Scenarios = r.Scenarios[:1] }, "scenarios ["},
		{"sha", func(r *Report) { r.Scenarios[1].SHA256 = strings.Repeat("0", 64) }, "smoke.yaml has SHA-256 0000"},
		{"modes", func(r *Report) { r.Scenarios[0].Modes = []string{"frontend"} }, "ran modes frontend, but "},
		{"block", func(r *Report) { r.Shard.To = 3 }, "covers seeds 2-3, but its block is 2"},
		{"runs", func(r *Report) { r.Runs++ }, "runs, but its scenarios, modes and seeds make"},
		{"level", func(r *Report) { r.Matrix[0].Level = "MAY" }, "is MAY "},
	}
	for _, c := range cases {
		bad := clone(t, shards[1].Report)
		c.tamper(bad)
		_, err := Merge([]ShardReport{shards[0], {"tampered.json", bad}, shards[2]})
		if !errors.Is(err, ErrShardMismatch) || !strings.Contains(err.Error(), "tampered.json: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	// Shards of a different range, as another machine would sweep them.
	other := cfg
	other.Seeds, other.Shard = Range{1, 4}, Shard{3, 3}
	_, err := Merge([]ShardReport{shards[0], shards[1], {"other-range.json", sweep(t, other)}})
	if !errors.Is(err, ErrShardMismatch) || !strings.Contains(err.Error(), "other-range.json: seeds 1-4, but ") {
		t.Errorf("other range: %v", err)
	}
	copied := ShardReport{"copy.json", shards[1].Report}
	if _, err := Merge([]ShardReport{shards[0], shards[1], copied, shards[2]}); !errors.Is(err, ErrShardMismatch) || !strings.Contains(err.Error(), "copy.json: shard 2/3 is also given as "+shards[1].File) {
		t.Errorf("duplicate shard: %v", err)
	}
	if _, err := Merge([]ShardReport{shards[0], shards[2]}); err == nil || !strings.Contains(err.Error(), "shard 2 of 3 missing") {
		t.Errorf("missing shard: %v", err)
	}
	whole := sweep(t, cfg)
	if _, err := Merge([]ShardReport{{"whole.json", whole}}); err == nil || !strings.Contains(err.Error(), "whole.json is not a shard's report") {
		t.Errorf("unsharded report: %v", err)
	}
	if _, err := Merge(nil); err == nil {
		t.Error("no reports merged")
	}
}

func TestReadReportErrors(t *testing.T) {
	dir := t.TempDir()
	runs := filepath.Join(dir, "runs.json")
	if err := os.WriteFile(runs, []byte("[]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadReport(runs); err == nil || !strings.Contains(err.Error(), "runs.json: not a matrix report") {
		t.Errorf("runs array: %v", err)
	}
	if _, err := ReadReport(filepath.Join(dir, "absent.json")); err == nil || !strings.Contains(err.Error(), "absent.json") {
		t.Errorf("absent file: %v", err)
	}
}

// Execute sweeps only the shard's block; a bad --shard is a usage error.
func TestExecuteShard(t *testing.T) {
	var out bytes.Buffer
	code, err := Execute(Job{Paths: []string{filepath.Join(repoRoot(t), smoke)}, Seeds: "1-9", Shard: "4/4"}, &out, nil)
	if err != nil || code != runner.ExitOK || !strings.Contains(out.String(), "seeds 8-9\n") || !strings.Contains(out.String(), "shard 4/4: seeds 8-9 of 1-9") {
		t.Fatalf("exit %d, %v\n%s", code, err, out.String())
	}
	for _, bad := range []struct{ seeds, shard, want string }{{"1-9", "0/3", "from 1 to 3"}, {"1-9", "4/3", "from 1 to 3"}, {"1-9", "x", `no "/"`}, {"1-2", "1/3", "fewer than 3 shards"}} {
		code, err := Execute(Job{Paths: []string{filepath.Join(repoRoot(t), smoke)}, Seeds: bad.seeds, Shard: bad.shard}, &out, nil)
		var usage *runner.UsageError
		if code != runner.ExitUsage || !errors.As(err, &usage) || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("--shard %s: exit %d, %v", bad.shard, code, err)
		}
	}
}
