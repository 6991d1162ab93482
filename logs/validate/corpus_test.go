package validate

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// corpusDirs are package logs' corpora: real excerpts pasted into public issues (first line
// `# repo#N: URL`) and synthetic logs of each format. Every file in them is validated here.
var corpusDirs = []string{"../testdata/real", "../testdata/synthetic"}

// corpusCase is what validate must make of one corpus file.
type corpusCase struct {
	verdict Verdict
	mode    string
	// explained, sync and entries are the counts of the summary; skipped the skips by reason.
	explained, sync, entries int
	skipped                  map[string]int
	// failLine and why locate and explain a Failed verdict.
	failLine int
	why      string
}

// corpus holds the expectations for every corpus file, by `dir/name`. A file without an entry fails
// TestCorpusValidate, so that a new excerpt is covered as soon as it is added.
var corpus = map[string]corpusCase{
	// Core Tools' six `Syncing triggers...` are attempts MSG-4 explains; the BadRequest is ARM's answer
	// (syncfunctiontriggers passes on the front end's), not one MSG-4 gives.
	"real/azure-functions-1170-powershell.log":    {verdict: Explained, mode: "frontend", explained: 6, sync: 6, entries: 7, skipped: map[string]int{SkipCallerAnswer: 1}},
	"real/core-tools-1279-syncing-badrequest.log": {verdict: Explained, mode: "frontend", explained: 6, sync: 6, entries: 7, skipped: map[string]int{SkipCallerAnswer: 1}},
	"real/core-tools-1457-pipelines-debug.log":    {verdict: Explained, mode: "frontend", explained: 7, sync: 7, entries: 7, skipped: map[string]int{}},
	"real/core-tools-2484-request-id.log":         {verdict: Explained, mode: "frontend", explained: 6, sync: 6, entries: 7, skipped: map[string]int{SkipCallerAnswer: 1}},
	"real/core-tools-4671-func-start.log":         {verdict: Inconclusive, mode: "frontend", explained: 1, sync: 0, entries: 18, skipped: map[string]int{SkipNotAStep: 3, SkipUnknown: 14}},
	"real/host-10078-kudu-synctriggers.log":       {verdict: Explained, mode: "frontend", explained: 5, sync: 5, entries: 7, skipped: map[string]int{SkipUnknown: 2}},
	"real/host-1864-singleton-lease.log":          {verdict: Inconclusive, mode: "frontend", entries: 2, skipped: map[string]int{SkipNoTime: 2}},
	"real/host-4499-lease-acquired.log":           {verdict: Inconclusive, mode: "frontend", entries: 3, skipped: map[string]int{SkipNoTime: 3}},
	"real/host-5635-nullref-stack.log":            {verdict: Inconclusive, mode: "frontend", entries: 1, skipped: map[string]int{SkipNoTime: 1}},
	"real/host-6385-storage-refused.log":          {verdict: Inconclusive, mode: "frontend", entries: 1, skipped: map[string]int{SkipNoTime: 1}},
	"real/host-6822-empty-triggers.log":           {verdict: Inconclusive, mode: "frontend", entries: 2, skipped: map[string]int{SkipNoTime: 2}},
	"real/host-7143-singleton-lease.log":          {verdict: Inconclusive, mode: "frontend", entries: 1, skipped: map[string]int{SkipNoTime: 1}},
	// The two lines of one lost lease are explained (the primary's renewal fails); no sync is shown.
	"real/java-worker-181-logstream-lease.log":         {verdict: Inconclusive, mode: "frontend", explained: 2, entries: 6, skipped: map[string]int{SkipUnknown: 4}},
	"real/vscode-azurefunctions-1608-attempts.log":     {verdict: Explained, mode: "frontend", explained: 6, sync: 6, entries: 10, skipped: map[string]int{SkipUnknown: 4}},
	"real/vscode-azurefunctions-2043-host-runtime.log": {verdict: Explained, mode: "frontend", explained: 6, sync: 6, entries: 6, skipped: map[string]int{}},

	// Upstream's SetTriggersAsync does not throw on a non-2xx answer: `SyncTriggers operation
	// failed.` after `SyncTriggers call failed` is not a step of the sync (SYNC-7).
	"synthetic/appinsights-traces-csv.log": {verdict: Failed, mode: "frontend", explained: 4, sync: 2, entries: 5, skipped: map[string]int{},
		failLine: 11, why: "no publish is pending, and the model fails a sync only at a publish or at SYNC-3's key read (SYNC-7)"},
	"synthetic/appinsights-traces-portal-json.log": {verdict: Explained, mode: "frontend", explained: 4, sync: 2, entries: 4, skipped: map[string]int{}},
	// An additive excerpt that starts after the front end's answer: caught up with.
	"synthetic/appinsights-traces-tables-json.log": {verdict: Explained, mode: "additive", explained: 3, sync: 3, entries: 3, skipped: map[string]int{}},
	"synthetic/kudu-incoming-request.log":          {verdict: Explained, mode: "frontend", explained: 4, sync: 4, entries: 4, skipped: map[string]int{}},
	"synthetic/logstream-storage-refused.log":      {verdict: Explained, mode: "frontend", explained: 2, sync: 1, entries: 3, skipped: map[string]int{SkipNotAStep: 1}},
	// A background sync with no triggers stops at SYNC-4 (`No functions found`): it reads no hash.
	"synthetic/ms-function-logs-linux-consumption.log": {verdict: Failed, mode: "additive", explained: 4, sync: 1, entries: 10,
		skipped: map[string]int{SkipNotReached: 5}, failLine: 7, why: "no hash read is pending (SYNC-5 runs in background syncs only); the model's step before it wrote \"No functions found. Skipping Sync operation.\""},
	"synthetic/pipelines-mixed.log": {verdict: Explained, mode: "frontend", explained: 5, sync: 5, entries: 8, skipped: map[string]int{SkipCallerAnswer: 1, SkipUnknown: 2}},
	// A whole run's log (it opens with Site settings) must show every line the model writes: its
	// host start lacks `Host started`.
	"synthetic/syncsim-model.log": {verdict: Failed, mode: "additive", explained: 4, sync: 0, entries: 15, skipped: map[string]int{SkipNotReached: 10},
		failLine: 6, why: "the model's next line for pod-a7f3 is \"Host started"},
}

