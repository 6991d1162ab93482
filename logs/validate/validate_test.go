package validate

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/logs"
	"github.com/syncsim/syncsim/logs/importer"
	"github.com/syncsim/syncsim/runner"
	"github.com/syncsim/syncsim/scenarios"
)

// The sample logs, in the model's language (syncsim's format): copies of
// ../shared/reference/host-log-sample*.log with the real host's templates.
const (
	samplePlatform = "../importer/testdata/host-log-sample.log"
	sampleFrontEnd = "../importer/testdata/host-log-sample-frontend.log"
)

func readSample(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimRight(string(b), "\n"), "\n")
}

func run(t *testing.T, name string, lines []string, opts Options) *Result {
	t.Helper()
	res, err := Validate(opts, Source{Name: name, R: strings.NewReader(strings.Join(lines, "\n") + "\n")})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return res
}

func TestSampleLogsValidate(t *testing.T) {
	for _, tc := range []struct {
		path            string
		mode            string
		explained, sync int
	}{
		{samplePlatform, "platform", 18, 7},
		{sampleFrontEnd, "frontend", 5, 2},
	} {
		res := run(t, tc.path, readSample(t, tc.path), Options{})
		if !res.OK() {
			t.Errorf("%s: %s: %v", tc.path, res.Verdict, res.Failure)
			continue
		}
		if res.Mode != tc.mode || res.Explained != tc.explained || res.SyncSteps != tc.sync || res.SkippedCount() != 0 || res.Entries != tc.explained {
			t.Errorf("%s: mode %s, %s; want %s, %d explained, %d sync steps", tc.path, res.Mode, res.Summary(), tc.mode, tc.explained, tc.sync)
		}
	}
}

// mutate removes the lines remove (1-based file lines) or swaps lines a and b.
func mutate(lines []string, remove []int, a, b int) []string {
	out := append([]string{}, lines...)
	for i := len(remove) - 1; i >= 0; i-- {
		out = append(out[:remove[i]-1], out[remove[i]:]...)
	}
	if a > 0 {
		out[a-1], out[b-1] = out[b-1], out[a-1]
	}
	return out
}

func TestMutatedSampleLogsDoNotValidate(t *testing.T) {
	for _, tc := range []struct {
		name     string
		path     string
		remove   []int
		a, b     int
		failLine int
		why      string
	}{
		{"hash write removed", samplePlatform, []int{15}, 0, 0, 22, "the hash blob holds '36463dedc7e6'"},
		{"deletion removed", samplePlatform, []int{16}, 0, 0, 16, "the platform has no notification to fetch for (MESH-2)"},
		{"mesh request removed", samplePlatform, []int{13}, 0, 0, 13, "the model's next line for pod-a7f3 is \"Sending mesh request update-triggers\""},
		{"background start removed", samplePlatform, []int{10}, 0, 0, 10, "no hash read is pending"},
		{"host start removed", samplePlatform, []int{20, 21}, 0, 0, 20, "no instance \"pod-c19e\" is running"},
		{"hash read and mesh request swapped", samplePlatform, nil, 11, 13, 13, "no hash read is pending"},
		{"mesh response and hash write swapped", samplePlatform, nil, 14, 15, 14, "no hash write is pending"},
		{"host started and background start swapped", samplePlatform, nil, 9, 10, 9, "the model's next line for pod-a7f3 is \"Host started"},
		{"second hash read before its background start", samplePlatform, nil, 22, 23, 22, "no hash read is pending"},
		{"front-end request and failure swapped", sampleFrontEnd, nil, 7, 8, 7, "no frontend request is pending"},
		{"Host started before Starting Host", sampleFrontEnd, nil, 4, 5, 4, "the model's next line for pod-e2b4 is \"Starting Host"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, "mutated.log", mutate(readSample(t, tc.path), tc.remove, tc.a, tc.b), Options{})
			if res.OK() || res.Verdict != Failed {
				t.Fatalf("the mutated log is %s (%s)", res.Verdict, res.Summary())
			}
			msg := res.Failure.Error()
			if !strings.HasPrefix(msg, "mutated.log:"+strconv.Itoa(tc.failLine)+": ") || !strings.Contains(msg, tc.why) ||
				!strings.Contains(msg, "the model cannot take this step from [") || !strings.Contains(msg, "; it could: ") {
				t.Errorf("got %q\nwant line %d and %q", msg, tc.failLine, tc.why)
			}
			if res.Skipped[SkipNotReached] == 0 && tc.failLine < len(readSample(t, tc.path))-1 {
				t.Errorf("the lines after the failure are not counted: %s", res.Summary())
			}
		})
	}
}

