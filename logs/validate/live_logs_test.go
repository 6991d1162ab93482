package validate

import (
	"os"
	"path/filepath"
	"testing"
)

// The logs of a live run (testdata/live: the reference host and platform over HTTP against Azurite,
// written by `simrun run --live --trace-format log --log-format F`) in every format the model
// writes: each is explained step by step in the mode its Site settings line names, and the three
// formats tell the same story (the same counts).
func TestLiveRunLogsInEveryFormat(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "live", "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 {
		t.Fatalf("%d live logs in testdata/live, want one per format the model writes (3)", len(files))
	}
	var first *Result
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Validate(Options{}, Source{Name: name, R: f})
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !res.OK() || res.SyncSteps == 0 || res.Mode != "additive" {
			t.Errorf("%s: verdict %s, %d sync steps, mode %q: want explained, some sync steps, additive (%s)", name, res.Verdict, res.SyncSteps, res.Mode, res.Summary())
		}
		if first == nil {
			first = res
			continue
		}
		if res.Explained != first.Explained || res.SyncSteps != first.SyncSteps || res.Entries != first.Entries {
			t.Errorf("%s: %s; %s: %s: the formats disagree", name, res.Summary(), files[0], first.Summary())
		}
	}
}
