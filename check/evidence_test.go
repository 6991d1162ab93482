package check

import (
	"encoding/json"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/syncsim/syncsim/trace"
)

// Each checker's evidence names, as data, the records it cites: the first record of the first finding
// is where the property breaks (nothing for P1, judged at the end of the run), and each finding lists
// the records its text names, in the text's order.
func TestEvidenceCitesRecords(t *testing.T) {
	cases := []struct {
		name  string
		check func(Input) Verdict
		lines []string
		// breaks is BreaksAt's record, 0 for none; first the first finding's records; cited every
		// record any finding cites, in order.
		breaks      int
		first       []int
		cited       []int
		value, want string // a value the first finding compares, and its full text
	}{
		{"P1 judges the end of the run, and cites the state's records", EventualConvergence, []string{
			"world content.change revision=1 expected_hash=h1",
			"frontend store.write hash=h1 revision=1",
			"world content.change revision=2 expected_hash=h2aaaaaaaaaaaaaaaa",
			"mesh mesh.abandon cover=1 attempts=9 reason=budget",
		}, 0, nil, []int{3, 2, 4}, "expected", "h2aaaaaaaaaaaaaaaa"},
		{"P2 a revision going down", NoStaleOverwrite, []string{
			"frontend store.write hash=h2 revision=2",
			"world content.change revision=3 expected_hash=h3",
			"frontend store.write hash=h1 revision=1",
		}, 3, []int{1, 3}, []int{1, 3}, "to", "1"},
		{"P3 two spans at once", SyncExclusion, []string{
			"instance/a sync.enter span=1",
			"instance/b sync.enter span=1",
			"instance/a sync.enter span=2",
		}, 3, []int{3, 1}, []int{3, 1}, "", ""},
		{"P4 the hash blob ahead of the store", HashImpliesPublished, []string{
			"world content.change revision=1 expected_hash=h1",
			"storage blob.write value=h1",
			"frontend store.write hash=h0 revision=0",
		}, 2, []int{2}, []int{2, 1}, "expected", "h1"},
		{"P7 a duplicate that changed the store happens at its write", DuplicateHarmless, []string{
			"frontend store.write via=frontend msg=1 hash=h1 revision=1",
			"frontend store.write via=frontend msg=1 hash=h2 revision=2",
		}, 2, []int{1, 2, 1}, []int{1, 2}, "msg", "1"},
		{"P13 a late convergence happens when it converged", func(in Input) Verdict {
			in.ConvergenceBound = time.Second
			return ConvergenceLatency(in)
		}, []string{
			"world content.change revision=1 expected_hash=h1",
			"@10s frontend store.write hash=h1 revision=1",
		}, 2, []int{1, 2}, []int{1, 2}, "latency", "10s"},
		{"P10 an empty background publish", NoEmptyBackgroundPublish, []string{
			"instance/a sync.call span=4 background=true",
			"instance/a sync.publish span=4 background=true triggers=0 target=frontend",
		}, 2, []int{2}, []int{2}, "", ""},
		{"P14 a background sync without the lease", BackgroundOnPrimaryOnly, []string{
			acquireA,
			"@7s instance/b sync.call span=1 background=true origin=background",
		}, 2, []int{2, 1}, []int{2, 1}, "holder", "instance/a"},
		{"P15 a second grant", AtMostOnePrimary, []string{
			acquireA,
			"@3s storage lease op=acquire-lease instance=instance/b status=201 state=leased holder=instance/b expires_ms=18000 duration=15s",
		}, 2, []int{2, 1}, []int{2, 1}, "previous_holder", "instance/a"},
		{"P18 a republish in other text", NoRepublishWithoutChange, []string{
			"world content.change revision=1 expected_hash=h1",
			"frontend store.write hash=h1 canonical=c1 revision=1",
			"frontend store.write hash=h1b canonical=c1 revision=2",
		}, 3, []int{3, 2}, []int{3, 2}, "hash", "h1b"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := script(c.lines...)
			v := c.check(Input{Trace: tr, Complete: true})
			if v.Status != Fail {
				t.Fatalf("%s %s, want fail: %q", v.ID, v.Status, v.Evidence)
			}
			at, ok := v.BreaksAt()
			if (c.breaks == 0) == ok || (ok && at != c.breaks) {
				t.Errorf("BreaksAt %d %v, want %d", at, ok, c.breaks)
			}
			if !slices.Equal(v.Evidence[0].Records, c.first) {
				t.Errorf("first finding cites %v, want %v: %q", v.Evidence[0].Records, c.first, v.Evidence[0].Text)
			}
			if got := v.Cited(); !slices.Equal(got, c.cited) {
				t.Errorf("cited %v, want %v: %q", got, c.cited, v.Evidence)
			}
			if c.value != "" && !slices.Contains(v.Evidence[0].Values, trace.Field{Key: c.value, Value: c.want}) {
				t.Errorf("first finding compares %v, want %s=%s", v.Evidence[0].Values, c.value, c.want)
			}
			citesWhatItSays(t, tr, v)
		})
	}
}