// TestSimulatorLogsValidate renders the log of simulator runs (the trace both drivers write) with
// HostLog and validates it in the run's mode: the model's own log is explained, with sync steps.
func TestSimulatorLogsValidate(t *testing.T) {
	modes := []host.Mode{host.ModeFrontend, host.ModePlatform, host.ModeAdditive, host.ModeSignalAll}
	for _, path := range []string{"../../scenarios/smoke.yaml", "../../scenarios/concurrency.yaml"} {
		sc, err := scenarios.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range modes {
			for seed := uint64(1); seed <= 3; seed++ {
				r, err := runner.RunOne(sc, m, seed, runner.Options{Raw: true})
				if err != nil {
					t.Fatal(err)
				}
				log := HostLog(r.Trace.Records)
				// No --mode: the log's Site settings line says it.
				res, err := Validate(Options{}, Source{Name: "sim.log", R: bytes.NewReader(log)})
				if err != nil {
					t.Fatal(err)
				}
				switch {
				case res.Mode != m.String():
					t.Errorf("%s %s seed %d: mode %s from %s", path, m, seed, res.Mode, res.ModeFrom)
				case !res.OK():
					t.Errorf("%s %s seed %d: %s: %v\n%s", path, m, seed, res.Verdict, res.Failure, res.Summary())
				case res.SyncSteps < 5 || res.Explained < 10:
					t.Errorf("%s %s seed %d: %s", path, m, seed, res.Summary())
				}
			}
		}
	}
}

// The model's log written in each format logs.Write writes (syncsim's, MS_FUNCTION_LOGS, the App
// Insights JSON export) reads back to the same validation: the formats real logs come in carry the
// model's story as well as its own.
func TestSimulatorLogsInEachFormatValidate(t *testing.T) {
	sc, err := scenarios.Load("../../scenarios/smoke.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range host.ModesOfRecord() {
		r, err := runner.RunOne(sc, m, 1, runner.Options{Raw: true})
		if err != nil {
			t.Fatal(err)
		}
		var want string
		for _, f := range logs.Writable() {
			log, err := HostLogAs(r.Trace.Records, f)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Validate(Options{}, Source{Name: "sim." + string(f), R: bytes.NewReader(log)})
			if err != nil {
				t.Fatalf("%s %s: %v", m, f, err)
			}
			if !res.OK() || res.Mode != m.String() {
				t.Errorf("%s %s: %s in %s: %v\n%s", m, f, res.Verdict, res.Mode, res.Failure, res.Summary())
				continue
			}
			if want == "" {
				want = res.Summary()
			} else if got := res.Summary(); got != want {
				t.Errorf("%s %s: %s, want %s as in syncsim's format", m, f, got, want)
			}
		}
	}
}

func TestPlatformLogMerged(t *testing.T) {
	all := readSample(t, samplePlatform)
	var hostLines, platform []string
	for _, l := range all {
		if f := strings.Fields(l); len(f) > 1 && f[1] == "platform" {
			platform = append(platform, l)
		} else {
			hostLines = append(hostLines, l)
		}
	}
	res, err := Validate(Options{}, Source{Name: "host.log", R: strings.NewReader(strings.Join(hostLines, "\n"))},
		Source{Name: "mesh.log", R: strings.NewReader(strings.Join(platform, "\n"))})
	if err != nil || !res.OK() || res.Explained != 18 {
		t.Fatalf("merged logs: %v %+v", err, res)
	}
	// A platform failure while an instance runs is not one the model can take.
	bad := []string{strings.Replace(platform[0], "10:00:32.650Z", "10:00:32.300Z", 1)}
	res, err = Validate(Options{}, Source{Name: "host.log", R: strings.NewReader(strings.Join(hostLines, "\n"))},
		Source{Name: "mesh.log", R: strings.NewReader(strings.Join(bad, "\n"))})
	if err != nil || res.OK() || res.Failure.File != "mesh.log" || res.Failure.Line != 1 {
		t.Fatalf("a fetch failure before the deletion validates or names another line: %v %+v", err, res)
	}
}

func TestBadInput(t *testing.T) {
	for _, tc := range []struct {
		name, log string
		opts      Options
		want      error
	}{
		{"empty", "# only a comment\n\n", Options{}, ErrEmpty},
		{"line over the limit", "SyncTriggers call succeeded. " + strings.Repeat("x", 200) + "\n", Options{Read: importer.Options{MaxLineBytes: 100}}, ErrUnreadable},
		{"no known format", "\x00\x01 binary\n", Options{}, ErrUnreadable},
		{"unknown mode flag", "2026-04-20T10:00:00Z pod-a Information Host started (12ms)\n", Options{Mode: "fast"}, ErrBadMode},
		{"unknown logged mode", "2026-04-20T10:00:00Z world Information Syncsim.World Site settings (Site=a, HostId=a, Mode=Turbo)\n", Options{}, ErrBadMode},
	} {
		_, err := Validate(tc.opts, Source{Name: "bad.log", R: strings.NewReader(tc.log)})
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), "bad.log") && tc.name != "unknown mode flag" || !strings.Contains(err.Error(), "fix") {
			t.Errorf("%s: got %v, want %v naming the file and the fix", tc.name, err, tc.want)
		}
	}
}

