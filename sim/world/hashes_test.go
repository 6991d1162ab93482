package world

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/scenarios"
)

var rewriteHashes = flag.Bool("rewrite", false, "rewrite testdata/trace-hashes.tsv from this build")

// hashSeeds are the seeds every scenario runs with in every mode for TestTraceHashesUnchanged.
const hashSeeds = 4

// TestTraceHashesUnchanged holds the simulator's behaviour: every scenario of scenarios/, in every
// mode, seeds 1-4, gives the trace hash recorded in testdata/trace-hashes.tsv. A change of the
// reference parts, the core or this driver that moves one record, one timer or one draw changes a
// hash and fails here; a change meant to alter behaviour rewrites the file (go test -run
// TestTraceHashesUnchanged -rewrite) and says why in its commit. The hashes equal those `simrun run
// --raw --mode all --runs 4 scenarios/ --json F` writes.
func TestTraceHashesUnchanged(t *testing.T) {
	// A run records its scenario's path: the scenarios load from the repository's root, as the
	// CLI loads them.
	file, err := filepath.Abs(filepath.Join("testdata", "trace-hashes.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Join("..", ".."))
	scs, err := scenarios.LoadAll("scenarios")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, sc := range scs {
		rel, err := filepath.Rel("scenarios", sc.Path)
		if err != nil {
			t.Fatal(err)
		}
		for _, mode := range host.Modes() {
			for seed := uint64(1); seed <= hashSeeds; seed++ {
				res, err := Run(sc, mode, seed, Options{})
				if err != nil {
					t.Fatalf("%s %s seed %d: %v", rel, mode, seed, err)
				}
				got = append(got, fmt.Sprintf("%s\t%s\t%d\t%s", filepath.ToSlash(rel), mode, seed, res.TraceHash))
			}
		}
	}
	text := strings.Join(got, "\n") + "\n"
	if *rewriteHashes {
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (record it: go test -run TestTraceHashesUnchanged -rewrite)", err)
	}
	want := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		i := strings.LastIndexByte(l, '\t')
		want[l[:i]] = l[i+1:]
	}
	if len(want) != len(got) {
		t.Errorf("%d runs recorded, %d made (scenarios or modes added or removed: rewrite the file)", len(want), len(got))
	}
	differ := 0
	for _, l := range got {
		i := strings.LastIndexByte(l, '\t')
		if w, ok := want[l[:i]]; !ok || w != l[i+1:] {
			differ++
			if differ <= 10 {
				t.Errorf("%s: trace hash %s, recorded %s", strings.ReplaceAll(l[:i], "\t", " "), l[i+1:], w)
			}
		}
	}
	if differ > 0 {
		t.Errorf("%d of %d runs changed behaviour", differ, len(got))
	}
}
