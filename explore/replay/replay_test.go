package replay

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/runner"
	"github.com/syncsim/syncsim/runner/tracefile"
	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/trace"
)

// chdirRoot runs the test from the repository's root, where trace files name their scenarios.
func chdirRoot(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	t.Chdir(filepath.Join(filepath.Dir(file), "..", ".."))
}

func record(t *testing.T, path string, mode host.Mode, seed uint64, opts runner.Options) *tracefile.File {
	t.Helper()
	sc, err := scenarios.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	opts.Raw = true
	res, err := runner.RunOne(sc, mode, seed, opts)
	if err != nil {
		t.Fatal(err)
	}
	f := runner.TraceFile(res)
	// Through the file format and back, as the CLI does.
	p := filepath.Join(t.TempDir(), "t.json")
	if err := tracefile.Write(p, f, nil); err != nil {
		t.Fatal(err)
	}
	g, err := tracefile.Read(p)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

const incident = "scenarios/incidents/worker-deleted-before-fetch.yaml"

func TestReplayGivesTheSameHash(t *testing.T) {
	chdirRoot(t)
	f := record(t, incident, host.ModePlatform, 1, runner.Options{})
	out, err := Replay(f)
	if err != nil || !out.SameHash || out.ScenarioChanged {
		t.Fatalf("replay: %+v %v", out, err)
	}
	if !slices.Equal(out.File.Failed, []string{"P1", "P4"}) {
		t.Fatalf("failed %v", out.File.Failed)
	}
}

// A changed scenario file is said, and the replay still runs against the current file.
func TestReplaySaysWhenTheScenarioChanged(t *testing.T) {
	chdirRoot(t)
	dir := t.TempDir()
	src, _ := os.ReadFile(incident)
	p := filepath.Join(dir, "s.yaml")
	os.WriteFile(p, src, 0o644)
	f := record(t, p, host.ModePlatform, 1, runner.Options{})
	os.WriteFile(p, append(src, []byte("\n# edited\n")...), 0o644)
	out, err := Replay(f)
	// The header names the file's SHA-256, so the trace hash changes; the records do not.
	if err != nil || !out.ScenarioChanged || out.SameHash || out.FirstDifference != 0 {
		t.Fatalf("changed scenario: %+v %v", out, err)
	}
}

// A schedule with a firing this build never comes to cannot be followed, and says so.
func TestReplayRefusesAnUnfollowableSchedule(t *testing.T) {
	chdirRoot(t)
	f := record(t, incident, host.ModePlatform, 1, runner.Options{})
	// As a build where it fired would have recorded it: in the schedule and in the records.
	const key = "delete-instance@after-lock/i9#1"
	f.Schedule.Firings = append(f.Schedule.Firings, key)
	f.Records = append(f.Records, trace.Record{Seq: len(f.Records) + 1, Party: trace.InstanceParty("i9"), Kind: trace.KindFaultFire,
		Fields: []trace.Field{{Key: "fault", Value: "delete-instance"}, {Key: "key", Value: key}}})
	if _, err := Replay(f); !errors.Is(err, ErrCannotFollow) || !strings.Contains(err.Error(), key) {
		t.Fatalf("err %v", err)
	}
}

const fleetTrace = "explore/replay/testdata/fleet-platform-seed104.json.gz"

// The committed fleet trace replays to the recorded trace hash.
func TestCommittedTraceReplaysIdentical(t *testing.T) {
	chdirRoot(t)
	f, err := tracefile.Read(fleetTrace)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Replay(f)
	if err != nil || !out.SameHash || out.ScenarioChanged || out.File.TraceHash != f.TraceHash {
		t.Fatalf("replay: %+v %v", out, err)
	}
}

// timelineRecord is the record a played timeline entry leaves.
func timelineRecord(i int) trace.Record {
	return trace.Record{Party: trace.PartyWorld, Kind: trace.KindTimeline, Fields: []trace.Field{{Key: "index", Value: strconv.Itoa(i)}}}
}

// Mutated copies of the committed trace, their records edited alike so that only the scenario can
// tell, or left as recorded, are refused by replay and shrink with the entry named, never replayed to
// "identical".
func TestReplayAndShrinkRefuseMutatedSchedules(t *testing.T) {
	chdirRoot(t)
	fixture, err := tracefile.Read(fleetTrace)
	if err != nil {
		t.Fatal(err)
	}
	firings := len(fixture.Schedule.Firings)
	// The two first firings are at different places, so swapping them keeps each place in order.
	if a, _ := tracefile.ParseFiring(fixture.Schedule.Firings[0]); a.Place == "" {
		t.Fatalf("fixture: %v", fixture.Schedule.Firings[:2])
	}
	cases := []struct {
		name string
		edit func(f *tracefile.File)
		want string
	}{
		{"entry that does not exist", func(f *tracefile.File) {
			f.Schedule.Timeline = append(f.Schedule.Timeline, 11)
			f.Records = append(f.Records, timelineRecord(11))
		}, "schedule.timeline[11]: entry 11 does not exist: scenarios/fleet.yaml has 11 timeline entries (0-10)"},
		{"entry the records do not show", func(f *tracefile.File) {
			f.Schedule.Timeline = append(f.Schedule.Timeline, 12)
		}, "schedule.timeline[11] 12: the trace's records show no such entry"},
		{"duplicated entry", func(f *tracefile.File) {
			f.Schedule.Timeline = append([]int{0}, f.Schedule.Timeline...)
		}, "schedule.timeline[1]: entry 0 is listed twice (also schedule.timeline[0])"},
		{"reordered entries", func(f *tracefile.File) {
			f.Schedule.Timeline[2], f.Schedule.Timeline[3] = f.Schedule.Timeline[3], f.Schedule.Timeline[2]
		}, "schedule.timeline[3]: entry 2 comes after entry 3, out of order"},
		{"firing of a fault the run does not arm", func(f *tracefile.File) {
			f.Schedule.Firings = append(f.Schedule.Firings, "blob-lost-write@storage/upload#1")
			f.Records = append(f.Records, trace.Record{Party: trace.PartyFrontEnd, Kind: trace.KindFaultFire, Fields: []trace.Field{{Key: "key", Value: "blob-lost-write@storage/upload#1"}}})
		}, fmt.Sprintf(`schedule.firings[%d] "blob-lost-write@storage/upload#1": no fault labelled blob-lost-write is armed in this run (armed: `, firings)},
		{"firing of a third fe-status where the scenario arms two", func(f *tracefile.File) {
			f.Schedule.Firings = append(f.Schedule.Firings, "fe-status.2@frontend#1")
			f.Records = append(f.Records, trace.Record{Party: trace.PartyFrontEnd, Kind: trace.KindFaultFire, Fields: []trace.Field{{Key: "key", Value: "fe-status.2@frontend#1"}}})
		}, fmt.Sprintf(`schedule.firings[%d] "fe-status.2@frontend#1": no fault labelled fe-status.2 is armed`, firings)},
		{"firing of no catalogue fault", func(f *tracefile.File) {
			f.Schedule.Firings[0] = "meteor@site#1"
		}, `schedule.firings[0] "meteor@site#1": no fault named "meteor" in the catalogue`},
		{"firings reordered", func(f *tracefile.File) {
			f.Schedule.Firings[0], f.Schedule.Firings[1] = f.Schedule.Firings[1], f.Schedule.Firings[0]
		}, fmt.Sprintf("schedule.firings[0] %s: the trace's records show %s there", fixture.Schedule.Firings[1], fixture.Schedule.Firings[0])},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := tracefile.Read(fleetTrace)
			if err != nil {
				t.Fatal(err)
			}
			c.edit(f)
			f.Size = f.Schedule.Size()
			if _, err := Replay(f); !errors.Is(err, tracefile.ErrSchedule) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("replay: err %v\nwant %q", err, c.want)
			}
			if _, _, err := Shrink(f, "P1", 5); !errors.Is(err, tracefile.ErrSchedule) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("shrink: err %v\nwant %q", err, c.want)
			}
		})
	}
}

