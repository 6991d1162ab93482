package validate

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/importer"
	"github.com/syncsim/syncsim/internal/runner"
	"github.com/syncsim/syncsim/scenarios"
)

const (
	samplePlatform = "../../../shared/reference/host-log-sample.log"
	sampleFrontEnd = "../../../shared/reference/host-log-sample-frontend.log"
)

func readSample(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("the sample logs are not here (%v)", err)
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
		path  string
		mode  string
		steps int
	}{
		{samplePlatform, "platform", 15},
		{sampleFrontEnd, "frontend", 4},
	} {
		res := run(t, tc.path, readSample(t, tc.path), Options{})
		if !res.OK() {
			t.Errorf("%s: %v", tc.path, res.Failure)
			continue
		}
		if res.Mode != tc.mode || res.Steps != tc.steps || res.Unknown != 0 {
			t.Errorf("%s: mode %s, %d steps, %d unknown; want %s, %d, 0", tc.path, res.Mode, res.Steps, res.Unknown, tc.mode, tc.steps)
		}
	}
}

// mutate removes the line at remove (1-based file line) or swaps lines a and b.
func mutate(lines []string, remove, a, b int) []string {
	out := append([]string{}, lines...)
	if remove > 0 {
		return append(out[:remove-1], out[remove:]...)
	}
	out[a-1], out[b-1] = out[b-1], out[a-1]
	return out
}

func TestMutatedSampleLogsDoNotValidate(t *testing.T) {
	for _, tc := range []struct {
		name         string
		path         string
		remove, a, b int
		failLine     int
		why          string
	}{
		{"hash write removed", samplePlatform, 13, 0, 0, 19, "the hash blob holds '36463dedc7e6'"},
		{"deletion removed", samplePlatform, 14, 0, 0, 14, "no notification to fetch for"},
		{"notification line removed", samplePlatform, 10, 0, 0, 10, "the model's next line for pod-a7f3 is"},
		{"background start removed", samplePlatform, 8, 0, 0, 8, "no hash read is pending"},
		{"host start removed", samplePlatform, 18, 0, 0, 18, "no instance \"pod-c19e\" is running"},
		{"hash read and notification swapped", samplePlatform, 0, 9, 10, 10, "the model's next line for pod-a7f3 is"},
		{"mesh response and hash write swapped", samplePlatform, 0, 12, 13, 12, "no hash write is pending"},
		{"host start and background start swapped", samplePlatform, 0, 7, 8, 7, "no instance \"pod-a7f3\" is running"},
		{"second hash read before its background start", samplePlatform, 0, 19, 20, 19, "no hash read is pending"},
		{"front-end request removed", sampleFrontEnd, 5, 0, 0, 5, "the model's next line for pod-e2b4 is"},
		{"front-end request and failure swapped", sampleFrontEnd, 0, 5, 6, 5, "the model's next line for pod-e2b4 is"},
		{"host start removed (front end)", sampleFrontEnd, 3, 0, 0, 3, "no instance \"pod-e2b4\" is running"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, "mutated.log", mutate(readSample(t, tc.path), tc.remove, tc.a, tc.b), Options{})
			if res.OK() {
				t.Fatalf("the mutated log validates (%d steps)", res.Steps)
			}
			msg := res.Failure.Error()
			if !strings.HasPrefix(msg, "mutated.log:"+strconv.Itoa(tc.failLine)+": ") || !strings.Contains(msg, tc.why) ||
				!strings.Contains(msg, "the model cannot take this step from [") || !strings.Contains(msg, "; it could: ") {
				t.Errorf("got %q\nwant line %d and %q", msg, tc.failLine, tc.why)
			}
		})
	}
}

// TestSimulatorLogsValidate renders the host log of simulator runs (the trace both drivers write)
// and validates it in the run's mode.
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
				res, err := Validate(Options{Mode: m.String()}, Source{Name: "sim.log", R: bytes.NewReader(HostLog(r.Trace.Records))})
				if err != nil {
					t.Fatal(err)
				}
				if !res.OK() {
					t.Errorf("%s %s seed %d: %v", path, m, seed, res.Failure)
				} else if res.Steps < 10 {
					t.Errorf("%s %s seed %d: only %d steps explained", path, m, seed, res.Steps)
				}
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
	if err != nil || !res.OK() || res.Steps != 15 {
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
		{"line over the limit", strings.Repeat("x", 200) + "\n", Options{Limits: importer.Options{MaxLineBytes: 100}}, ErrUnreadable},
		{"unknown mode flag", "2026-04-20T10:00:00Z pod-a Information Host started (Site=a)\n", Options{Mode: "fast"}, ErrBadMode},
		{"unknown logged mode", "2026-04-20T10:00:00Z pod-a Information Host started (Site=a, SyncTriggersMode=Turbo)\n", Options{}, ErrBadMode},
	} {
		_, err := Validate(tc.opts, Source{Name: "bad.log", R: strings.NewReader(tc.log)})
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), "bad.log") && tc.want != ErrBadMode || !strings.Contains(err.Error(), "fix") {
			t.Errorf("%s: got %v, want %v naming the file and the fix", tc.name, err, tc.want)
		}
	}
}

func TestUnknownLinesCounted(t *testing.T) {
	lines := readSample(t, sampleFrontEnd)
	lines = append(lines[:4], append([]string{"2026-04-20T12:00:00.005Z pod-e2b4 Debug Something the parser does not know", "not even a log line"}, lines[4:]...)...)
	res := run(t, "u.log", lines, Options{})
	if !res.OK() || res.Unknown != 2 || len(res.UnknownLines) != 2 || res.UnknownLines[0] != "u.log:5" {
		t.Fatalf("unknown lines: %+v", res)
	}
}
