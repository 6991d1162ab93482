package importer

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/runner"
	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/trace"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the golden files in testdata")

func importFile(t *testing.T, path string) *Result {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := Import(filepath.Base(path), f)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func importString(t *testing.T, log string) (*Result, error) {
	t.Helper()
	return Import("test.log", strings.NewReader(log))
}

// runRaw loads an imported scenario and runs it in its mode with seed 1, ignoring expectations.
func runRaw(t *testing.T, res *Result) *runner.Result {
	t.Helper()
	sc, err := scenarios.Parse(res.Name+".yaml", res.YAML)
	if err != nil {
		t.Fatalf("the imported scenario does not load: %v\n%s", err, res.YAML)
	}
	mode, err := host.ParseMode(res.Mode)
	if err != nil {
		t.Fatal(err)
	}
	run, err := runner.RunOne(sc, mode, 1, runner.Options{Raw: true})
	if err != nil {
		t.Fatal(err)
	}
	return run
}

func status(run *runner.Result, id string) check.Status {
	for _, v := range run.Verdicts {
		if v.ID == id {
			return v.Status
		}
	}
	return ""
}

func field(r trace.Record, key string) string {
	for _, f := range r.Fields {
		if f.Key == key {
			return f.Value
		}
	}
	return ""
}

// golden compares got with testdata/name, or rewrites it with -rewrite.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *rewrite {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./logs/importer -rewrite)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test ./logs/importer -rewrite and review the diff):\n%s", path, got)
	}
}

// evidence is a comment line quoting a failing property's evidence: the run's record numbers and
// times, which change with the model; the goldens leave them out (the tests check they are there).
var evidence = regexp.MustCompile(`(?m)^#   - P\d+ \([a-z-]+\) fails: .*\n`)

// withoutEvidence is a scenario without its evidence lines, the stable part a golden holds.
func withoutEvidence(yaml []byte) []byte {
	if !evidence.Match(yaml) {
		return yaml
	}
	return evidence.ReplaceAll(yaml, []byte("#   - (evidence)\n"))
}

// Both sample logs import to scenarios that load, match their goldens and, run raw in the log's
// mode, fail P1 as the logged story did.
func TestSampleLogs(t *testing.T) {
	cases := []struct {
		log, mode    string
		lines        int
		events       int
		mustFail     []string
		wantInYAML   []string
		modeFrom     string
		siteInferred bool
	}{
		{log: "host-log-sample.log", mode: "platform", lines: 23, events: 18, mustFail: []string{"P1", "P4"}, modeFrom: "host-log-sample.log:6 `Site settings",
			wantInYAML: []string{"instances:\n  count: 1\n", "  - at: 0s\n    deploy:\n", "  - at: 59m57.88s\n    start: {count: 1}\n",
				"    - fault: delete-instance\n      point: after-hash-write\n      after: 31s\n      background: true\n",
				"modes: [platform]\n", "  platform: [P1, P4, P13]\n", "site:\n  name: myapp\n  host_id: myapp\n",
				"# - mode platform: inferred from host-log-sample.log:6 `Site settings (Site=myapp, HostId=myapp, Mode=platform",
				"#   - the log fails the same way: line 16: pod-a7f3 is deleted right after its hash write"}},
		{log: "host-log-sample-frontend.log", mode: "frontend", lines: 8, events: 5, mustFail: []string{"P1"}, modeFrom: "default",
			wantInYAML: []string{"  - at: 2m2.02s\n    rotate_key: {key: host.default}\n",
				"{fault: fe-status, params: {status: 503, p: 1, after: 2m1s, until: 2m4s}}", "faults_end: 2m4s",
				"modes: [frontend]\n", "  frontend: [P1, P13]\n",
				"# - site shop: inferred from host-log-sample-frontend.log:7 `Making SyncTriggers request (RequestId=5b0e2a8c",
				"# - host id shop: inferred from host-log-sample-frontend.log:4 `Starting Host (HostId=shop",
				"# - mode frontend: a default, what shipped"}},
	}
	for _, c := range cases {
		t.Run(c.log, func(t *testing.T) {
			res := importFile(t, filepath.Join("testdata", c.log))
			golden(t, strings.TrimSuffix(c.log, ".log")+".golden.yaml", withoutEvidence(res.YAML))
			if res.Mode != c.mode || res.Lines != c.lines || res.Events != c.events || res.Unknown != 0 || !res.Reproduced || !res.LogFailed {
				t.Errorf("result %+v", res)
			}
			if !strings.HasPrefix(res.Settings.Mode.From, c.modeFrom) {
				t.Errorf("mode from %q, want %q", res.Settings.Mode.From, c.modeFrom)
			}
			if !bytes.HasPrefix(res.YAML, []byte("# Imported from "+c.log+" by `simrun import`.\n# Story: ")) ||
				!bytes.Contains(res.YAML, []byte("\n# Inferred (from the log's lines), given by flag, or a default:\n")) {
				t.Errorf("no header comment block:\n%s", res.YAML)
			}
			for _, w := range c.wantInYAML {
				if !bytes.Contains(res.YAML, []byte(w)) {
					t.Errorf("YAML lacks %q", w)
				}
			}
			run := runRaw(t, res)
			for _, id := range c.mustFail {
				if got := status(run, id); got != check.Fail {
					t.Errorf("%s: %s, want fail", id, got)
				}
			}
			for _, v := range run.Verdicts {
				if (v.Status == check.Fail) != slices.Contains(res.Failing, v.ID) {
					t.Errorf("%s is %s but Failing is %v", v.ID, v.Status, res.Failing)
				}
			}
		})
	}
}

