package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sweepShards runs `sweep --shard i/n --matrix` for every shard and returns the reports' files.
func sweepShards(t *testing.T, dir string, n int, args ...string) []string {
	t.Helper()
	var files []string
	for i := 1; i <= n; i++ {
		file := filepath.Join(dir, fmt.Sprintf("shard%d.json", i))
		full := append([]string{"sweep", "--shard", fmt.Sprintf("%d/%d", i, n), "--matrix", file}, args...)
		if code, out, errOut := simrun(t, full...); code != 1 {
			t.Fatalf("%v: exit %d\n%s\n%s", full, code, out, errOut)
		}
		files = append(files, file)
	}
	return files
}

// dropShard is a matrix report's JSON without its shard field.
func dropShard(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "shard")
	return m
}

// Four shards of seeds 1-9 merged print what one unsharded sweep prints, byte for byte, and write
// its matrix report but for the shard field; the exit code is the sweep's.
func TestMergeShardsEqualsSweep(t *testing.T) {
	dir := t.TempDir()
	args := []string{"--seeds", "1-9", "--raw", "--workers", "2", smokePath, incidentPath}
	wholeMatrix := filepath.Join(dir, "whole.json")
	code, whole, errOut := simrun(t, append([]string{"sweep", "--matrix", wholeMatrix}, args...)...)
	if code != 1 {
		t.Fatalf("exit %d\n%s\n%s", code, whole, errOut)
	}
	files := sweepShards(t, dir, 4, args...)
	data, _ := os.ReadFile(files[1])
	if !bytes.Contains(data, []byte(`"shard": {
    "index": 2,
    "count": 4,
    "from": 4,
    "to": 5
  }`)) || !bytes.Contains(data, []byte(`"sha256": "`)) {
		t.Fatalf("shard 2's report:\n%s", data)
	}
	merged := filepath.Join(dir, "merged.json")
	code, out, errOut := simrun(t, "merge", "--matrix", merged, files[3], files[1], files[0], files[2])
	if code != 1 || errOut != "" {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if out != whole {
		t.Fatalf("merge prints:\n%s\n--- the unsharded sweep:\n%s", out, whole)
	}
	a, b := dropShard(t, merged), dropShard(t, wholeMatrix)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Fatalf("matrix reports differ:\n%s\n%s", ja, jb)
	}
	if data, _ := os.ReadFile(merged); bytes.Contains(data, []byte(`"shard"`)) {
		t.Fatal("the merge of every shard has a shard field")
	}
}

// Merge refuses a missing shard, shards of another sweep and a scenario whose SHA-256 changed,
// with exit 3 and a message naming the file.
func TestMergeErrors(t *testing.T) {
	dir := t.TempDir()
	files := sweepShards(t, dir, 3, "--seeds", "1-3", "--raw", "--mode", "platform", incidentPath)
	other := filepath.Join(dir, "other.json")
	if code, out, errOut := simrun(t, "sweep", "--seeds", "1-3", "--raw", "--mode", "platform", "--strategy", "random", "--shard", "2/3", "--matrix", other, incidentPath); code != 1 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	otherRange := filepath.Join(dir, "other-range.json")
	if code, out, errOut := simrun(t, "sweep", "--seeds", "1-4", "--raw", "--mode", "platform", "--shard", "2/3", "--matrix", otherRange, incidentPath); code != 1 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	data, _ := os.ReadFile(files[2])
	tampered := filepath.Join(dir, "tampered.json")
	var rep map[string]any
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	rep["scenarios"].([]any)[0].(map[string]any)["sha256"] = strings.Repeat("f", 64)
	data, _ = json.Marshal(rep)
	if err := os.WriteFile(tampered, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		files []string
		want  string
	}{
		{[]string{files[0], files[2]}, "shard 2 of 3 missing"},
		{[]string{files[0], other, files[2]}, `other.json: --strategy "random", but `},
		{[]string{files[0], otherRange, files[2]}, "other-range.json: seeds 1-4, but "},
		{[]string{files[0], files[1], tampered}, "tampered.json: " + incidentPath + " has SHA-256 ffff"},
		{[]string{files[0], files[1], files[1], files[2]}, "shard2.json: shard 2/3 is also given as"},
		{[]string{filepath.Join(dir, "absent.json")}, "absent.json"},
		{[]string{}, "requires at least 1 arg"},
	}
	for _, c := range cases {
		code, _, errOut := simrun(t, append([]string{"merge"}, c.files...)...)
		if code != 3 || !strings.Contains(errOut, c.want) {
			t.Errorf("merge %v: exit %d, stderr %q, want 3 and %q", c.files, code, errOut, c.want)
		}
	}
}

// A shard cut short by --max-time: the merge says which seeds are missing, and exits as the runs
// made say.
func TestMergeIncompleteShard(t *testing.T) {
	dir := t.TempDir()
	first, second := filepath.Join(dir, "s1.json"), filepath.Join(dir, "s2.json")
	if code, out, errOut := simrun(t, "sweep", "--seeds", "1-100000", "--shard", "1/2", "--max-time", "1ns", "--workers", "1", "--matrix", first, smokePath); code != 0 ||
		!strings.Contains(out, "shard 1/2: seeds 1-50000 of 1-100000") || !strings.Contains(out, "covered seeds 1-1 of 1-50000 (stopped by --max-time)") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if code, out, errOut := simrun(t, "sweep", "--seeds", "1-100000", "--shard", "2/2", "--max-time", "1ns", "--workers", "1", "--matrix", second, smokePath); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut := simrun(t, "merge", first, second)
	if code != 0 || !strings.Contains(out, "seeds 1, 50001\n") || !strings.Contains(out, "incomplete: seeds 2-50000, 50002-100000 missing") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
}
