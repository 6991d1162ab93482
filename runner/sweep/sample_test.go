package sweep_test

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/explore/mutants"
	"github.com/syncsim/syncsim/runner"
	"github.com/syncsim/syncsim/runner/sweep"
)

// The sample takes the range's first seed, about 1 in 16 of the others, and every run a trace
// property fails or leaves inconclusive.
func TestSampleTakesTheFirstSeedHashedSeedsAndFailures(t *testing.T) {
	s := sweep.Sample{First: 5}
	pass := []check.Verdict{{ID: "P1", Status: check.Pass}, {ID: "P2", Status: check.XFail}}
	sampled := 0
	for seed := uint64(1); seed <= 1600; seed++ {
		if sweep.Sampled(seed) {
			sampled++
		}
		if got := s.Rerun(seed, pass); got != (seed == 5 || sweep.Sampled(seed)) {
			t.Fatalf("seed %d: rerun %t", seed, got)
		}
		for _, st := range []check.Status{check.Fail, check.Inconclusive} {
			if !s.Rerun(seed, []check.Verdict{{ID: "P3", Status: st}}) {
				t.Fatalf("seed %d: a run with a %s verdict is not re-run", seed, st)
			}
		}
	}
	if sampled < 60 || sampled > 140 {
		t.Fatalf("%d of 1600 seeds sampled, want about 100", sampled)
	}
}

// A sweep judges P12 on its sample only and says so in the text, the matrix JSON and each run of
// --json; the runs outside it are made once.
func TestSweepJudgesP12OnTheSample(t *testing.T) {
	root, _ := filepath.Abs(filepath.Join("..", ".."))
	scs := mustLoad(t, filepath.Join(root, "scenarios/smoke.yaml"))
	rep, err := sweep.Sweep(sweep.Config{Scenarios: scs, Seeds: sweep.Range{From: 1, To: 40}, Mode: "platform", Workers: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for seed := uint64(1); seed <= 40; seed++ {
		if seed == 1 || sweep.Sampled(seed) {
			want++
		}
	}
	if rep.P12 == nil || rep.P12.Judged != want || rep.P12.Runs != 40 || want == 40 {
		t.Fatalf("P12 %+v, want %d of 40 judged", rep.P12, want)
	}
	judged := 0
	for _, r := range rep.Results {
		has := false
		for _, v := range r.Verdicts {
			has = has || v.ID == "P12"
		}
		if has == (r.P12 != "") {
			t.Fatalf("seed %d: P12 verdict %t, note %q", r.Seed, has, r.P12)
		}
		if has {
			judged++
		}
	}
	for _, c := range rep.Matrix {
		if c.Property == "P12" && c.Pass != want {
			t.Fatalf("P12 cell %+v, want pass %d", c, want)
		}
	}
	var text bytes.Buffer
	rep.WriteText(&text)
	data, err := rep.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var decoded struct {
		P12 sweep.P12Sample `json:"p12"`
	}
	if err := json.Unmarshal(data, &decoded); err != nil || decoded.P12 != *rep.P12 || judged != want ||
		!strings.Contains(text.String(), rep.P12.Text()) || !strings.Contains(rep.P12.Text(), "judged on") {
		t.Fatalf("judged %d; JSON %+v (%v); text:\n%s", judged, decoded.P12, err, text.String())
	}
}

// A planted nondeterminism (request ids from a process-wide counter) fails a sweep's P12, though
// only a sample of its runs is made twice: the first seed of every cell is in the sample.
func TestPlantedNondeterminismFailsTheSweep(t *testing.T) {
	var m mutants.Mutant
	for _, x := range mutants.Catalogue() {
		if x.Name == "unseeded-request-ids" {
			m = x
		}
	}
	if m.Name == "" {
		t.Fatal("no unseeded-request-ids mutant in the catalogue")
	}
	root, _ := filepath.Abs(filepath.Join("..", ".."))
	scs := mustLoad(t, filepath.Join(root, "scenarios/smoke.yaml"))
	rep, err := sweep.Sweep(sweep.Config{Scenarios: scs, Seeds: sweep.Range{From: 2, To: 9}, Mode: "frontend", Workers: 2,
		Adjust: func(o *runner.Options) { m.Apply(o) }}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range rep.Matrix {
		if c.Property == "P12" && c.Fail > 0 && rep.Exit == runner.ExitFailed {
			return
		}
	}
	t.Fatalf("P12 did not fail the sweep (exit %d): %+v", rep.Exit, rep.Matrix)
}
