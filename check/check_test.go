package check

import (
	"strings"
	"testing"
	"time"

	"github.com/syncsim/syncsim/trace"
)

// script builds a trace from lines "party kind k=v k=v", one second apart; a line may start with
// "@<duration>" ("@1.25s") to place its record at that time instead. Each record is completed with the
// zero values of the fields its view requires and the line leaves out (complete).
func script(lines ...string) *trace.Trace {
	tr := &trace.Trace{}
	for i, l := range lines {
		parts := strings.Fields(l)
		at := time.Duration(i) * time.Second
		if strings.HasPrefix(parts[0], "@") {
			d, err := time.ParseDuration(parts[0][1:])
			if err != nil {
				panic(err)
			}
			at, parts = d, parts[1:]
		}
		r := trace.Record{Seq: i + 1, At: at, Party: parts[0], Kind: trace.Kind(parts[1])}
		for _, kv := range parts[2:] {
			k, v, _ := strings.Cut(kv, "=")
			r.Fields = append(r.Fields, trace.Field{Key: k, Value: v})
		}
		tr.Records = append(tr.Records, complete(r))
	}
	return tr
}

func TestP1(t *testing.T) {
	converged := script(
		"world content.change revision=1 expected_hash=h1",
		"frontend store.write hash=h1 revision=1",
		"world content.change revision=2 expected_hash=h2",
		"mesh store.write hash=h2 revision=2 cover=1",
	)
	stale := script(
		"world content.change revision=1 expected_hash=h1",
		"frontend store.write hash=h1 revision=1",
		"world content.change revision=2 expected_hash=h2",
		"mesh mesh.abandon cover=1 attempts=9 reason=budget",
	)
	never := script("world content.change revision=1 expected_hash=h1")
	cases := []struct {
		name     string
		tr       *trace.Trace
		complete bool
		want     Status
		evidence string
	}{
		{"converged", converged, true, Pass, ""},
		{"stale store", stale, true, Fail, "last abandoned fetch: #4"},
		{"never written", never, true, Fail, "store: never written"},
		{"cut short", converged, false, Inconclusive, "budget"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := EventualConvergence(Input{Trace: c.tr, Complete: c.complete})
			if v.Status != c.want || v.ID != "P1" || v.Level != Must {
				t.Fatalf("verdict %+v", v)
			}
			if c.want != Inconclusive && v.Checked != 1 {
				t.Fatalf("checked %d", v.Checked)
			}
			if c.evidence != "" && !strings.Contains(strings.Join(v.EvidenceText(), "\n"), c.evidence) {
				t.Fatalf("evidence %q lacks %q", v.Evidence, c.evidence)
			}
		})
	}
}

func TestP4(t *testing.T) {
	cases := []struct {
		name    string
		tr      *trace.Trace
		want    Status
		checked int
	}{
		{"frontend order: stored, then hash", script(
			"world content.change revision=1 expected_hash=h1",
			"frontend store.write hash=h1 revision=1",
			"storage blob.write value=h1",
		), Pass, 1},
		{"platform: hash written while the notification is under way", script(
			"world content.change revision=1 expected_hash=h1",
			"mesh mesh.accept notification=1",
			"storage blob.write value=h1",
			"mesh store.write hash=h1 revision=1 cover=1",
		), Pass, 2},
		{"platform: fetch abandoned after the hash write", script(
			"world content.change revision=1 expected_hash=h1",
			"mesh mesh.accept notification=1",
			"storage blob.write value=h1",
			"mesh mesh.abandon cover=1 attempts=3 reason=budget",
		), Fail, 2},
		{"hash of an old revision is not examined", script(
			"world content.change revision=1 expected_hash=h1",
			"frontend store.write hash=h1 revision=1",
			"storage blob.write value=h1",
			"world content.change revision=2 expected_hash=h2",
			"mesh store.write hash=h0 revision=0",
		), Pass, 1},
		{"hash written before the store holds it, nothing under way", script(
			"world content.change revision=1 expected_hash=h1",
			"storage blob.write value=h1",
			"frontend store.write hash=h1 revision=1",
		), Fail, 2},
		{"rollback makes an old hash current again", script(
			"world content.change revision=1 expected_hash=h1",
			"frontend store.write hash=h1 revision=1",
			"storage blob.write value=h1",
			"frontend store.write hash=h2 revision=2",
			"world content.change revision=3 expected_hash=h1",
		), Fail, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := HashImpliesPublished(Input{Trace: c.tr, Complete: true})
			if v.Status != c.want || v.Checked != c.checked {
				t.Fatalf("status %s checked %d, want %s %d; evidence %q", v.Status, v.Checked, c.want, c.checked, v.Evidence)
			}
			if v.Status == Fail && !strings.Contains(v.Evidence[0].Text, "broken at #") {
				t.Fatalf("evidence %q", v.Evidence)
			}
		})
	}
}