// The frontend story: the key API's foreground sync gets the injected 503 and its span ends with
// the SYNC-7 text; nothing retries, so P1 fails.
func TestFrontendSpanEndsWithSync7Text(t *testing.T) {
	run := runRaw(t, importFile(t, filepath.Join("testdata", "host-log-sample-frontend.log")))
	const text = "SyncTriggers call failed (StatusCode=ServiceUnavailable)."
	found := false
	for _, r := range run.Trace.Records {
		if r.Kind == trace.KindSyncEnd && field(r, "success") == "false" {
			if got := field(r, "error"); got != text {
				t.Errorf("failed span's error %q, want %q", got, text)
			}
			found = true
		}
	}
	if !found {
		t.Fatal("no failed sync.end record in the trace")
	}
}

const starting = "Starting Host (HostId=shop, InstanceId=0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d, Version=4.1037.0.0, ProcessId=640, AppDomainId=1, InDebugMode=False, InDiagnosticMode=False, FunctionsExtensionVersion=~4)"

// Unknown messages are counted and kept as comments, in place and without anything that looks like
// a secret; lines in no format are counted in the comment block; neither is an error.
func TestUnknownLinesKeptAsComments(t *testing.T) {
	log := strings.Join([]string{
		"# a comment",
		"2026-04-20T11:58:00Z pod-e2b4 Information Host.Startup " + starting,
		"this line has no shape",
		"2026-04-20T11:58:10Z pod-e2b4 Information Request to /api/Http1?code=s3cr3tFunctionKey done",
		"",
		"2026-04-20T11:59:00Z pod-e2b4 Information Syncsim.World Host key 'default' updated",
	}, "\n")
	res, err := importString(t, log)
	if err != nil {
		t.Fatal(err)
	}
	if res.Lines != 6 || res.Events != 2 || res.Unknown != 1 {
		t.Fatalf("lines %d events %d unknown %d, want 6, 2, 1\n%s", res.Lines, res.Events, res.Unknown, res.YAML)
	}
	for _, want := range []string{
		"# - 1 line(s) in no format the reader knows are left out, the first at line 3.\n",
		"  # unknown line 4: Request to /api/Http1?code=[redacted] done\n",
		"  - at: 1m2s\n    rotate_key: {key: host.default}\n",
	} {
		if !bytes.Contains(res.YAML, []byte(want)) {
			t.Errorf("YAML lacks %q:\n%s", want, res.YAML)
		}
	}
	if bytes.Contains(res.YAML, []byte("s3cr3t")) {
		t.Error("a secret from the log reached the scenario")
	}
	if _, err := scenarios.Parse("unknown.yaml", res.YAML); err != nil {
		t.Fatal(err)
	}
}

