package replay

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/reports/explain"
	"github.com/syncsim/syncsim/runner"
	"github.com/syncsim/syncsim/runner/tracefile"
	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/trace"
)

// imported is a scenario as `simrun import` writes it from a host log of PR #11690's incident: the
// only instance is deleted right after its hash write, the mesh gives up, and an hour later a new
// instance starts whose background sync finds the hash in the blob and skips (SYNC-5).
const imported = "logs/importer/testdata/host-log-sample.golden.yaml"

// The stories of the tests' traces: P1 fails because a later sync skipped on the stored hash, and,
// without the late instance, because the site stays at zero instances.
const (
	hashSkip     = "skipped-on-stored-hash"
	zeroInstance = "zero-instances-at-end"
)

// signatureOfRun replays f's schedule without the timeline entries drop and returns the P1
// signature of the run, and whether the run fails P1 at all.
func signatureOfRun(t *testing.T, f *tracefile.File, drop ...int) (Signature, bool) {
	t.Helper()
	sc, err := scenarios.Load(f.Scenario.Path)
	if err != nil {
		t.Fatal(err)
	}
	mode, err := host.ParseMode(f.Mode)
	if err != nil {
		t.Fatal(err)
	}
	s := trace.Schedule{Timeline: []int{}, Firings: f.Schedule.Firings, Choices: f.Schedule.Choices}
	for _, i := range f.Schedule.Timeline {
		if !slices.Contains(drop, i) {
			s.Timeline = append(s.Timeline, i)
		}
	}
	res, err := runScript(sc, mode, f, s)
	if err != nil {
		t.Fatal(err)
	}
	return SignatureOf(res.Verdicts, "P1", res.Trace.Records)
}

// lastStart is the index of the schedule's last timeline entry: the late instance's start in both
// incident scenarios.
func lastStart(t *testing.T, f *tracefile.File) int {
	t.Helper()
	if len(f.Schedule.Timeline) < 2 {
		t.Fatalf("fixture: schedule %+v has no late start", f.Schedule)
	}
	return f.Schedule.Timeline[len(f.Schedule.Timeline)-1]
}

// Both incidents' traces have a smaller schedule that fails P1 for another reason: dropping the late
// instance's start leaves the site at zero instances. Shrink rejects it and keeps the hash-skip
// story, and explain of the result tells it: the late instance's sync finds the hash unchanged.
func TestShrinkKeepsTheStory(t *testing.T) {
	chdirRoot(t)
	for _, path := range []string{imported, incident} {
		t.Run(path, func(t *testing.T) {
			f := record(t, path, host.ModePlatform, 1, runner.Options{})
			start := lastStart(t, f)
			orig, ok := signatureOfRun(t, f)
			if !ok || !slices.Contains(orig.Class, hashSkip) || slices.Contains(orig.Class, zeroInstance) {
				t.Fatalf("the recorded failure's signature is %v (fails P1: %v), want the hash-skip story", orig, ok)
			}
			// The trap: without the late start, P1 still fails, with the same cited record kinds,
			// but because the site stays at zero instances.
			slipped, ok := signatureOfRun(t, f, start)
			if !ok || !slices.Contains(slipped.Class, zeroInstance) || slipped.Equal(orig) {
				t.Fatalf("without the late start: signature %v (fails P1: %v), want another story than %v", slipped, ok, orig)
			}
			if !slices.Equal(slipped.Kinds, orig.Kinds) {
				t.Logf("the slipped failure also cites other kinds: %v vs %v", slipped.Kinds, orig.Kinds)
			}

			out, st, err := Shrink(f, "P1", 0)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: size %d -> %d in %d runs, %d rejected; schedule %+v; signature %v", path, st.From, st.To, st.Runs, st.Rejected, out.Schedule, st.Signature)
			if !st.Signature.Equal(orig) || st.Rejected == 0 {
				t.Errorf("stats: signature %v, %d rejected; want %v and at least the zero-instance candidate rejected", st.Signature, st.Rejected, orig)
			}
			if !slices.Contains(out.Schedule.Timeline, start) {
				t.Errorf("the shrunk schedule %+v dropped the late start (timeline entry %d): the story slipped", out.Schedule, start)
			}
			got, ok := SignatureOf(out.Verdicts, "P1", out.Records)
			if !ok || !got.Equal(orig) {
				t.Errorf("the shrunk trace fails P1 as %v (fails: %v), want %v", got, ok, orig)
			}
			// explain of the result tells the original story: the late sync skips on the stored hash.
			var b bytes.Buffer
			if err := explain.Write(&b, out, explain.Options{}); err != nil {
				t.Fatal(err)
			}
			text := b.String()
			gaveUp := strings.Index(text, "GAVE UP")
			skip := strings.LastIndex(text, "= payload: unchanged, nothing published")
			if gaveUp < 0 || skip < gaveUp {
				t.Errorf("explain of the shrunk trace does not tell the hash-skip after the mesh gave up:\n%s", text)
			}
		})
	}
}