// Lines the model does not judge are counted by reason and named; they are not failures.
func TestSkippedLinesCounted(t *testing.T) {
	lines := readSample(t, sampleFrontEnd)
	lines = append(lines[:5], append([]string{
		"2026-04-20T11:59:00.005Z pod-e2b4 Debug Something the catalogue does not know",
		"2026-04-20T11:59:00.006Z pod-e2b4 Information Function.Orders Executing 'Functions.Orders'",
		"2026-04-20T11:59:00.007Z pod-e2b4 Information Host.Startup Job host started",
		"2026-04-20T11:59:00.008Z frontend Information POST /operations/settriggers 200",
	}, lines[5:]...)...)
	res := run(t, "u.log", lines, Options{})
	if !res.OK() || res.Skipped[SkipUnknown] != 2 || res.Skipped[SkipCategory] != 1 || res.Skipped[SkipNotAStep] != 1 ||
		res.SkippedCount() != 4 || res.SkippedLines[0] != "u.log:6 (unknown message)" {
		t.Fatalf("skipped: %s %v", res.Summary(), res.SkippedLines)
	}
	want := "explained 5 of 9 lines (2 sync steps); skipped 4 (by reason: no model step 1, other category 1, unknown message 2)"
	if got := res.Summary(); got != want {
		t.Fatalf("summary %q\nwant %q", got, want)
	}
}

// A log with no line the model can judge is inconclusive, never a pass: lines without a time, only
// lines the catalogue does not know, only start-up lines.
func TestNothingJudgedIsInconclusive(t *testing.T) {
	for _, tc := range []struct {
		name   string
		lines  []string
		reason string
	}{
		{"no time", []string{"Making SyncTriggers request (RequestId=1, Uri=https://a.azurewebsites.net/operations/settriggers, Content={}).", "SyncTriggers call failed (StatusCode=BadRequest)."}, SkipNoTime},
		{"unknown messages", []string{"2026-04-20T10:00:00Z pod-a Information Hello", "2026-04-20T10:00:01Z pod-a Information World"}, SkipUnknown},
		{"start-up only", []string{"2026-04-20T10:00:00Z pod-a Information Host.Startup Job host started", "2026-04-20T10:00:01Z pod-a Information Host.Startup Loading functions metadata"}, SkipNotAStep},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, "x.log", tc.lines, Options{})
			if res.Verdict != Inconclusive || res.OK() || res.Skipped[tc.reason] == 0 || res.Why() == "" {
				t.Fatalf("%s: %s (%s)", res.Verdict, res.Summary(), res.Why())
			}
		})
	}
}

// A lost primary lease is modelled: the primary's next renewal fails and it stops being primary
// (PROTOCOL.md section 1); a second logger's line for the same loss is the same step; a loss on an
// instance that is not the primary is not one the model can take.
func TestLeaseLost(t *testing.T) {
	lines := []string{
		"2018-09-20T09:10:48.075 [Error] Singleton lock renewal failed for blob 'app/host' with error code 409: LeaseIdMismatchWithLeaseOperation. The last successful renewal completed at 2018-09-20T09:10:36.019Z (12056 milliseconds ago) with a duration of 20 milliseconds. The lease period was 15000 milliseconds.",
		"2018-09-20T09:10:48.152 [Information] Failed to renew host lock lease: Another host has acquired the lease. The last successful renewal completed at 2018-09-20T09:10:36.019Z (12132 milliseconds ago) with a duration of 207 milliseconds.",
		"2018-09-20T09:10:49.000 [Debug] Initiating background SyncTriggers operation",
	}
	res := run(t, "lease.log", lines[:2], Options{})
	if res.Verdict != Inconclusive || res.Explained != 2 || res.Failure != nil {
		t.Fatalf("lease lines: %s %v", res.Summary(), res.Failure)
	}
	// After the loss the instance is no longer primary: its background sync cannot run (SYNC-8).
	res = run(t, "lease.log", lines, Options{})
	if res.Verdict != Failed || res.Failure.Line != 3 || !strings.Contains(res.Failure.Error(), "not the primary host") {
		t.Fatalf("background sync after the loss: %s %v", res.Summary(), res.Failure)
	}
	// Two instances: the loss on the one that is not primary fails.
	two := []string{
		"2026-04-20T10:00:00Z pod-a Information Host.Startup " + strings.Replace(starting, "HostId=shop", "HostId=app", 1),
		"2026-04-20T10:00:00.5Z pod-b Information Host.Startup " + strings.Replace(starting, "HostId=shop", "HostId=app", 1),
		"2026-04-20T10:00:05Z pod-a Information Host.General Host lock lease acquired by instance ID 'pod-a'.",
		"2026-04-20T10:00:20Z pod-b Information Host.General Failed to renew host lock lease: Another host has acquired the lease. The last successful renewal completed at 2026-04-20T10:00:05Z (15000 milliseconds ago) with a duration of 3 milliseconds.",
	}
	res = run(t, "two.log", two, Options{})
	if res.Verdict != Failed || res.Failure.Line != 4 || !strings.Contains(res.Failure.Error(), "pod-b is not the primary: the lease is held by pod-a") {
		t.Fatalf("loss on the non-primary: %s %v", res.Summary(), res.Failure)
	}
}

