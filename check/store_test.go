package check

import (
	"testing"
	"time"
)

func TestP2NoStaleOverwrite(t *testing.T) {
	rising := script(
		"frontend store.write via=frontend hash=h1 revision=1",
		"mesh store.write via=mesh hash=h2 revision=2 cover=1",
		"frontend store.write via=frontend hash=h2 revision=2",
	)
	expect(t, NoStaleOverwrite(Input{Trace: rising}), Pass, 2)
	stale := script(
		"frontend store.write via=frontend hash=h1 revision=1",
		"mesh store.write via=mesh hash=h3 revision=3 cover=2",
		"frontend store.write via=frontend hash=h2 revision=2",
	)
	expect(t, NoStaleOverwrite(Input{Trace: stale}), Fail, 2, "from 3 (#2", "to 2 at #3 ", "1 store write(s)")
	expect(t, NoStaleOverwrite(Input{Trace: script("frontend store.write hash=h1 revision=1")}), Pass, 0)
}

func TestP7DuplicateHarmless(t *testing.T) {
	cases := []struct {
		name    string
		lines   []string
		want    Status
		checked int
		ev      []string
	}{
		{"duplicate right after its original", []string{
			"frontend store.write via=frontend hash=h1 revision=1 msg=7 duplicate=false",
			"frontend store.write via=frontend hash=h1 revision=1 msg=7 duplicate=true",
		}, Pass, 1, nil},
		{"duplicate arriving after a newer write rolls the store back", []string{
			"frontend store.write via=frontend hash=h1 revision=1 msg=7 duplicate=false",
			"frontend store.write via=frontend hash=h2 revision=2 msg=9 duplicate=false",
			"frontend store.write via=frontend hash=h1 revision=1 msg=7 duplicate=true",
		}, Fail, 1, []string{"duplicate delivery of msg 7 (first stored at #1", "at #3 ", "from revision 2 hash h2 (#2"}},
		{"same msg stored twice without the flag", []string{
			"frontend store.write via=frontend hash=h1 revision=1 msg=7",
			"mesh store.write via=mesh hash=h2 revision=2 cover=1",
			"frontend store.write via=frontend hash=h1 revision=1 msg=7",
		}, Fail, 1, []string{"msg 7", "at #3 "}},
		{"the copy overtook its original: the original is judged", []string{
			"frontend store.write via=frontend hash=h1 revision=1 msg=7 duplicate=true",
			"frontend store.write via=frontend hash=h1 revision=1 msg=7 duplicate=false",
		}, Pass, 1, nil},
		{"flag without msg: judged against the store's state", []string{
			"frontend store.write via=frontend hash=h1 revision=1",
			"frontend store.write via=frontend hash=h2 revision=2 duplicate=true",
		}, Fail, 1, []string{"duplicate delivery at #2 "}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expect(t, DuplicateHarmless(Input{Trace: script(c.lines...)}), c.want, c.checked, c.ev...)
		})
	}
}

func TestP13ConvergenceLatency(t *testing.T) {
	converged := script(
		"@0s world content.change revision=1 expected_hash=h1",
		"@1s frontend store.write hash=h1 revision=1",
		"@10s world content.change revision=2 expected_hash=h2",
		"@11s frontend store.write hash=h0 revision=0",
		"@12.5s mesh store.write hash=h2 revision=2",
		"@13s frontend store.write hash=h2 revision=2",
	)
	cases := []struct {
		name     string
		in       Input
		want     Status
		checked  int
		metric   int64 // -1: no metric
		evidence string
	}{
		{"converged, no bound", Input{Trace: converged, Complete: true}, Pass, 1, 2500, ""},
		{"converged within the bound", Input{Trace: converged, Complete: true, ConvergenceBound: 3 * time.Second}, Pass, 1, 2500, ""},
		{"converged too late", Input{Trace: converged, Complete: true, ConvergenceBound: 2 * time.Second}, Fail, 1, 2500,
			"converged at #5 "},
		{"never converged", Input{Trace: script(
			"world content.change revision=1 expected_hash=h1",
			"frontend store.write hash=h1 revision=1",
			"world content.change revision=2 expected_hash=h2",
		), Complete: true}, Fail, 1, -1, "no convergence_ms"},
		{"overwritten after converging", Input{Trace: script(
			"world content.change revision=1 expected_hash=h1",
			"frontend store.write hash=h1 revision=1",
			"frontend store.write hash=h0 revision=0",
		), Complete: true}, Fail, 1, -1, "never converged"},
		{"cut short before converging", Input{Trace: script(
			"world content.change revision=1 expected_hash=h1",
		)}, Inconclusive, 1, -1, "budget"},
		{"the store already held the hash", Input{Trace: script(
			"world content.change revision=1 expected_hash=h1",
			"frontend store.write hash=h1 revision=1",
			"world content.change revision=2 expected_hash=h1",
		), Complete: true}, Pass, 1, 0, ""},
		{"no content change", Input{Trace: script("frontend store.write hash=h1 revision=1"), Complete: true}, Pass, 0, -1, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := ConvergenceLatency(c.in)
			expect(t, v, c.want, c.checked, c.evidence)
			ms, ok := v.Metrics["convergence_ms"]
			if c.metric < 0 && ok || c.metric >= 0 && (!ok || ms != c.metric) {
				t.Fatalf("metrics %v, want convergence_ms %d", v.Metrics, c.metric)
			}
		})
	}
}
