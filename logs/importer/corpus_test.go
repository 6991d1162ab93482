package importer

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// corpusDirs are package logs' corpora: real excerpts pasted into public issues (first line
// `# repo#N: URL`) and synthetic logs of each format. Every file in them is imported here.
var corpusDirs = []string{"../testdata/real", "../testdata/synthetic"}

// corpusCase is what import must make of one corpus file.
type corpusCase struct {
	// err, when set, is the error import must return (its sentinel); the rest is then unused.
	err error
	// site and mode are the scenario's; siteFrom and modeFrom prefixes of where they come from
	// ("default" for a default).
	site, siteFrom, mode, modeFrom string
	// logFailed: the log's story ends in a failure; failing the properties the run fails.
	logFailed bool
	failing   []string
	// story are texts the scenario must hold (actions, faults, comment lines).
	story []string
	// cannot: the comment block says which part of the story the model cannot tell.
	cannot bool
}

// corpus holds the expectations for every corpus file, by `dir/name`. A file without an entry
// fails TestCorpusImport, so that a new excerpt is covered as soon as it is added.
var corpus = map[string]corpusCase{
	"real/azure-functions-1170-powershell.log": {site: DefaultSite, siteFrom: "default", mode: "frontend", modeFrom: "default",
		logFailed: true, failing: []string{"P1", "P13"},
		story: []string{"admin_sync: {count: 1, retry: {count: 5, delay: 5s}}", "{fault: fe-size-limit, params: {bytes: 1, p: 1,",
			"the log gives no time", "a deploy tool calls sync triggers after a deployment"}},
	"real/core-tools-1279-syncing-badrequest.log": {site: DefaultSite, siteFrom: "default", mode: "frontend", modeFrom: "default",
		logFailed: true, failing: []string{"P1", "P13"},
		story: []string{"admin_sync: {count: 1, retry: {count: 5, delay: 5s}}", "{fault: fe-size-limit, params: {bytes: 1, p: 1,",
			"the caller's sync call is tried 6 time(s), answered BadRequest and the caller gives up"}},
	"real/core-tools-1457-pipelines-debug.log": {site: "azurefunctionexamplefunctions", siteFrom: "core-tools-1457-pipelines-debug.log:4 `[POST]https://management.azure.com/subscriptions/",
		mode: "frontend", modeFrom: "default",
		logFailed: true, failing: []string{"P1", "P13"},
		story: []string{"admin_sync: {count: 1, retry: {count: ", "{fault: fe-status, params: {status: 503, p: 1,"}},
	"real/core-tools-2484-request-id.log": {site: DefaultSite, siteFrom: "default", mode: "frontend", modeFrom: "default",
		logFailed: true, failing: []string{"P1", "P13"},
		story: []string{"admin_sync: {count: 1, retry: {count: 5, delay: 5s}}", "{fault: fe-size-limit, params: {bytes: 1, p: 1,"}},
	"real/core-tools-4671-func-start.log": {site: DefaultSite, siteFrom: "default", mode: "frontend", modeFrom: "default",
		story: []string{"becomes the primary", "unknown line"}},
	"real/host-10078-kudu-synctriggers.log": {site: "redacted-functions", siteFrom: "host-10078-kudu-synctriggers.log:9 `<step title=\"Begin HttpPost https://redacted-functions.azurewebsites.net/admin/host/synctr",
		mode: "frontend", modeFrom: "default", logFailed: true, failing: []string{"P1", "P13"},
		story: []string{"admin_sync: {count: 1, retry: {count: 1, delay: 1.378s}}", "{fault: fe-status, params: {status: 500, p: 1,",
			"times without a zone taken as UTC"}},
	"real/host-1864-singleton-lease.log": {site: DefaultSite, siteFrom: "default", mode: "frontend", modeFrom: "default",
		logFailed: true, cannot: true,
		story: []string{"{fault: primary-lease-lost, params: {every: 100ms, count: 1,", "a lost lease alone breaks no property the model judges"}},
	"real/host-4499-lease-acquired.log": {site: "none-2137340777", siteFrom: "host-4499-lease-acquired.log:5 `Starting Host (HostId=none-2137340777",
		mode: "frontend", modeFrom: "default", story: []string{"becomes the primary"}},
	"real/host-5635-nullref-stack.log": {site: DefaultSite, siteFrom: "default", mode: "frontend", modeFrom: "default",
		logFailed: true, failing: []string{"P1", "P13"}, cannot: true,
		story: []string{"{fault: storage-refuses, params: {status: 403, p: 1,", "what threw line 3's failure (System.NullReferenceException)"}},
	"real/host-6385-storage-refused.log": {site: DefaultSite, siteFrom: "default", mode: "frontend", modeFrom: "default",
		logFailed: true, failing: []string{"P1", "P13"},
		story: []string{"{fault: storage-refuses, params: {status: 403, p: 1,", "storage refuses the host (403, Microsoft.WindowsAzure.Storage.StorageException)"}},
	"real/host-6822-empty-triggers.log": {site: DefaultSite, siteFrom: "default", mode: "frontend", modeFrom: "default",
		logFailed: true, failing: []string{"P1", "P13"},
		story: []string{"{fault: transient-empty, params: {p: 1,", "admin_sync: {count: 1}", "host.json could not be read", "an empty publish"}},
	"real/host-7143-singleton-lease.log": {site: DefaultSite, siteFrom: "default", mode: "frontend", modeFrom: "default",
		logFailed: true, cannot: true,
		story: []string{"{fault: primary-lease-lost, params: {every: 100ms, count: 1,"}},
	"real/java-worker-181-logstream-lease.log": {site: DefaultSite, siteFrom: "default", mode: "frontend", modeFrom: "default",
		logFailed: true, cannot: true,
		story: []string{"{fault: primary-lease-lost, params: {every: 100ms, count: 1,", "the same lost lease, told by another logger"}},
	"real/vscode-azurefunctions-1608-attempts.log": {site: DefaultSite, siteFrom: "default", mode: "frontend", modeFrom: "default",
		logFailed: true, failing: []string{"P1", "P13"},
		story: []string{"admin_sync: {count: 1, retry: {count: 5, delay: 32s}}", "{fault: fe-status, params: {status: 503, p: 1,",
			"the caller retries the call of line 5 without the log showing its answers: 503",
			"the caller's sync call is tried 6 time(s), answered other than 200 (the log does not show the answers) and the caller gives up"}},
	"real/vscode-azurefunctions-2043-host-runtime.log": {site: DefaultSite, siteFrom: "default", mode: "frontend", modeFrom: "default",
		logFailed: true, failing: []string{"P1", "P13"},
		story: []string{"admin_sync: {count: 1, retry: {count: 5, delay: 38.25s}}", "{fault: fe-status, params: {status: 500, p: 1,",
			"the caller's call of line 4 is attempt 2: the log does not show the 1 before it"}},

	"synthetic/appinsights-traces-csv.log": {site: "myapp", siteFrom: "appinsights-traces-csv.log:6 `Making SyncTriggers request",
		mode: "frontend", modeFrom: "default", logFailed: true, failing: []string{"P1", "P13"}, cannot: true,
		story: []string{"{fault: transient-empty, params: {p: 1,", "{fault: fe-size-limit, params: {bytes: 1, p: 1,",
			"what threw line 11's failure (an exception the log does not name)"}},
	"synthetic/appinsights-traces-portal-json.log": {site: DefaultSite, siteFrom: "default", mode: "frontend", modeFrom: "default",
		logFailed: true, cannot: true, story: []string{"{fault: primary-lease-lost,", "hash check: Last = Current"}},
	"synthetic/appinsights-traces-tables-json.log": {site: DefaultSite, siteFrom: "default", mode: "additive",
		modeFrom: "appinsights-traces-tables-json.log:16 `Failed to notify platform of triggers change.`",
		story:    []string{"{fault: mesh-status, params: {status: 503, p: 1,", "is ignored in the additive mode (PR #11813"}},
	"synthetic/kudu-incoming-request.log": {site: DefaultSite, siteFrom: "default", mode: "frontend", modeFrom: "default",
		story: []string{"admin_sync: {count: 1, retry: {count: 1, delay: 1m}}", "{fault: fe-status, params: {status: 500, p: 1,",
			"and the run recovers too"}},
	"synthetic/logstream-storage-refused.log": {site: DefaultSite, siteFrom: "default", mode: "frontend", modeFrom: "default",
		logFailed: true, failing: []string{"P1", "P13"},
		story: []string{"{fault: storage-refuses, params: {status: 403, p: 1,", "the hash blob's read is refused by storage (403)"}},
	"synthetic/ms-function-logs-linux-consumption.log": {site: "myapp", siteFrom: "ms-function-logs-linux-consumption.log:8 `Making SyncTriggers request",
		mode: "additive", modeFrom: "ms-function-logs-linux-consumption.log:12 `Sending mesh request update-triggers`", logFailed: true, failing: []string{"P1", "P13"},
		story: []string{"{fault: transient-empty, params: {p: 1,", "{fault: fe-status, params: {status: 503, p: 1,", "{fault: storage-refuses, params: {status: 403, p: 1,",
			"{fault: primary-lease-lost,"}},
	"synthetic/pipelines-mixed.log": {site: "myapp", siteFrom: "pipelines-mixed.log:4 `[POST]https://management.azure.com/", mode: "frontend", modeFrom: "default",
		logFailed: true, failing: []string{"P1", "P13"}, story: []string{"admin_sync: {count: 1", "{fault: fe-status, params: {status: 503, p: 1,"}},
	"synthetic/syncsim-model.log": {site: "myapp", siteFrom: "syncsim-model.log:2 `Site settings (Site=myapp", mode: "additive", modeFrom: "syncsim-model.log:2 `Site settings",
		logFailed: true, failing: []string{"P1", "P13"},
		story: []string{"    - fault: delete-instance\n      point: after-hash-write\n", "rotate_key: {key: host.default}"}},
}