// The signature is built from the evidence's structure: the kinds of the records cited, the
// relations between the values compared, categorical values verbatim, and never the text.
func TestSignatureFromEvidenceStructure(t *testing.T) {
	h1, h2 := strings.Repeat("a", 64), strings.Repeat("b", 64)
	recs := []trace.Record{
		{Seq: 1, Party: "instance/i0", Kind: trace.KindInstanceCreate},
		{Seq: 2, Party: "world", Kind: trace.KindContentChange},
		{Seq: 3, Party: "storage", Kind: trace.KindBlobWrite},
		{Seq: 4, Party: "mesh", Kind: trace.KindMeshAbandon},
		{Seq: 5, Party: "instance/i0", Kind: trace.KindInstanceDelete},
	}
	finding := func(text string) check.Verdict {
		return check.Verdict{ID: "P1", Status: check.Fail, Evidence: []check.Evidence{
			{Text: text, Values: []trace.Field{{Key: "store", Value: h2}, {Key: "expected", Value: h1}}},
			{Text: "hash blob", Records: []int{3}, Values: []trace.Field{{Key: "blob", Value: h1}}},
			{Text: "abandoned", Records: []int{4, 2}, Values: []trace.Field{{Key: "reason", Value: "retry budget exhausted"}}},
		}}
	}
	a, ok := SignatureOf([]check.Verdict{finding("one wording")}, "P1", recs)
	b, _ := SignatureOf([]check.Verdict{finding("another wording altogether")}, "P1", recs)
	if !ok || !a.Equal(b) {
		t.Fatalf("the text changed the signature: %v vs %v", a, b)
	}
	want := Signature{Property: "P1", Kinds: []trace.Kind{trace.KindBlobWrite, trace.KindContentChange, trace.KindMeshAbandon},
		Class: []string{"blob=expected", "reason=retry budget exhausted", zeroInstance}}
	if !a.Equal(want) {
		t.Errorf("signature %v, want %v", a, want)
	}
	// A sync that later reads the expected hash as unchanged is the hash-skip story.
	skip := append(slices.Clone(recs[:4]), trace.Record{Seq: 6, Party: "instance/i1", Kind: trace.KindSyncHashRead,
		Fields: trace.SyncHashRead(1, h1, h1).Fields})
	c, _ := SignatureOf([]check.Verdict{finding("x")}, "P1", skip)
	if !slices.Contains(c.Class, hashSkip) || slices.Contains(c.Class, zeroInstance) || c.Equal(a) {
		t.Errorf("with the skip: %v", c)
	}
	if _, ok := SignatureOf([]check.Verdict{{ID: "P1", Status: check.Pass}}, "P1", recs); ok {
		t.Errorf("a passing verdict has a failure signature")
	}
}
