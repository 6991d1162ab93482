package conformance

import (
	"strings"
	"testing"
	"time"

	"github.com/syncsim/syncsim/check"
)

// attemptsAt makes failed fetches at the given offsets from start.
func attemptsAt(start time.Time, offsets ...time.Duration) []Fetch {
	var fs []Fetch
	for i, o := range offsets {
		fs = append(fs, Fetch{Start: start.Add(o), End: start.Add(o), Status: 503, Played: []Failure{Fail503, FailReset, Fail404}[i%3]})
	}
	return fs
}

// cappedEvery is a backoff of 1 s doubling up to limit, retried until the attempts have covered d.
func cappedEvery(limit, d time.Duration) []time.Duration {
	offsets := []time.Duration{0}
	for gap := time.Second; offsets[len(offsets)-1] < d; gap = min(2*gap, limit) {
		offsets = append(offsets, offsets[len(offsets)-1]+gap)
	}
	return offsets
}

// MESH-4's judgement of retry attempts seen in a window (PROTOCOL.md MESH-4).
func TestJudgeRetries(t *testing.T) {
	s := time.Second
	ms := time.Millisecond
	cases := []struct {
		name     string
		env      *Env
		window   time.Duration
		offsets  []time.Duration
		want     check.Status
		evidence string
	}{
		{"no fetch at all", &Env{}, 20 * s, nil, check.Inconclusive, "nothing to retry"},
		{"no retry", &Env{}, 20 * s, []time.Duration{250 * ms}, check.Fail, "no retry within the observed 20s"},
		{"backoff 1-2-4-8", &Env{}, 20 * s, []time.Duration{250 * ms, 1250 * ms, 3250 * ms, 7250 * ms, 15250 * ms}, check.Pass, "within the observed 20s"},
		{"one retry, window too short to tell", &Env{}, 5 * s, []time.Duration{250 * ms, 3 * s}, check.Inconclusive, "one retry"},
		{"gave up after two retries", &Env{}, 20 * s, []time.Duration{250 * ms, 1250 * ms, 2250 * ms}, check.Fail, "gave up"},
		{"tight loop passes without --strict", &Env{}, 100 * ms, []time.Duration{0, 10 * ms, 20 * ms, 30 * ms}, check.Pass, "SHOULD not met"},
		{"tight loop fails with --strict", &Env{Strict: true}, 100 * ms, []time.Duration{0, 10 * ms, 20 * ms, 30 * ms}, check.Fail, "--strict"},
		{"--full: retries cover the requirement", &Env{Full: true, RetryFor: 10 * s}, 12 * s, []time.Duration{0, 1 * s, 3 * s, 7 * s, 11 * s}, check.Pass, "covers the required 10s"},
		{"--full: stopped early", &Env{Full: true, RetryFor: 60 * s}, 150 * s, []time.Duration{0, 1 * s, 3 * s, 7 * s, 15 * s, 31 * s}, check.Fail, "short of 1m0s"},
		// Issue 22: a mesh that retries for the whole 10 minutes, backoff capped at 8 s, then gives
		// up (MESH-4: MAY) is not a mesh that gave up early, whatever the silence after.
		{"--full: 8 s cap for 10 minutes, then gives up", &Env{Full: true}, 10*time.Minute + 90*s, cappedEvery(8*s, 10*time.Minute), check.Pass, "covers the required 10m0s"},
		{"--full: 8 s cap for 5 minutes, then gives up", &Env{Full: true}, 10*time.Minute + 90*s, cappedEvery(8*s, 5*time.Minute), check.Fail, "retries stopped"},
		{"--full: the window ends before a long backoff owes the next attempt", &Env{Full: true, RetryFor: 60 * s}, 70 * s, []time.Duration{0, 1 * s, 3 * s, 7 * s, 15 * s, 31 * s}, check.Inconclusive, "window ended"},
		// Issue 22: a backoff that grows 4x is judged by its own shape, not by doubling.
		{"backoff 1-4-16 in 20 s", &Env{}, 20 * s, []time.Duration{250 * ms, 1250 * ms, 5250 * ms}, check.Pass, "within the observed 20s"},
		{"backoff 1-4 then silence beyond 4x", &Env{}, 60 * s, []time.Duration{250 * ms, 1250 * ms, 5250 * ms}, check.Fail, "gave up"},
		{"gave up after two retries, 1 s doubling", &Env{}, 20 * s, []time.Duration{250 * ms, 1250 * ms, 3250 * ms}, check.Fail, "gave up"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			v := newVerdict(meshRule("MESH-4"))
			judgeRetries(v, c.env, start, start.Add(c.window), attemptsAt(start, c.offsets...))
			got := v.done()
			if got.Status != c.want || !strings.Contains(strings.Join(got.EvidenceText(), "\n"), c.evidence) {
				t.Errorf("%s, want %s with %q:\n%s", got.Status, c.want, c.evidence, strings.Join(got.EvidenceText(), "\n"))
			}
		})
	}
}
