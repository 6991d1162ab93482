// Package replay re-runs recorded traces and shrinks failing ones. A trace file carries its run's
// schedule as semantic events (timeline entries, fault firings, non-default scheduling choices);
// replaying follows that schedule, and shrinking searches for the smallest part of it that still
// fails the same property for the same reason (delta debugging, Zeller and Hildebrandt's ddmin, over
// candidates whose failure has the input's Signature).
//
//	out, err := replay.Replay(f)
//	if err == nil { fmt.Println(out.File.TraceHash == f.TraceHash) }
package replay

import (
	"errors"
	"fmt"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/runner"
	"github.com/syncsim/syncsim/runner/tracefile"
	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/trace"
)

// ErrCannotFollow is the error of a schedule this build cannot follow: a firing or a choice it lists
// never came up, because behaviour changed since the trace was recorded.
var ErrCannotFollow = errors.New("replay: the recorded schedule cannot be followed")

// Outcome is a replay.
type Outcome struct {
	// File is the new run's trace file.
	File *tracefile.File
	// ScenarioChanged is set when the scenario file's SHA-256 differs from the recorded one.
	ScenarioChanged bool
	// SameHash reports whether the new trace hash equals the recorded one; when not, FirstDifference
	// is the 1-based number of the first record that differs (0 when the records are equal).
	SameHash        bool
	FirstDifference int
	Result          *runner.Result
}

// load reads the trace's scenario, validates the trace's schedule against its records and the
// scenario, and says whether the scenario changed since. The world follows a schedule as a set
// (entry i plays when listed), so a schedule naming entries that do not exist, twice or out of
// order would replay to "identical" while the file says something else: it is refused instead.
func load(f *tracefile.File) (*scenarios.Scenario, host.Mode, bool, error) {
	if err := f.CheckSchedule(); err != nil {
		return nil, 0, false, fmt.Errorf("replay: %w", err)
	}
	sc, err := scenarios.Load(f.Scenario.Path)
	if err != nil {
		return nil, 0, false, fmt.Errorf("replay: the trace's scenario: %w", err)
	}
	if err := f.CheckAgainst(sc); err != nil {
		return nil, 0, false, fmt.Errorf("replay: %w", err)
	}
	mode, err := host.ParseMode(f.Mode)
	if err != nil {
		return nil, 0, false, fmt.Errorf("replay: %w", err)
	}
	return sc, mode, f.Scenario.SHA256 != "" && sc.SHA256 != f.Scenario.SHA256, nil
}

// Replay re-runs a trace exactly: the same scenario, mode, seed, strategy and faults, following the
// recorded schedule.
func Replay(f *tracefile.File) (*Outcome, error) {
	sc, mode, changed, err := load(f)
	if err != nil {
		return nil, err
	}
	res, err := runScript(sc, mode, f, f.Schedule)
	if err != nil {
		return nil, err
	}
	out := &Outcome{ScenarioChanged: changed, Result: res, File: runner.TraceFile(res)}
	out.File.ShrunkFrom = f.ShrunkFrom
	out.SameHash = res.TraceHash == f.TraceHash
	if !out.SameHash {
		if i := trace.FirstDifference(f.Records, res.Trace.Records); i >= 0 {
			out.FirstDifference = i + 1
		}
	}
	if len(res.Unfollowed) > 0 {
		return out, fmt.Errorf("%w: %v never came up (the trace was recorded by %s)", ErrCannotFollow, res.Unfollowed, f.Harness)
	}
	return out, nil
}

func runScript(sc *scenarios.Scenario, mode host.Mode, f *tracefile.File, s trace.Schedule) (*runner.Result, error) {
	return runScriptWith(sc, mode, f, s, runner.Options{})
}

func runScriptWith(sc *scenarios.Scenario, mode host.Mode, f *tracefile.File, s trace.Schedule, o runner.Options) (*runner.Result, error) {
	strategy := f.Strategy
	if strategy == "uniform" {
		strategy = ""
	}
	o.Raw, o.Strategy, o.Faults, o.Script = true, strategy, f.Faults, &s
	res, err := runner.RunOne(sc, mode, f.Seed, o)
	if err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	res.Strategy = f.Strategy
	return res, nil
}