// A deletion that does not follow a hash write is a timeline delete; a later new instance a start;
// a second Starting Host of a running instance a restart in place.
func TestTimelineActions(t *testing.T) {
	start := func(at, pod string) string { return at + " " + pod + " Information Host.Startup " + starting }
	log := strings.Join([]string{
		start("2026-04-20T10:00:02Z", "pod-a"),
		start("2026-04-20T10:00:02.5Z", "pod-b"),
		"2026-04-20T10:05:00Z deploy Information Syncsim.World Deployment completed (Site=shop)",
		start("2026-04-20T10:05:02Z", "pod-a"),
		"2026-04-20T10:06:00Z pod-a Information Syncsim.World Instance deleted (scale in to 1)",
		start("2026-04-20T10:07:02Z", "pod-c"),
		"2026-04-20T10:08:00Z platform Error Syncsim.Platform GET /admin/host/triggers abandoned after 300 s",
	}, "\n")
	res, err := importString(t, log)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"instances:\n  count: 2\n",
		"  - at: 5m\n    deploy:\n",
		"  # 5m2s (10:05:02.000) line 4 pod-a: host restarts in place",
		"  - at: 6m\n    delete: {which: oldest}\n",
		"  - at: 7m\n    start: {count: 1}\n",
		"mesh:\n  retry_budget: 5m",
		"settle: 11m\n",
		"# - instances the log names: pod-a, pod-b, pod-c",
	} {
		if !bytes.Contains(res.YAML, []byte(want)) {
			t.Errorf("YAML lacks %q:\n%s", want, res.YAML)
		}
	}
	if bytes.Contains(res.YAML, []byte("faults:")) {
		t.Errorf("no fault expected:\n%s", res.YAML)
	}
	if _, err := scenarios.Parse("actions.yaml", res.YAML); err != nil {
		t.Fatal(err)
	}
}

// Quiet stretches longer than maxIdle are shortened to it, each one and cumulatively, and the
// header says so: a log with lines a century apart imports as a scenario of hours, not a century.
func TestLongQuietStretchesShortened(t *testing.T) {
	log := strings.Join([]string{
		"2026-04-20T10:00:02Z pod-a Information Host.Startup " + starting,
		"2026-04-20T10:30:00Z deploy Information Syncsim.World Deployment completed (Site=shop)",
		"2026-04-23T10:30:00Z deploy Information Syncsim.World Deployment completed (Site=shop)",
		"2126-04-20T10:00:00Z pod-a Information Syncsim.World Instance deleted (scale in to 0)",
	}, "\n")
	res, err := importString(t, log)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"# - 2 quiet stretch(es) between logged events, the longest 876503h30m, are shortened to 1h each",
		"  - at: 30m\n    deploy:\n",                         // under maxIdle: kept
		"  # 1h30m (2026-04-23 10:30:00.000) line 3 deploy:", // 72h -> 1h
		"  - at: 2h30m\n    delete: {which: newest}\n",
	} {
		if !bytes.Contains(res.YAML, []byte(want)) {
			t.Errorf("YAML lacks %q:\n%s", want, res.YAML)
		}
	}
	// A platform that abandons its fetch after 2h keeps stretches of up to twice that.
	res, err = importString(t, log+"\n2126-04-20T10:00:01Z platform Error Syncsim.Platform GET /admin/host/triggers abandoned after 7200 s")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"are shortened to 4h each", "  - at: 4h30m\n    deploy:\n", "  - at: 8h30m\n    delete:"} {
		if !bytes.Contains(res.YAML, []byte(want)) {
			t.Errorf("YAML lacks %q:\n%s", want, res.YAML)
		}
	}
	sc, err := scenarios.Parse("long.yaml", res.YAML)
	if err != nil {
		t.Fatal(err)
	}
	if end := sc.End(); end > 9*time.Hour {
		t.Errorf("scenario ends at %s, want the shortened timeline's end (under 9h)", end)
	}
}