func TestShrinkTheIncident(t *testing.T) {
	chdirRoot(t)
	f := record(t, incident, host.ModePlatform, 1, runner.Options{})
	out, st, err := Shrink(f, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if st.Property != "P1" || st.To > st.From || out.Size != st.To || !slices.Contains(out.Failed, "P1") {
		t.Fatalf("stats %+v failed %v", st, out.Failed)
	}
	t.Logf("incident: size %d -> %d in %d runs; schedule %+v", st.From, st.To, st.Runs, out.Schedule)
	again, err := Replay(out)
	if err != nil || !again.SameHash || !slices.Contains(again.File.Failed, "P1") {
		t.Fatalf("the shrunk trace does not replay to the same failure: %v", err)
	}
}

// Shrinking the committed fleet trace of a platform P1 failure (seed 104, one of the 20 seeds of
// 1-400 that fail P1, chosen as the one that shrinks in the fewest runs) ends at size 10 or less,
// still fails P1, and never returns a trace that fails P1 no more.
func TestShrinkCommittedFleetTrace(t *testing.T) {
	chdirRoot(t)
	f, err := tracefile.Read("explore/replay/testdata/fleet-platform-seed104.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	if f.Size <= 10 || !slices.Contains(f.Failed, "P1") {
		t.Fatalf("fixture: size %d failed %v", f.Size, f.Failed)
	}
	out, st, err := Shrink(f, "P1", 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("fleet seed 104: size %d -> %d in %d runs: %+v", st.From, st.To, st.Runs, out.Schedule)
	if out.Size > 10 || !slices.Contains(out.Failed, "P1") || out.ShrunkFrom == nil || out.ShrunkFrom.Size != f.Size {
		t.Fatalf("shrunk to %d, failed %v", out.Size, out.Failed)
	}
	for _, i := range out.Schedule.Timeline {
		if !slices.Contains(f.Schedule.Timeline, i) {
			t.Fatalf("timeline entry %d is not in the input", i)
		}
	}
	for _, k := range out.Schedule.Firings {
		if !slices.Contains(f.Schedule.Firings, k) {
			t.Fatalf("firing %s is not in the input", k)
		}
	}
}

// Replaying 100 failing traces gives identical hashes.
func TestReplayHundredFailingTraces(t *testing.T) {
	chdirRoot(t)
	n := 100
	if testing.Short() {
		n = 10
	}
	for seed := uint64(1); seed <= uint64(n); seed++ {
		f := record(t, incident, host.ModePlatform, seed, runner.Options{Strategy: "random"})
		if len(f.Failed) == 0 {
			t.Fatalf("seed %d does not fail", seed)
		}
		out, err := Replay(f)
		if err != nil || !out.SameHash {
			t.Fatalf("seed %d: replay hash differs (record %d): %v", seed, out.FirstDifference, err)
		}
	}
}
