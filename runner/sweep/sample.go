package sweep

import (
	"fmt"

	"github.com/syncsim/syncsim/check"
)

// SampleRate is the share of seeds, 1 in SampleRate, whose runs a sweep makes twice to judge P12.
const SampleRate = 16

// Sample is the runs a sweep makes a second time to judge P12 (determinism): making every run twice
// doubles a sweep's cost, and a nondeterminism shows in any run that has it. A run is made twice
// when its seed is the first of the sweep's range (so every cell is judged at least once, whatever
// the sharding), when its seed hashes into 1/SampleRate, or when a trace property fails or is
// inconclusive in it (a failing run is the one a user replays). The sample depends on the seed and
// the run's own verdicts only, so a sharded sweep judges the same runs as an unsharded one.
type Sample struct {
	// First is the first seed of the sweep's whole range (Config.Seeds.From).
	First uint64
}

// Rerun reports whether a run is in the sample: runner.Options.Determinism.
func (s Sample) Rerun(seed uint64, verdicts []check.Verdict) bool {
	if seed == s.First || Sampled(seed) {
		return true
	}
	for _, v := range verdicts {
		if v.Status == check.Fail || v.Status == check.Inconclusive {
			return true
		}
	}
	return false
}

// Sampled reports whether a seed hashes into the sample: SplitMix64's finalizer, mod SampleRate.
func Sampled(seed uint64) bool {
	z := seed + 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return (z^z>>31)%SampleRate == 0
}

// String describes the sample for reports.
func (s Sample) String() string {
	return fmt.Sprintf("seed %d, the seeds whose SplitMix64 hash is 0 mod %d, and every run a trace property fails or leaves inconclusive", s.First, SampleRate)
}

// P12Sample says on how many of a report's runs P12 was judged, and which runs the sample takes.
type P12Sample struct {
	Judged int    `json:"judged"`
	Runs   int    `json:"runs"`
	Sample string `json:"sample"`
}

// Text is the line reports print: "P12 judged on 19 of 300 runs (sample: ...)".
func (p *P12Sample) Text() string {
	return fmt.Sprintf("P12 judged on %d of %d runs (sample: %s)", p.Judged, p.Runs, p.Sample)
}
