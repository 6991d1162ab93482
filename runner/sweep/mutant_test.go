package sweep_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/syncsim/syncsim/explore/mutants"
	"github.com/syncsim/syncsim/runner"
	"github.com/syncsim/syncsim/runner/sweep"
	"github.com/syncsim/syncsim/scenarios"
)

// A planted bug makes a sweep against the baseline of correct code exit 1, naming the cell of a
// property the bug targets; the same sweep of correct code exits 0.
func TestMutantFailsTheSweepAgainstTheBaseline(t *testing.T) {
	root, _ := filepath.Abs(filepath.Join("..", ".."))
	scenario := filepath.Join(root, "scenarios/incidents/worker-deleted-before-fetch.yaml")
	dir := t.TempDir()
	file := filepath.Join(dir, "incident.baseline.json")
	faults := []string{"delete-instance:point=any,p=0.05"}
	job := sweep.Job{Paths: []string{scenario}, Seeds: "1-30", Faults: faults, Workers: 2, WriteBaseline: file}
	var out bytes.Buffer
	if _, err := sweep.Execute(job, &out, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("no baseline written: %v\n%s", err, out.String())
	}
	var m mutants.Mutant
	for _, x := range mutants.Catalogue() {
		if x.Name == "hash-before-publish" {
			m = x
		}
	}
	clean := sweep.Job{Paths: []string{scenario}, Seeds: "1-10", Faults: faults, Workers: 2, Baseline: file}
	out.Reset()
	if code, err := sweep.Execute(clean, &out, nil); err != nil || code != 0 {
		t.Fatalf("correct code against its baseline: exit %d, %v\n%s", code, err, out.String())
	}
	rep, err := sweep.Sweep(sweep.Config{Scenarios: mustLoad(t, scenario), Seeds: sweep.Range{From: 1, To: 10}, Faults: faults, Workers: 2,
		Adjust: func(o *runner.Options) { m.Apply(o) }}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := sweep.ReadBaseline(file)
	if err != nil {
		t.Fatal(err)
	}
	cells, _ := b.For("worker-deleted-before-fetch")
	rep.Baselines = []sweep.AppliedBaseline{{Scenario: rep.Scenarios[0].Path, File: file, Cells: cells}}
	rep.Judge()
	if rep.Exit != 1 {
		t.Fatalf("with the %s mutant: exit %d, %+v", m.Name, rep.Exit, rep.Comparisons)
	}
	named := false
	for _, c := range rep.Comparisons {
		if c.Worse() && c.Gating && slices.Contains(m.Targets, c.Property) {
			named = true
		}
	}
	out.Reset()
	rep.WriteText(&out)
	if !named || !strings.Contains(out.String(), "worker-deleted-before-fetch.yaml P4") {
		t.Fatalf("no regression of a targeted cell %v named:\n%s", m.Targets, out.String())
	}
}

func mustLoad(t *testing.T, paths ...string) []*scenarios.Scenario {
	t.Helper()
	scs, err := scenarios.LoadAll(paths...)
	if err != nil {
		t.Fatal(err)
	}
	return scs
}