// An empty log, a log in no known format, an unknown mode flag or Site settings mode, and a site
// that is not a site name are errors that name the file and the fix; a log with no host start is
// not an error: an instance started at the beginning runs it, and the comment block says so.
func TestErrors(t *testing.T) {
	cases := []struct {
		name, log string
		o         Options
		is        error
		want      string
	}{
		{"empty", "", Options{}, ErrEmpty, "test.log: importer: empty log"},
		{"comments only", "# nothing\n\n# here\n", Options{}, ErrEmpty, "no entry, only comments or blank lines"},
		{"no known format", "\x00\x01\x02 binary\n", Options{}, ErrFormat, "test.log"},
		{"bad mode flag", "SyncTriggers call succeeded.\n", Options{Mode: "sideways"}, ErrBadLog, `test.log: importer: bad log: --mode "sideways" names no mode (fix: --mode`},
		{"bad logged mode", "2026-04-20T10:00:00Z world Information Syncsim.World Site settings (Site=shop, HostId=shop, Mode=Sideways)\n", Options{}, ErrBadLog,
			`mode "Sideways" (test.log:1 `},
		{"bad site flag", "SyncTriggers call succeeded.\n", Options{Site: "my_app!"}, ErrBadLog, `site "my_app!" (--site) is not a site name (fix: a site name is [a-z0-9-]{1,60}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ImportWith("test.log", strings.NewReader(c.log), c.o)
			if !errors.Is(err, c.is) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %v containing %q", err, c.is, c.want)
			}
		})
	}
	res, err := importString(t, "2026-04-20T10:00:00Z pod-a Debug SyncTriggers call succeeded.\n")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(res.YAML, []byte("# - the log shows no host start: one instance (pod-a) starts at t=0 and runs from 2s, before the log's first line.")) ||
		!bytes.Contains(res.YAML, []byte("instances:\n  count: 1\n")) {
		t.Fatalf("no host start:\n%s", res.YAML)
	}
}

// What the log does not say comes from a flag, a line of the log (named, with its words), or a
// default (said so); the mode from a Site settings line, from the host's notification lines, or
// frontend.
func TestInference(t *testing.T) {
	request := "Making SyncTriggers request (RequestId=1, Uri=https://orders-app.azurewebsites.net/operations/settriggers, Content={\"triggers\":[{\"type\":\"httpTrigger\"}]})."
	cases := []struct {
		name          string
		log           []string
		o             Options
		site, siteSrc string
		hostID        string
		mode, modeSrc string
		unnamed       string
	}{
		{"defaults", []string{"SyncTriggers call succeeded."}, Options{},
			DefaultSite, "default", DefaultSite, "frontend", "default", DefaultInstance},
		{"flags", []string{"SyncTriggers call succeeded."}, Options{Site: "Shop", Mode: "additive", Instance: "pod-9"},
			"shop", "--site", "shop", "additive", "--mode", "pod-9"},
		{"site from the request URI", []string{"2024-01-01T00:00:00Z pod-a Debug " + request}, Options{},
			"orders-app", "test.log:1 `Making SyncTriggers request", "orders-app", "frontend", "default", "pod-a"},
		{"site and host id from Starting Host", []string{"2024-01-01T00:00:00Z pod-a Information " + starting}, Options{},
			"shop", "test.log:1 `Starting Host (HostId=shop", "shop", "frontend", "default", "pod-a"},
		{"additive: a mesh notification after a front-end request", []string{
			"2024-01-01T00:00:00Z pod-a Debug " + request,
			"2024-01-01T00:00:01Z pod-a Debug SyncTriggers call succeeded.",
			"2024-01-01T00:00:01.1Z pod-a Debug Sending mesh request update-triggers"}, Options{},
			"orders-app", "test.log:1", "orders-app", "additive", "test.log:3 `Sending mesh request update-triggers`", "pod-a"},
		{"platform: a notification with no front-end request", []string{
			"2024-01-01T00:00:00Z pod-a Debug Posting triggers changed notification to appserver."}, Options{},
			DefaultSite, "default", DefaultSite, "platform", "test.log:1 `Posting triggers changed notification to appserver.`", "pod-a"},
		{"additive: #11813's failure text", []string{
			"2024-01-01T00:00:00Z pod-a Debug Sending mesh request update-triggers",
			"2024-01-01T00:00:01Z pod-a Warning Failed to notify platform of triggers change."}, Options{},
			DefaultSite, "default", DefaultSite, "additive", "test.log:2", "pod-a"},
		{"a Site settings line", []string{
			"2024-01-01T00:00:00Z world Information Syncsim.World Site settings (Site=billing, HostId=billing-host, Mode=platform)",
			"2024-01-01T00:00:01Z pod-a Debug " + request}, Options{},
			"billing", "test.log:1 `Site settings", "billing-host", "platform", "test.log:1 `Site settings", "pod-a"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := ImportWith("test.log", strings.NewReader(strings.Join(c.log, "\n")+"\n"), c.o)
			if err != nil {
				t.Fatal(err)
			}
			s := res.Settings
			if s.Site.Value != c.site || !strings.HasPrefix(s.Site.From, c.siteSrc) || s.HostID.Value != c.hostID ||
				s.Mode.Value != c.mode || !strings.HasPrefix(s.Mode.From, c.modeSrc) || s.Unnamed.Value != c.unnamed {
				t.Fatalf("settings %+v", s)
			}
			if !bytes.Contains(res.YAML, []byte("# - site "+c.site+": ")) || !bytes.Contains(res.YAML, []byte("# - mode "+c.mode+": ")) {
				t.Errorf("the comment block does not say the site and mode:\n%s", res.YAML)
			}
		})
	}
}

