package importer

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/check"
	"github.com/syncsim/syncsim/internal/runner"
	"github.com/syncsim/syncsim/internal/trace"
	"github.com/syncsim/syncsim/scenarios"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

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

// Both sample logs import to scenarios that load, match their goldens and, run raw in the log's
// mode, fail P1 as the logged story did.
func TestSampleLogs(t *testing.T) {
	cases := []struct {
		log, mode   string
		lines       int
		events      int
		mustFail    []string
		wantInYAML  []string
		startAtBase string
	}{
		{log: "host-log-sample.log", mode: "platform", lines: 20, events: 15, mustFail: []string{"P1", "P4"},
			wantInYAML: []string{"instances:\n  count: 1\n", "  - at: 0s\n    deploy:\n", "  - at: 59m57.88s\n    start: {count: 1}\n",
				"    - fault: delete-instance\n      point: after-hash-write\n      after: 31s\n      background: true\n",
				"modes: [platform]\n", "  platform: [P1, P4, P13]\n", "site:\n  name: myapp\n  host_id: myapp\n"}},
		{log: "host-log-sample-frontend.log", mode: "frontend", lines: 6, events: 4, mustFail: []string{"P1"},
			wantInYAML: []string{"  - at: 2m2s\n    rotate_key: {key: host.default}\n",
				"{fault: fe-status, params: {status: 503, p: 1, after: 2m1s, until: 2m4s, count: 1}}", "faults_end: 2m4s",
				"modes: [frontend]\n", "  frontend: [P1, P13]\n"}},
	}
	for _, c := range cases {
		t.Run(c.log, func(t *testing.T) {
			res := importFile(t, filepath.Join("testdata", c.log))
			golden := filepath.Join("testdata", strings.TrimSuffix(c.log, ".log")+".golden.yaml")
			if *update {
				if err := os.WriteFile(golden, res.YAML, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/importer -update)", err)
			}
			if !bytes.Equal(res.YAML, want) {
				t.Errorf("%s differs from the import (run go test ./internal/importer -update and review the diff):\n%s", golden, res.YAML)
			}
			if res.Mode != c.mode || res.Lines != c.lines || res.Events != c.events || res.Unknown != 0 || !res.Reproduced {
				t.Errorf("result %+v", res)
			}
			if !bytes.HasPrefix(res.YAML, []byte("# Imported from "+c.log+" by `simrun import`.\n# Story: ")) ||
				!bytes.Contains(res.YAML, []byte("\n# Inferred:\n")) {
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

// Unknown lines are counted and kept as comments, in place and without anything that looks like a
// secret; they are not errors.
func TestUnknownLinesKeptAsComments(t *testing.T) {
	log := strings.Join([]string{
		"# a comment",
		"2026-04-20T11:58:00Z pod-e2b4 Information Host started (Site=shop, HostId=shop, SyncTriggersMode=FrontEnd)",
		"this line has no shape",
		"yesterday pod-e2b4 Information Host key 'default' updated",
		"2026-04-20T11:58:10Z pod-e2b4 Information Request to /api/Http1?code=s3cr3tFunctionKey done",
		"",
		"2026-04-20T11:59:00Z pod-e2b4 Information Host key 'default' updated",
	}, "\n")
	res, err := importString(t, log)
	if err != nil {
		t.Fatal(err)
	}
	if res.Lines != 7 || res.Events != 2 || res.Unknown != 3 {
		t.Fatalf("lines %d events %d unknown %d, want 7, 2, 3", res.Lines, res.Events, res.Unknown)
	}
	for _, want := range []string{
		"  # unknown line 3: this line has no shape\n",
		"  # unknown line 4: yesterday pod-e2b4 Information Host key 'default' updated\n",
		"  # unknown line 5: 2026-04-20T11:58:10Z pod-e2b4 Information Request to /api/Http1?code=[redacted] done\n",
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

// A deletion that does not follow a hash write is a timeline delete; a later new instance a start.
func TestTimelineActions(t *testing.T) {
	log := strings.Join([]string{
		"2026-04-20T10:00:02Z pod-a Information Host started (Site=app, HostId=app, SyncTriggersMode=Platform)",
		"2026-04-20T10:00:02.5Z pod-b Information Host started (Site=app, HostId=app, SyncTriggersMode=Platform)",
		"2026-04-20T10:05:00Z deploy Information Deployment completed (Site=app)",
		"2026-04-20T10:05:02Z pod-a Information Host started (Site=app, HostId=app, SyncTriggersMode=Platform)",
		"2026-04-20T10:06:00Z pod-a Information Instance deleted (scale in to 1)",
		"2026-04-20T10:07:02Z pod-c Information Host started (Site=app, HostId=app, SyncTriggersMode=Platform)",
		"2026-04-20T10:08:00Z platform Error GET /admin/host/triggers abandoned after 300 s",
	}, "\n")
	res, err := importString(t, log)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"instances:\n  count: 2\n",
		"  - at: 5m\n    deploy:\n",
		"  # 5m2s (10:05:02.000) pod-a: host restarts in place",
		"  - at: 6m\n    delete: {which: oldest}\n",
		"  - at: 7m\n    start: {count: 1}\n",
		"mesh:\n  retry_budget: 5m",
		"settle: 11m\n",
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
		"2026-04-20T10:00:02Z pod-a Information Host started (Site=app, HostId=app, SyncTriggersMode=Platform)",
		"2026-04-20T10:30:00Z deploy Information Deployment completed (Site=app)",
		"2026-04-23T10:30:00Z deploy Information Deployment completed (Site=app)",
		"2126-04-20T10:00:00Z pod-a Information Instance deleted (scale in to 0)",
	}, "\n")
	res, err := importString(t, log)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"# - 2 quiet stretch(es) between logged events, the longest 876503h30m, are shortened to 1h each",
		"  - at: 30m\n    deploy:\n",                  // under maxIdle: kept
		"  # 1h30m (2026-04-23 10:30:00.000) deploy:", // 72h -> 1h
		"  - at: 2h30m\n    delete: {which: newest}\n",
	} {
		if !bytes.Contains(res.YAML, []byte(want)) {
			t.Errorf("YAML lacks %q:\n%s", want, res.YAML)
		}
	}
	// A platform that abandons its fetch after 2h keeps stretches of up to twice that.
	res, err = importString(t, log+"\n2126-04-20T10:00:01Z platform Error GET /admin/host/triggers abandoned after 7200 s")
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

// An empty log, a log without a host start and a host start with an unreadable time are errors
// that name the file and what is missing.
func TestErrors(t *testing.T) {
	cases := []struct {
		name, log string
		is        error
		want      string
	}{
		{"empty", "", ErrEmpty, "test.log: importer: empty log"},
		{"comments only", "# nothing\n\n# here\n", ErrEmpty, "no event line"},
		{"no host start", "2026-04-20T10:00:00Z deploy Information Deployment completed (Site=myapp)\n", ErrNoHostStart,
			"test.log: importer: no Host started line: nothing says when an instance runs"},
		{"unreadable time", "2026-04-20 10:00:02 pod-a Information Host started (Site=myapp, HostId=myapp, SyncTriggersMode=Platform)\n",
			ErrNoHostStart, `line 1's time "2026-04-20" is not RFC 3339`},
		{"bad mode", "2026-04-20T10:00:02Z pod-a Information Host started (Site=myapp, SyncTriggersMode=Sideways)\n",
			ErrBadLog, `test.log:1: importer: bad log: unknown SyncTriggersMode "Sideways"`},
		{"bad site", "2026-04-20T10:00:02Z pod-a Information Host started (Site=my_app!, SyncTriggersMode=Platform)\n",
			ErrBadLog, `names site "my_app!"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := importString(t, c.log)
			if !errors.Is(err, c.is) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %v containing %q", err, c.is, c.want)
			}
		})
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
		{2 * time.Hour, "2h"}, {time.Hour + 5*time.Minute, "1h5m"},
	}
	for _, c := range cases {
		got := duration(c.d)
		if back, err := time.ParseDuration(got); got != c.want || err != nil || back != max(c.d, 0) {
			t.Errorf("duration(%v) = %q (%v, %v), want %q", c.d, got, back, err, c.want)
		}
	}
}