// TestCorpusImport imports every corpus file and checks what import made of it against corpus: the
// site, the mode and where each came from, whether the log's story ends failed and what the run
// fails, the story's actions and faults, and that the scenario loads, matches its summary golden
// and says what the model cannot tell.
func TestCorpusImport(t *testing.T) {
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
				res, err := Import(filepath.Base(path), f)
				if c.err != nil {
					if !errors.Is(err, c.err) {
						t.Fatalf("error %v, want %v", err, c.err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				checkCorpusCase(t, c, res)
				golden(t, filepath.Join("corpus", strings.TrimSuffix(strings.ReplaceAll(key, "/", "-"), ".log")+".summary"), summary(res))
			})
		}
	}
	if seen < 10 {
		t.Fatalf("%d corpus files, want at least 10 (%v)", seen, corpusDirs)
	}
}

func checkCorpusCase(t *testing.T, c corpusCase, res *Result) {
	t.Helper()
	s := res.Settings
	if res.Site != c.site || !strings.HasPrefix(s.Site.From, c.siteFrom) {
		t.Errorf("site %s from %q, want %s from %q", res.Site, s.Site.From, c.site, c.siteFrom)
	}
	if res.Mode != c.mode || !strings.HasPrefix(s.Mode.From, c.modeFrom) {
		t.Errorf("mode %s from %q, want %s from %q", res.Mode, s.Mode.From, c.mode, c.modeFrom)
	}
	if res.LogFailed != c.logFailed || !slices.Equal(res.Failing, append([]string{}, c.failing...)) {
		t.Errorf("log failed %v, run fails %v; want %v, %v\n%s", res.LogFailed, res.Failing, c.logFailed, c.failing, res.YAML)
	}
	if res.Reproduced != (c.logFailed == (len(c.failing) > 0)) {
		t.Errorf("reproduced %v: the log ends failed %v and the run fails %v", res.Reproduced, c.logFailed, c.failing)
	}
	for _, w := range c.story {
		if !bytes.Contains(res.YAML, []byte(w)) {
			t.Errorf("the scenario lacks %q:\n%s", w, res.YAML)
		}
	}
	if said := bytes.Contains(res.YAML, []byte("# - the model cannot tell: ")); said != c.cannot {
		t.Errorf("the comment block says what the model cannot tell: %v, want %v\n%s", said, c.cannot, res.YAML)
	}
	if !bytes.Contains(res.YAML, []byte("# - expect lists what `simrun run --raw --mode "+res.Mode+" --seed 1` fails: ")) {
		t.Errorf("the comment block does not say what the run fails:\n%s", res.YAML)
	}
}