// refInText is how a text names a record ("#57 00:02:32.180"): the pattern explain once parsed
// evidence with, kept here as the oracle of what a finding's text names.
var refInText = regexp.MustCompile(`#(\d+) \d\d:\d\d:\d\d\.\d+`)

// citesWhatItSays holds a verdict's findings to their text: the records a text names are the ones its
// finding cites, in the same order, and each is one of the trace's, named as ref names it.
func citesWhatItSays(t *testing.T, tr *trace.Trace, v Verdict) {
	t.Helper()
	for _, e := range v.Evidence {
		var named []int
		for _, m := range refInText.FindAllStringSubmatch(e.Text, -1) {
			n, _ := strconv.Atoi(m[1])
			named = append(named, n)
		}
		if !slices.Equal(named, e.Records) && !(len(named) == 0 && e.Records == nil) {
			t.Fatalf("%s: the text names %v, the finding cites %v: %q", v.ID, named, e.Records, e.Text)
		}
		for _, seq := range e.Records {
			if seq < 1 || seq > len(tr.Records) || !strings.Contains(e.Text, ref(tr.Records[seq-1])) {
				t.Fatalf("%s cites #%d, not named as the trace's record: %q", v.ID, seq, e.Text)
			}
		}
	}
}

// Evidence quoting a record's text masks the run's secrets in its values as in its text (PAY-4).
func TestEvidenceValuesRedacted(t *testing.T) {
	tr := spaced(script(
		"instance/a sync.call span=1 origin=keys",
		"instance/a sync.end span=1 origin=keys success=false error=key_master-key-0001_token_"+testJWT,
	))
	v := ErrorSurfaced(Input{Trace: tr, Secrets: []string{"master-key-0001"}})
	if v.Status != Fail || !slices.Equal(v.Evidence[0].Records, []int{2}) {
		t.Fatalf("%s %q cites %v", v.Status, v.Evidence, v.Evidence[0].Records)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if s := string(b); strings.Contains(s, "master-key-0001") || strings.Contains(s, "eyJ") || !strings.Contains(s, "(secret #1)") {
		t.Fatalf("the verdict's JSON quotes a secret, or no masked value: %s", s)
	}
}

// A verdict's JSON keeps its evidence as lines of text and adds what each line cites; it reads back
// to the same verdict, and verdicts written before cites existed read as evidence citing nothing.
func TestVerdictJSON(t *testing.T) {
	v := HashImpliesPublished(Input{Trace: script(
		"world content.change revision=1 expected_hash=h1",
		"storage blob.write value=h1",
	), Complete: true})
	v.Metrics = map[string]int64{"m": 1}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var plain struct {
		Evidence []string `json:"evidence"`
		Cites    []struct {
			Records []int `json:"records"`
		} `json:"cites"`
	}
	if err := json.Unmarshal(b, &plain); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(plain.Evidence, v.EvidenceText()) || len(plain.Cites) != len(plain.Evidence) ||
		!slices.Equal(plain.Cites[0].Records, []int{2}) || plain.Cites[len(plain.Cites)-1].Records != nil {
		t.Fatalf("JSON %s", b)
	}
	var back Verdict
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, v) {
		t.Fatalf("read back %+v, wrote %+v", back, v)
	}
	old := `{"id":"P1","name":"eventual-convergence","level":"MUST","status":"fail","checked":1,"evidence":["at the end","store: #2 00:00:01.000 frontend store.write"]}`
	if err := json.Unmarshal([]byte(old), &back); err != nil {
		t.Fatal(err)
	}
	if back.Status != Fail || len(back.Evidence) != 2 || back.Evidence[1].Text != "store: #2 00:00:01.000 frontend store.write" || back.Cited() != nil {
		t.Fatalf("old verdict read as %+v", back)
	}
	if err := json.Unmarshal([]byte(`{"id":"P1","evidence_records":[]}`), &back); err == nil {
		t.Fatalf("an unknown field is accepted")
	}
	if b, _ := json.Marshal(Verdict{ID: "P1", Status: Pass}); strings.Contains(string(b), "cites") || strings.Contains(string(b), "evidence") {
		t.Fatalf("a verdict without evidence writes %s", b)
	}
}
