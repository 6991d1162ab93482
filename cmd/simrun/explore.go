package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/syncsim/syncsim/explore"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/output/progress"
	"github.com/syncsim/syncsim/reports/junit"
	"github.com/syncsim/syncsim/runner"
	"github.com/syncsim/syncsim/scenarios"
)

// exploreFlags are simrun explore's flags that explore.Config does not take as given: the mode and
// the faults, parsed once the scenario is loaded, and the files to write. The bounds and the seed
// go straight into explore.Config.
type exploreFlags struct {
	mode, faults       string
	json, junit, trace string
}

func exploreCommand(stderr io.Writer) *cobra.Command {
	var cfg explore.Config
	var f exploreFlags
	cmd := &cobra.Command{
		Use:   "explore SCENARIO --mode M [--max-depth N] [--max-faults K] [--faults LIST] [--max-states S] [--max-time D]",
		Short: "Explore every schedule within bounds: fault firings and reorderings, breadth-first",
		Long: `Runs every schedule of one scenario in one mode within the bounds: at every fault opportunity of
the faults in --faults (default: the scenario's point faults plus delete-instance at every fault
point) fire or not, at most --max-faults firings; at every choice point of k events due within
1 ms of each other, which of them fires next (k branches: every order is reachable); a message
whose delivery window holds another in-flight message's due time at the same receiver, the seeded
delay or its link's lower or upper bound; at most --max-depth non-default choices per schedule.
Schedules run from the start, breadth-first, so each property's first counterexample is a
shortest one; a state seen before (digest of every machine, the stores, the in-flight messages and
pending timers, instance names made canonical) with at least as much depth and fault budget left
is not explored again, and the schedule halts there and takes the verdicts of the earlier visit's
run (--full-runs runs every schedule to the end of its settle window instead).

Prints the states hashed, the distinct states, the depth reached, states per second, and whether
the bounds were exhausted or --max-states/--max-time stopped the exploration ("holds up to").
--trace-out writes each failing property's shortest counterexample as a trace file that
simrun replay, explain, shrink and run --report read.

Exit codes: 0 every property holds within the bounds (or fails as the scenario expects); 1 a MUST
property fails unexpectedly (or an expected failure holds within exhausted bounds); 2 stopped by a
limit with no failure found (inconclusive); 3 usage or input error.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			code := runExplore(args[0], cfg, f, cmd.OutOrStdout(), stderr)
			if code != 0 {
				return exitError{code}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.mode, "mode", "", "mode to explore (required; simrun list modes)")
	fl.Uint64Var(&cfg.Seed, "seed", 1, "seed of the message delays and of everything the choices leave open")
	fl.IntVar(&cfg.MaxDepth, "max-depth", 2, fmt.Sprintf("non-default choices per schedule (0 to %d)", explore.MaxDepthLimit))
	fl.IntVar(&cfg.MaxFaults, "max-faults", 1, "fault firings per schedule (at most --max-depth)")
	fl.StringVar(&f.faults, "faults", "", "comma-separated faults that may fire (default: the scenario's point faults and delete-instance)")
	fl.IntVar(&cfg.MaxStates, "max-states", 0, fmt.Sprintf("stop after this many distinct states (default and limit %d)", explore.MaxStatesLimit))
	fl.DurationVar(&cfg.MaxTime, "max-time", 0, "wall-clock budget (0: none)")
	fl.BoolVar(&cfg.FullRuns, "full-runs", false, "run every schedule to its end, also past a state whose default completion was already judged (slower; same verdicts)")
	fl.StringVar(&f.json, "json", "", "write the exploration as a JSON array of one run object to this file")
	fl.StringVar(&f.junit, "junit", "", "write JUnit XML (a test case per property) to this file")
	fl.StringVar(&f.trace, "trace-out", "", "write each failing property's shortest counterexample as a trace file")
	return cmd
}

// runExplore is the command's body: load, explore, print, write.
func runExplore(path string, cfg explore.Config, f exploreFlags, stdout, stderr io.Writer) int {
	sc, err := scenarios.Load(path)
	if err != nil {
		fmt.Fprintln(stderr, "simrun explore:", err)
		return runner.ExitUsage
	}
	if f.mode == "" {
		fmt.Fprintln(stderr, "simrun explore: --mode is required (fix: --mode platform; simrun list modes)")
		return runner.ExitUsage
	}
	mode, err := host.ParseMode(f.mode)
	if err != nil {
		fmt.Fprintf(stderr, "simrun explore: --mode: %v (fix: one of them; explore takes one mode, not all)\n", err)
		return runner.ExitUsage
	}
	cfg.Scenario, cfg.Mode = sc, mode
	if f.faults != "" {
		cfg.Faults = strings.Split(f.faults, ",")
	}
	if progress.IsTerminal(stderr) {
		cfg.OnSchedule = func(s explore.Stats) { explore.WriteProgress(stderr, s) }
	}
	rep, err := explore.Explore(cfg)
	if cfg.OnSchedule != nil {
		fmt.Fprintln(stderr)
	}
	if err != nil {
		fmt.Fprintln(stderr, "simrun explore:", err)
		return runner.ExitUsage
	}
	rep.WriteText(stdout)
	if f.trace != "" {
		paths, err := explore.WriteTraces(f.trace, rep.Findings)
		if err != nil {
			fmt.Fprintln(stderr, "simrun explore:", err)
			return runner.ExitUsage
		}
		for _, p := range paths {
			fmt.Fprintf(stdout, "counterexample written to %s (simrun replay %s)\n", p, p)
		}
	}
	runs := []*runner.Result{rep.Result}
	// The one outcome every artifact shows, and the exit code.
	o := runner.Judge(runs, false)
	if f.json != "" {
		if err := runner.WriteJSON(f.json, runs, o); err != nil {
			fmt.Fprintln(stderr, "simrun explore: --json:", err)
			return runner.ExitUsage
		}
	}
	if f.junit != "" {
		if err := junit.WriteRuns(f.junit, junitRuns(runs), o, junit.Options{Secrets: rep.Result.Secrets}); err != nil {
			fmt.Fprintln(stderr, "simrun explore: --junit:", err)
			return runner.ExitUsage
		}
	}
	return o.Exit
}
