package bench

import (
	"time"

	"github.com/syncsim/syncsim/runner/sweep"
	"github.com/syncsim/syncsim/scenarios"
)

// Speedup is a sweep's speed-up on several workers over one, measured interleaved.
type Speedup struct {
	Scenario string `json:"scenario"`
	Workers  int    `json:"workers"`
	// Seeds is how many seeds each sweep of a slice covers; Slices how many slices were measured.
	Seeds  int `json:"seeds"`
	Slices int `json:"slices"`
	// One and Many are the total wall times of the one-worker and the many-worker sweeps.
	One  time.Duration `json:"one_ns"`
	Many time.Duration `json:"many_ns"`
	// Ratio is One over Many.
	Ratio float64 `json:"ratio"`
}

// MeasureSpeedup sweeps sc (every mode it names) over seeds seeds at a time, once on one worker and
// once on workers workers, the same seeds for both and the order alternating from slice to slice,
// for about d: a change of load on the machine falls on both alike.
func MeasureSpeedup(sc *scenarios.Scenario, workers, seeds int, d time.Duration) (Speedup, error) {
	s := Speedup{Scenario: sc.Path, Workers: workers, Seeds: seeds}
	sweepOnce := func(from uint64, w int) (time.Duration, error) {
		start := time.Now()
		_, err := sweep.Sweep(sweep.Config{Scenarios: []*scenarios.Scenario{sc}, Workers: w,
			Seeds: sweep.Range{From: from, To: from + uint64(seeds) - 1}}, nil)
		return time.Since(start), err
	}
	start := time.Now()
	for from := uint64(1); time.Since(start) < d || s.Slices == 0; from += uint64(seeds) {
		order := []int{1, workers}
		if s.Slices%2 == 1 {
			order = []int{workers, 1}
		}
		for _, w := range order {
			t, err := sweepOnce(from, w)
			if err != nil {
				return s, err
			}
			if w == 1 {
				s.One += t
			} else {
				s.Many += t
			}
		}
		s.Slices++
	}
	s.Ratio = s.One.Seconds() / s.Many.Seconds()
	return s, nil
}