// summary is the stable part of an import: the settings and where each comes from, the story, the
// scenario's actions and faults (its YAML without comments), and what it expects.
func summary(res *Result) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "site: %s (%s)\nhost id: %s (%s)\nmode: %s (%s)\n", res.Site, res.Settings.Site.From,
		res.Settings.HostID.Value, res.Settings.HostID.From, res.Mode, res.Settings.Mode.From)
	fmt.Fprintf(&b, "instances: %v; unnamed lines: %s (%s)\n", res.Settings.Instances, res.Settings.Unnamed.Value, res.Settings.Unnamed.From)
	fmt.Fprintf(&b, "lines %d, events %d, unknown %d\n", res.Lines, res.Events, res.Unknown)
	fmt.Fprintf(&b, "log ends failed: %v; run fails: %v; reproduced: %v\n", res.LogFailed, res.Failing, res.Reproduced)
	for _, f := range res.Failures {
		fmt.Fprintf(&b, "failure: %s\n", f)
	}
	for _, c := range res.Cannot {
		fmt.Fprintf(&b, "cannot tell: %s\n", c)
	}
	for _, l := range strings.Split(string(res.YAML), "\n") {
		if strings.HasPrefix(l, "# Story: ") {
			b.WriteString(l[2:] + "\n")
		}
	}
	in := false
	for _, l := range strings.Split(string(res.YAML), "\n") {
		switch {
		case strings.HasPrefix(l, "timeline:") || strings.HasPrefix(l, "faults:") || strings.HasPrefix(l, "instances:") || strings.HasPrefix(l, "expect:"):
			in = true
		case strings.HasPrefix(l, "settle:") || strings.HasPrefix(l, "modes:") || strings.HasPrefix(l, "faults_end:"):
			in = false
			b.WriteString(l + "\n")
			continue
		case l != "" && l[0] != ' ' && l[0] != '#':
			in = false
		}
		if in && !strings.HasPrefix(strings.TrimSpace(l), "#") {
			b.WriteString(l + "\n")
		}
	}
	return b.Bytes()
}