func TestP3(t *testing.T) {
	sequential := script(
		"instance/a sync.enter span=1",
		"instance/b sync.enter span=1",
		"instance/a sync.end span=1",
		"instance/a sync.enter span=2",
		"instance/a sync.end span=2",
		"instance/b instance.delete",
		"instance/b sync.enter span=9",
	)
	overlapping := script(
		"instance/a sync.enter span=1",
		"instance/a sync.enter span=2",
		"instance/a sync.end span=2",
		"instance/a sync.end span=1",
	)
	if v := SyncExclusion(Input{Trace: sequential}); v.Status != Pass || v.Checked != 4 {
		t.Fatalf("sequential: %+v", v)
	}
	v := SyncExclusion(Input{Trace: overlapping})
	if v.Status != Fail || !strings.Contains(v.Evidence[0].Text, "span 2 entered at #2") {
		t.Fatalf("overlapping: %+v", v)
	}
}

func TestP12(t *testing.T) {
	a := script("x k v=1", "x k v=2")
	b := script("x k v=1", "x k v=3")
	if v := Determinism(a, a); v.Status != Pass || v.Checked != 2 {
		t.Fatalf("same: %+v", v)
	}
	v := Determinism(a, b)
	if v.Status != Fail || !strings.Contains(strings.Join(v.EvidenceText(), "\n"), "record is number 2") {
		t.Fatalf("different: %+v", v)
	}
	if v := Determinism(a, script("x k v=1")); v.Status != Fail || !strings.Contains(v.Evidence[2].Text, "the run ended") {
		t.Fatalf("prefix: %+v", v)
	}
}

func TestCatalogueIsOrderedAndLinked(t *testing.T) {
	ids := []string{}
	for _, p := range Catalogue() {
		ids = append(ids, p.ID)
		if p.Name == "" || p.Statement == "" || p.Level == "" {
			t.Fatalf("incomplete entry %+v", p)
		}
	}
	if strings.Join(ids, ",") != "P1,P2,P3,P4,P5,P6,P7,P8,P9,P10,P11,P12,P13,P14,P15,P16,P17,P18,P19,P20,P21,P22" {
		t.Fatalf("catalogue %v", ids)
	}
	// DESIGN.md's table: names and levels.
	want := map[string]string{
		"P1": "eventual-convergence MUST", "P2": "no-stale-overwrite MUST", "P3": "sync-exclusion MUST",
		"P4": "hash-implies-published MUST", "P5": "no-redundant-publish SHOULD", "P6": "bounded-fetches SHOULD",
		"P7": "duplicate-harmless MUST", "P8": "no-invalid-token-accepted MUST", "P9": "error-surfaced MUST",
		"P10": "no-empty-background-publish MUST", "P11": "secrets-redacted MUST", "P12": "deterministic MUST",
		"P13": "convergence-latency SHOULD", "P14": "background-sync-on-primary-only MUST",
		"P15": "at-most-one-primary MUST", "P16": "fetch-within-max-wait SHOULD", "P17": "fetch-completes MUST",
		"P18": "no-republish-without-change SHOULD", "P19": "admin-authorization MUST", "P20": "caller-told-truth MUST",
		"P21": "admin-served-where-routed MUST", "P22": "timing-under-retries SHOULD",
	}
	for _, p := range Catalogue() {
		if got := p.Name + " " + string(p.Level); got != want[p.ID] {
			t.Errorf("%s is %q, want %q", p.ID, got, want[p.ID])
		}
	}
	var traced []string
	for _, p := range TraceCheckers() {
		traced = append(traced, p.ID)
		// Every checker reports under its own entry.
		if v := p.Check(Input{Trace: script("world run.start"), Complete: true}); v.ID != p.ID || v.Name != p.Name || v.Level != p.Level {
			t.Errorf("%s's checker reports as %s %s %s", p.ID, v.ID, v.Name, v.Level)
		}
	}
	if strings.Join(traced, ",") != "P1,P2,P3,P4,P5,P6,P7,P8,P9,P10,P11,P13,P14,P15,P16,P17,P18,P19,P20,P21,P22" {
		t.Fatalf("trace checkers %v: every property but P12 is judged from one trace", traced)
	}
	vs := []Verdict{{ID: "P12"}, {ID: "P3"}, {ID: "P1"}}
	SortByID(vs)
	if vs[0].ID != "P1" || vs[2].ID != "P12" {
		t.Fatalf("sorted %v", vs)
	}
}