const starting = "Starting Host (HostId=shop, InstanceId=0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d, Version=4.1037.0.0, ProcessId=640, AppDomainId=1, InDebugMode=False, InDiagnosticMode=False, FunctionsExtensionVersion=~4)"

// The caller's side is judged against MSG-4: retries follow failed answers and count up; an answer
// MSG-4 never gives (ARM's 400) is skipped; a retry after a success fails.
func TestCallerJudged(t *testing.T) {
	for _, tc := range []struct {
		name     string
		lines    []string
		verdict  Verdict
		failLine int
		why      string
		skipped  string
	}{
		{"retries then InternalServerError", []string{"20:18:40 app: Syncing triggers...", "20:19:21 app: Syncing triggers (Attempt 2/6)...",
			"20:19:32 app: Syncing triggers (Attempt 3/6)...", "20:21:59: Error: Encountered an error (InternalServerError) from host runtime."}, Explained, 0, "", ""},
		{"BadRequest is ARM's", []string{"Syncing triggers...", "Syncing triggers...", "Error calling sync triggers (BadRequest)."}, Explained, 0, "", SkipCallerAnswer},
		{"attempt skipped", []string{"20:18:40 app: Syncing triggers...", "20:19:21 app: Syncing triggers (Attempt 3/6)..."}, Failed, 2, "attempt 3 follows attempt 1", ""},
		{"attempt over its count", []string{"20:18:40 app: Syncing triggers (Attempt 2/2)...", "20:19:21 app: Syncing triggers (Attempt 3/2)..."}, Failed, 2, "attempt 3 of 2", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, "caller.log", tc.lines, Options{})
			if res.Verdict != tc.verdict {
				t.Fatalf("%s, want %s: %s %v", res.Verdict, tc.verdict, res.Summary(), res.Failure)
			}
			if tc.failLine > 0 && (res.Failure.Line != tc.failLine || !strings.Contains(res.Failure.Error(), tc.why)) {
				t.Fatalf("failure %v, want line %d and %q", res.Failure, tc.failLine, tc.why)
			}
			if tc.skipped != "" && res.Skipped[tc.skipped] == 0 {
				t.Fatalf("nothing skipped as %q: %s", tc.skipped, res.Summary())
			}
		})
	}
}

// A real log is an excerpt: an instance it never shows starting joins running, and the lines of a
// sync already under way are caught up with; a whole run's log (it opens with the harness's Site
// settings line) must start every instance.
func TestExcerptJoins(t *testing.T) {
	excerpt := []string{
		"2024-10-24T14:32:47.570Z pod-x Debug Making SyncTriggers request (RequestId=1, Uri=https://app.azurewebsites.net/operations/settriggers, Content={\"triggers\":[{\"type\":\"queueTrigger\"}]}).",
		"2024-10-24T14:32:47.990Z pod-x Debug SyncTriggers call failed (StatusCode=ServiceUnavailable).",
	}
	res := run(t, "excerpt.log", excerpt, Options{})
	if !res.OK() || res.SyncSteps != 2 {
		t.Fatalf("excerpt: %s %v", res.Summary(), res.Failure)
	}
	res = run(t, "excerpt.log", excerpt[1:], Options{})
	if !res.OK() || res.SyncSteps != 1 {
		t.Fatalf("an answer alone: %s %v", res.Summary(), res.Failure)
	}
	whole := append([]string{"2024-10-24T14:32:00Z world Information Syncsim.World Site settings (Site=app, HostId=app, Mode=frontend)"}, excerpt...)
	res = run(t, "whole.log", whole, Options{})
	if res.Verdict != Failed || res.Failure.Line != 2 || !strings.Contains(res.Failure.Error(), "no instance \"pod-x\" is running") {
		t.Fatalf("whole run: %s %v", res.Summary(), res.Failure)
	}
}
