package explore

import (
	"fmt"
	"io"
	"time"

	"github.com/syncsim/syncsim/runner"
)

// WriteText writes the report as `simrun explore` prints it: the bounds, the statistics and whether
// the bounds were exhausted, the verdicts (runner.PrintResult), then each failing property's
// shortest schedule.
func (r *Report) WriteText(w io.Writer) {
	s := r.Stats
	state := "bounds exhausted"
	if !r.Exhausted() {
		state = "stopped by " + s.Stopped + ": verdicts hold up to these counts"
	}
	fmt.Fprintf(w, "%s  mode %s  seed %d  (%s)\n", r.Scenario, r.Mode, r.Seed, r.Bounds)
	fmt.Fprintf(w, "explored %d schedules: %d states, %d distinct, %d revisits pruned, %d schedules halted at one (%d run again), depth %d, %.0f states/s, %s; %s\n",
		s.Schedules, s.States, s.Distinct, s.Revisits, s.Halted, s.Rerun, s.Depth, s.PerSecond(), s.Elapsed.Round(time.Millisecond), state)
	runner.PrintResult(w, r.Result, false)
	for _, f := range r.Findings {
		fmt.Fprintf(w, "%s fails: shortest schedule, %d non-default choice(s), found after %d schedules (%s): timeline %v, firings %v, choices %v\n",
			f.Property, f.Choices, f.AfterSchedules, f.After.Round(time.Millisecond), f.Schedule.Timeline, f.Schedule.Firings, f.Schedule.Choices)
	}
}

// WriteProgress rewrites the progress line on a terminal: schedules, states, depth and rate so far
// (Config.OnSchedule's statistics).
func WriteProgress(w io.Writer, s Stats) {
	fmt.Fprintf(w, "\r%d schedules, %d states (%d distinct), depth %d, %.0f states/s", s.Schedules, s.States, s.Distinct, s.Depth, s.PerSecond())
}
