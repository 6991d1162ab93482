package sweep

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The one-sided Fisher exact test against exact values: Fisher's tea-tasting table (17/70) and
// hypergeometric tails computed with exact rational arithmetic (Python's fractions and math.comb).
func TestFisherKnownValues(t *testing.T) {
	tests := []struct {
		k, n, k0, n0  int
		greater, less float64
	}{
		{3, 4, 1, 4, 0.24285714285714285, 0.9857142857142858},
		{1, 200, 0, 2000, 0.09090909090909091, 1},
		{10, 200, 20, 2000, 0.00018297934503469547, 0.9999689201313329},
		{24, 200, 100, 2000, 0.00019642398084936902, 0.9999293032256904},
		{40, 200, 100, 2000, 4.008000236221797e-12, 0.9999999999991854},
		{0, 200, 100, 2000, 1, 5.751842497071415e-05},
		{5, 200, 50, 2000, 0.5700313220138022, 0.6163146111011775},
		{200, 200, 0, 2000, 2.918662258699929e-290, 1},
	}
	for _, tc := range tests {
		g, l := FisherGreater(tc.k, tc.n, tc.k0, tc.n0), FisherLess(tc.k, tc.n, tc.k0, tc.n0)
		if !near(g, tc.greater) || !near(l, tc.less) {
			t.Errorf("%d/%d vs %d/%d: greater %.6g less %.6g, want %.6g and %.6g", tc.k, tc.n, tc.k0, tc.n0, g, l, tc.greater, tc.less)
		}
	}
	for _, bad := range [][4]int{{-1, 10, 0, 10}, {11, 10, 0, 10}, {0, 10, 5, 4}} {
		if p := FisherGreater(bad[0], bad[1], bad[2], bad[3]); p != 1 {
			t.Errorf("counts %v out of range gave p=%v, want 1", bad, p)
		}
	}
}

// near compares p-values to a relative 1e-9 (log-gamma arithmetic), absolutely near zero.
func near(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(b), 1e-300) || math.Abs(a-b) < 1e-300
}

func judgeCell(property, level string, pass, fail, inc int, seeds ...uint64) Cell {
	c := Cell{Scenario: "s.yaml", Property: property, Name: property, Mode: "platform", Level: level, Pass: pass, Fail: fail, Inconclusive: inc, FailingSeeds: seeds}
	if len(seeds) > 0 {
		c.SmallestFailingSeed, c.Replay = &seeds[0], "simrun run --mode platform --seed 1 s.yaml"
	}
	return c
}

// Judge: per cell a status from the counts; the exit code from the gating cells.
func TestJudgeAgainstBaseline(t *testing.T) {
	base := BaselineScenario{Name: "s", Cells: []BaselineCell{
		{Mode: "platform", Property: "P1", Level: "MUST", Runs: 2000, Failures: 100},
		{Mode: "platform", Property: "P2", Level: "MUST", Runs: 2000, Failures: 0},
		{Mode: "platform", Property: "P4", Level: "MUST", Runs: 2000, Failures: 100},
		{Mode: "platform", Property: "P5", Level: "SHOULD", Runs: 2000, Failures: 0},
		{Mode: "platform", Property: "P6", Level: "MUST", Runs: 2000, Failures: 0, Inconclusive: 0},
	}}
	tests := []struct {
		name   string
		cell   Cell
		strict bool
		status string
		exit   int
	}{
		{"as often as the baseline", judgeCell("P1", "MUST", 190, 10, 0, 3, 9), false, "within", 0},
		{"significantly more often", judgeCell("P1", "MUST", 160, 40, 0, 2, 4, 6, 7, 8), false, "regression", 1},
		{"a little more often", judgeCell("P1", "MUST", 186, 14, 0, 2), false, "within", 0},
		{"never failed in the baseline", judgeCell("P2", "MUST", 199, 1, 0, 77), false, "new-failure", 1},
		{"absent from the baseline", judgeCell("P14", "MUST", 199, 1, 0, 5), false, "new-failure", 1},
		{"a SHOULD cell does not gate", judgeCell("P5", "SHOULD", 199, 1, 0, 5), false, "new-failure", 0},
		{"a SHOULD cell gates with --strict", judgeCell("P5", "SHOULD", 199, 1, 0, 5), true, "new-failure", 1},
		{"fails much less often", judgeCell("P4", "MUST", 200, 0, 0), false, "improvement", 0},
		{"inconclusive where the baseline never was", judgeCell("P6", "MUST", 199, 0, 1), false, "inconclusive", 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &Report{Matrix: []Cell{tc.cell}, Strict: tc.strict, Baselines: []AppliedBaseline{{Scenario: "s.yaml", File: "s.baseline.json", Cells: base}}}
			r.Judge()
			status := "within"
			if len(r.Comparisons) == 1 {
				status = r.Comparisons[0].Status
			}
			if status != tc.status || r.Exit != tc.exit {
				t.Fatalf("status %s exit %d, want %s exit %d (%+v)", status, r.Exit, tc.status, tc.exit, r.Comparisons)
			}
		})
	}
}