// A log with no time at all is read in line order, with the spacing the import chooses said in the
// comment block, and a caller's attempts keep that spacing.
func TestUntimedLogSpacing(t *testing.T) {
	log := "Syncing triggers...\nSyncing triggers...\nSyncing triggers...\nError calling sync triggers (BadRequest).\n"
	res, err := importString(t, log)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"# - the log gives no time: its 4 entries are read in line order, 5s apart from 2026-01-01T00:00:00Z (the spacing the import chooses).",
		"    admin_sync: {count: 1, retry: {count: 2, delay: 5s}}\n",
		"{fault: fe-size-limit, params: {bytes: 1, p: 1,",
	} {
		if !bytes.Contains(res.YAML, []byte(want)) {
			t.Errorf("YAML lacks %q:\n%s", want, res.YAML)
		}
	}
}

// Durations render as Go durations the loader reads back.
func TestDuration(t *testing.T) {
	cases := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"}, {-time.Second, "0s"}, {250 * time.Millisecond, "250ms"}, {31 * time.Second, "31s"},
		{59*time.Minute + 57880*time.Millisecond, "59m57.88s"}, {time.Hour + 29884*time.Millisecond, "1h29.884s"},
		{2 * time.Hour, "2h"}, {time.Hour + 5*time.Minute, "1h5m"}, {61507 * time.Millisecond, "1m1.507s"},
	}
	for _, c := range cases {
		got := duration(c.d)
		if back, err := time.ParseDuration(got); got != c.want || err != nil || back != max(c.d, 0) {
			t.Errorf("duration(%v) = %q (%v, %v), want %q", c.d, got, back, err, c.want)
		}
	}
}

// The story's elements the corpora do not show: a publish answered with a status no fault of the
// catalogue gives is said to be beyond the model; a caller's call that succeeds at its last attempt
// ends the front end's refusal before it, and the run recovers as the log does.
func TestStoryElements(t *testing.T) {
	cases := []struct {
		name      string
		log       []string
		logFailed bool
		want      []string
	}{
		{"a status no fault gives", []string{
			"2024-01-01T00:00:00Z pod-a Debug Making SyncTriggers request (RequestId=1, Uri=https://app.azurewebsites.net/operations/settriggers, Content={\"triggers\":[{\"type\":\"queueTrigger\"}]}).",
			"2024-01-01T00:00:00.2Z pod-a Debug SyncTriggers call failed (StatusCode=Unauthorized).",
		}, true, []string{"# - the model cannot tell: the front end's Unauthorized to MSG-1 (line 2): no fault of the catalogue answers 401 (fe-status answers [429 500 503])."}},
		{"a call that succeeds at last", []string{
			`<step title="Begin HttpPost https://app.azurewebsites.net/admin/host/synctriggers, x-ms-request-id: 1" date="2024-04-25T17:42:19.000"/>`,
			`<step title="End HttpPost, status: ServiceUnavailable" date="2024-04-25T17:42:19.500"/>`,
			`<step title="Begin HttpPost https://app.azurewebsites.net/admin/host/synctriggers, x-ms-request-id: 2" date="2024-04-25T17:42:24.000"/>`,
			`<step title="End HttpPost, status: ServiceUnavailable" date="2024-04-25T17:42:24.500"/>`,
			`<step title="Begin HttpPost https://app.azurewebsites.net/admin/host/synctriggers, x-ms-request-id: 3" date="2024-04-25T17:42:29.000"/>`,
			`<step title="End HttpPost, status: OK" date="2024-04-25T17:42:29.500"/>`,
		}, false, []string{"admin_sync: {count: 1, retry: {count: 2, delay: 5s}}", "{fault: fe-status, params: {status: 503, p: 1,",
			"and the run recovers too", "it ends before the caller's last attempt at 12s, which succeeds"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := importString(t, strings.Join(c.log, "\n")+"\n")
			if err != nil {
				t.Fatal(err)
			}
			if res.LogFailed != c.logFailed {
				t.Errorf("log ends failed %v, want %v", res.LogFailed, c.logFailed)
			}
			for _, w := range c.want {
				if !bytes.Contains(res.YAML, []byte(w)) {
					t.Errorf("the scenario lacks %q:\n%s", w, res.YAML)
				}
			}
		})
	}
}
