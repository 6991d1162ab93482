package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/goccy/go-yaml"
)

// TestShardProcessesMergeToOneSweep is issue 9's scale-out check (part 6) with real processes: four
// `simrun sweep --shard i/4` processes run at once, and `simrun merge` of their matrix reports prints
// byte for byte what one unsharded `simrun sweep` process prints, exits as it does, and writes its
// matrix report (but for the shard field).
func TestShardProcessesMergeToOneSweep(t *testing.T) {
	if testing.Short() {
		t.Skip("builds simrun and runs six processes")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "simrun")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	repo, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	scenarioArgs := []string{"scenarios/smoke.yaml", "scenarios/incidents/worker-deleted-before-fetch.yaml"}
	run := func(args ...string) (int, string, string) {
		cmd := exec.Command(bin, args...)
		cmd.Dir = repo // the reports name the scenarios by the paths given, relative to the root
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Errorf("%v: %v", args, err)
		}
		return cmd.ProcessState.ExitCode(), out.String(), errOut.String()
	}
	sweepArgs := func(extra ...string) []string {
		return append(append([]string{"sweep", "--seeds", "1-8", "--workers", "1"}, extra...), scenarioArgs...)
	}

	shards := make([]string, 4)
	codes := make([]int, 4)
	var wg sync.WaitGroup
	for i := range shards {
		shards[i] = filepath.Join(dir, fmt.Sprintf("shard-%d.json", i+1))
		wg.Go(func() {
			code, out, errOut := run(sweepArgs("--shard", fmt.Sprintf("%d/4", i+1), "--matrix", shards[i])...)
			codes[i] = code
			if code == 3 {
				t.Errorf("shard %d/4: exit 3\n%s\n%s", i+1, out, errOut)
			}
		})
	}
	wholeMatrix := filepath.Join(dir, "whole.json")
	wholeCode, whole, wholeErr := run(sweepArgs("--matrix", wholeMatrix)...)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	if wholeCode == 3 || !strings.Contains(whole, "worker-deleted-before-fetch") {
		t.Fatalf("unsharded sweep: exit 3\n%s", wholeErr)
	}

	merged := filepath.Join(dir, "merged.json")
	code, out, errOut := run(append([]string{"merge", "--matrix", merged}, shards[2], shards[0], shards[3], shards[1])...)
	if code != wholeCode {
		t.Errorf("merge exits %d, the unsharded sweep %d\n%s", code, wholeCode, errOut)
	}
	if out != whole {
		t.Fatalf("merge prints:\n%s\n--- the unsharded sweep prints:\n%s", out, whole)
	}
	a, b := matrixWithoutShard(t, merged), matrixWithoutShard(t, wholeMatrix)
	if !bytes.Equal(a, b) {
		t.Fatalf("matrix reports differ:\nmerged %s\nwhole  %s", a, b)
	}
	t.Logf("shard exits %v, unsharded %d, merge %d", codes, wholeCode, code)
}

// matrixWithoutShard is a matrix report as canonical JSON without its shard field.
func matrixWithoutShard(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	delete(m, "shard")
	out, _ := json.Marshal(m)
	return out
}

// yamlDocs reads every document of a YAML file.
func yamlDocs(t *testing.T, path string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var docs []map[string]any
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc map[string]any
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		docs = append(docs, doc)
	}
	return docs
}

// dig follows keys (string for maps, int for lists) into a decoded YAML value.
func dig(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("no %q in %v", k, v)
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				t.Fatalf("no [%d] in %v", k, v)
			}
			v = l[k]
		}
	}
	return v
}

// The deploy manifests parse as YAML and carry what makes them a sharded sweep and a merge.
func TestDeployManifests(t *testing.T) {
	job := yamlDocs(t, filepath.Join(root, "deploy", "k8s", "sweep-job.yaml"))
	if len(job) != 2 {
		t.Fatalf("sweep-job.yaml has %d documents, want the sweep Job and the merge Job", len(job))
	}
	spec := dig(t, job[0], "spec")
	if dig(t, job[0], "kind") != "Job" || dig(t, spec, "completionMode") != "Indexed" {
		t.Fatalf("not an Indexed Job: %v", job[0])
	}
	n := fmt.Sprint(dig(t, spec, "completions"))
	if fmt.Sprint(dig(t, spec, "parallelism")) != n {
		t.Errorf("parallelism differs from completions %s", n)
	}
	container := dig(t, spec, "template", "spec", "containers", 0)
	script := fmt.Sprint(dig(t, container, "args", 0))
	env := fmt.Sprint(dig(t, container, "env", 0, "value"))
	for _, want := range []string{"simrun sweep --seeds 1-2000 --mode all", "--shard $((JOB_COMPLETION_INDEX+1))/$SHARDS",
		"--matrix /out/shard-$(JOB_COMPLETION_INDEX).json scenarios/fleet.yaml"} {
		if !strings.Contains(script, want) {
			t.Errorf("sweep Job's script lacks %q:\n%s", want, script)
		}
	}
	if env != n {
		t.Errorf("SHARDS=%s but completions %s", env, n)
	}
	if dig(t, container, "volumeMounts", 0, "mountPath") != "/out" {
		t.Error("the sweep Job does not mount /out")
	}
	merge := fmt.Sprint(dig(t, job[1], "spec", "template", "spec", "containers", 0, "args", 0))
	if !strings.Contains(merge, "simrun merge --matrix /out/merged.json /out/shard-*.json") {
		t.Errorf("the merge Job runs %q", merge)
	}

	wf := yamlDocs(t, filepath.Join(root, "deploy", "github", "sweep.yml"))[0]
	shards := dig(t, wf, "jobs", "shard", "strategy", "matrix", "shard").([]any)
	if fmt.Sprint(shards) != "[1 2 3 4]" {
		t.Errorf("matrix shards %v", shards)
	}
	steps := fmt.Sprint(dig(t, wf, "jobs", "shard", "steps"))
	for _, want := range []string{"go-version:1.26", "go run ./cmd/simrun sweep --seeds 1-2000 --mode all --shard ${{ matrix.shard }}/4 --matrix shard-${{ matrix.shard }}.json",
		"actions/upload-artifact", "path:shard-${{ matrix.shard }}.json"} {
		if !strings.Contains(steps, want) {
			t.Errorf("shard job lacks %q:\n%s", want, steps)
		}
	}
	if dig(t, wf, "jobs", "merge", "needs") != "shard" {
		t.Error("the merge job does not wait for the shards")
	}
	mergeSteps := fmt.Sprint(dig(t, wf, "jobs", "merge", "steps"))
	for _, want := range []string{"actions/download-artifact", "go run ./cmd/simrun merge --matrix merged.json shard-*.json"} {
		if !strings.Contains(mergeSteps, want) {
			t.Errorf("merge job lacks %q:\n%s", want, mergeSteps)
		}
	}
	if strings.Contains(mergeSteps, "||") || strings.Contains(mergeSteps, "continue-on-error") {
		t.Error("the merge step must fail the workflow when merge exits non-zero")
	}
}