// Bonferroni: the per-cell level is alpha over the cells compared, so the same counts that regress
// alone stay within among many cells; the text names the cell, counts, p-value, seeds and replay.
func TestJudgeThresholdAndText(t *testing.T) {
	base := BaselineScenario{Name: "s", Cells: []BaselineCell{{Mode: "platform", Property: "P1", Level: "MUST", Runs: 2000, Failures: 100}}}
	regress := judgeCell("P1", "MUST", 176, 24, 0, 2, 4, 6) // p = 1.96e-4
	one := &Report{Matrix: []Cell{regress}, Baselines: []AppliedBaseline{{Scenario: "s.yaml", Cells: base}}, Alpha: 0.001}
	one.Judge()
	if one.Exit != 1 || one.Comparisons[0].Threshold != 0.001 {
		t.Fatalf("alone: exit %d, %+v", one.Exit, one.Comparisons)
	}
	many := &Report{Matrix: []Cell{regress}, Baselines: one.Baselines, Alpha: 0.001}
	for i := 0; i < 9; i++ {
		c := judgeCell("P1", "MUST", 200, 0, 0)
		c.Mode = "frontend"
		c.Property = "P" + string(rune('2'+i))
		many.Matrix = append(many.Matrix, c)
	}
	many.Judge()
	if many.Exit != 0 {
		t.Fatalf("among 10 cells (p < 1e-4 each): exit %d, %+v", many.Exit, many.Comparisons)
	}
	var out bytes.Buffer
	one.WriteText(&out)
	for _, want := range []string{"alpha 0.001 over the cells: p < 0.001 per cell", "REGRESSION s.yaml P1 platform: failed 24 of 200 runs, baseline 100 of 2000, p=0.000196", "first failing seeds 2, 4, 6", "simrun run --mode platform --seed 1 s.yaml", "exit 1"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, out.String())
		}
	}
}

// Bad baseline files are refused with the file (and line) named and the fix.
func TestReadBaselineRefusesBadFiles(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ name, text, want string }{
		{"syntax", "{\n  \"format\": 1,\n  \"seeds\": {,\n}", "bad.json:3"},
		{"format", `{"format": 9, "scenarios": []}`, "format 9; this build reads format 1"},
		{"counts", `{"format": 1, "scenarios": [{"name": "s", "cells": [{"mode": "platform", "property": "P1", "runs": 3, "failures": 4}]}]}`, "need 0 <= failures + inconclusive <= runs"},
		{"mode", `{"format": 1, "scenarios": [{"name": "s", "cells": [{"mode": "sideways", "property": "P1", "runs": 3}]}]}`, "sideways"},
		{"twice", `{"format": 1, "scenarios": [{"name": "s", "cells": [{"mode": "platform", "property": "P1", "runs": 3}, {"mode": "platform", "property": "P1", "runs": 3}]}]}`, "given twice"},
		{"unknown field", `{"format": 1, "colour": "red"}`, "unknown field"},
	}
	for _, tc := range tests {
		path := filepath.Join(dir, "bad.json")
		if err := os.WriteFile(path, []byte(tc.text), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := ReadBaseline(path)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "bad.json") {
			t.Errorf("%s: error %v, want one naming bad.json and %q", tc.name, err, tc.want)
		}
	}
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(big, bytes.Repeat([]byte(" "), MaxBaselineBytes+1), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadBaseline(big); err == nil || !strings.Contains(err.Error(), "MaxBaselineBytes") {
		t.Errorf("oversize file: %v", err)
	}
	if _, err := ReadBaseline(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a directory: %v", err)
	}
}

// A real sweep: recorded as a baseline over seeds 1-30, a sweep of seeds 1-10 with the same settings
// is within it (exit 0) although cells fail; merged from shards it keeps that verdict; without the
// baseline the same sweep exits 1.
func TestSweepAgainstItsBaseline(t *testing.T) {
	scs := load(t, incident)
	cfg := Config{Scenarios: scs, Seeds: Range{1, 30}, Raw: true, Workers: 2, Faults: []string{"delete-instance:point=any,p=0.05"}}
	full := sweep(t, cfg)
	b := BaselineOf(full, "test")
	cfg.Seeds = Range{1, 10}
	small := sweep(t, cfg)
	if small.Exit != 1 {
		t.Fatalf("without a baseline the sweep exits %d; the test needs failing cells", small.Exit)
	}
	ls := []loaded{{scs[0], "b.json", b}}
	if err := small.applyBaselines(ls, 0); err != nil {
		t.Fatal(err)
	}
	if small.Exit != 0 {
		t.Fatalf("against its own baseline: exit %d, %+v", small.Exit, small.Comparisons)
	}
	var shards []ShardReport
	for i := 1; i <= 2; i++ {
		c := cfg
		c.Shard = Shard{Index: i, Count: 2}
		r := sweep(t, c)
		if err := r.applyBaselines(ls, 0); err != nil {
			t.Fatal(err)
		}
		shards = append(shards, ShardReport{File: "shard" + string(rune('0'+i)), Report: r})
	}
	merged, err := Merge(shards)
	if err != nil {
		t.Fatal(err)
	}
	if merged.Exit != small.Exit || len(merged.Comparisons) != len(small.Comparisons) {
		t.Fatalf("merge: exit %d with %d comparisons, unsharded exit %d with %d", merged.Exit, len(merged.Comparisons), small.Exit, len(small.Comparisons))
	}
	other := cfg
	other.Strategy = "pct"
	if err := sweep(t, other).applyBaselines(ls, 0); err == nil || !strings.Contains(err.Error(), "--strategy") {
		t.Fatalf("a baseline of another strategy was accepted: %v", err)
	}
}