// TestCorpusValidate validates every corpus file and checks the verdict, the mode, the counts of
// the summary by reason, and the failing line and why.
func TestCorpusValidate(t *testing.T) {
	seen := 0
	for _, dir := range corpusDirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.log"))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range files {
			seen++
			key := filepath.Base(dir) + "/" + filepath.Base(path)
			t.Run(key, func(t *testing.T) {
				c, ok := corpus[key]
				if !ok {
					t.Fatalf("no expectations for %s: add them to corpus in corpus_test.go", key)
				}
				f, err := os.Open(path)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				name := filepath.Base(path)
				res, err := Validate(Options{}, Source{Name: name, R: f})
				if err != nil {
					t.Fatal(err)
				}
				if res.Verdict != c.verdict || res.Mode != c.mode || res.Explained != c.explained || res.SyncSteps != c.sync || res.Entries != c.entries {
					t.Errorf("%s in %s: %s; want %s in %s, explained %d of %d (%d sync steps)\n%v",
						res.Verdict, res.Mode, res.Summary(), c.verdict, c.mode, c.explained, c.entries, c.sync, res.Failure)
				}
				for reason, n := range c.skipped {
					if res.Skipped[reason] != n {
						t.Errorf("skipped %q %d, want %d: %s", reason, res.Skipped[reason], n, res.Summary())
					}
				}
				if res.SkippedCount() != sum(c.skipped) {
					t.Errorf("%d skipped, want %d: %s", res.SkippedCount(), sum(c.skipped), res.Summary())
				}
				switch {
				case c.verdict == Failed:
					if msg := res.Failure.Error(); !strings.HasPrefix(msg, name+":"+strconv.Itoa(c.failLine)+": ") || !strings.Contains(msg, c.why) {
						t.Errorf("failure %q\nwant line %d and %q", msg, c.failLine, c.why)
					}
				case c.verdict == Inconclusive && res.Why() == "":
					t.Error("an inconclusive verdict without a reason")
				}
			})
		}
	}
	if seen < 10 {
		t.Fatalf("%d corpus files, want at least 10 (%v)", seen, corpusDirs)
	}
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
