package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/explore/replay"
	"github.com/syncsim/syncsim/reports/explain"
	"github.com/syncsim/syncsim/runner"
	"github.com/syncsim/syncsim/runner/tracefile"
)

// usage reports a usage, input or environment error (exit 3).
func usage(stderr io.Writer, cmd string, err error) error {
	fmt.Fprintf(stderr, "simrun %s: %v\n", cmd, err)
	if leak := (*check.LeakError)(nil); errors.As(err, &leak) {
		// P11 failed on an output as it left the process: a failing property, not bad usage.
		return exitError{runner.ExitFailed}
	}
	return exitError{runner.ExitUsage}
}

// traceLimits are the --max-trace-* flags of the commands that read a trace file.
func traceLimits(cmd *cobra.Command) *tracefile.Limits {
	l := tracefile.DefaultLimits()
	cmd.Flags().Int64Var(&l.MaxBytes, "max-trace-bytes", l.MaxBytes, "refuse a trace file larger than this, or decompressing to more")
	cmd.Flags().IntVar(&l.MaxRecords, "max-trace-records", l.MaxRecords, "refuse a trace file with more records than this")
	return &l
}

// inTrace names the trace file in a schedule error found after reading it (against its scenario).
func inTrace(path string, err error) error {
	if errors.Is(err, tracefile.ErrSchedule) && !strings.Contains(err.Error(), path) {
		return fmt.Errorf("%s: %w", path, err)
	}
	return err
}

func replayCommand(stderr io.Writer) *cobra.Command {
	var limits *tracefile.Limits
	cmd := &cobra.Command{
		Use:   "replay TRACE",
		Short: "Re-run a recorded trace exactly; exit 1 if it still fails",
		Long: `Re-runs the trace's scenario in its mode with its seed, strategy and faults, following its recorded
schedule, judges the run and prints its trace hash next to the recorded one. Says when the scenario
file changed since the trace was recorded, and when this build cannot follow the schedule. The
schedule is checked first against the trace's records and the scenario: every timeline entry it
names exists, once, in order; every firing key is well formed, in order, of a fault the run arms.

Exit codes: 0 no MUST property fails; 1 a MUST property fails; 3 the trace cannot be read or followed.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := tracefile.ReadLimited(args[0], *limits)
			if err != nil {
				return usage(stderr, "replay", err)
			}
			out, err := replay.Replay(f)
			if out != nil && out.ScenarioChanged {
				fmt.Fprintf(stderr, "simrun replay: %s changed since the trace was recorded (sha256 %s, now %s); replaying against the file as it is now\n",
					f.Scenario.Path, short(f.Scenario.SHA256), short(out.Result.ScenarioSHA256))
			}
			if err != nil {
				return usage(stderr, "replay", inTrace(args[0], err))
			}
			w := cmd.OutOrStdout()
			runner.PrintResult(w, out.Result, false)
			fmt.Fprintf(w, "trace_hash %s (recorded %s): ", out.File.TraceHash, f.TraceHash)
			switch {
			case out.SameHash:
				fmt.Fprintln(w, "identical")
			case out.FirstDifference == 0:
				fmt.Fprintln(w, "the records are identical; the header differs (the scenario file changed)")
			default:
				fmt.Fprintf(w, "behaviour changed: first differing record is number %d\n", out.FirstDifference)
			}
			if len(out.File.Failed) > 0 {
				return exitError{runner.ExitFailed}
			}
			return nil
		},
	}
	limits = traceLimits(cmd)
	return cmd
}

func shrinkCommand(stderr io.Writer) *cobra.Command {
	var outPath, property string
	var maxRuns int
	var limits *tracefile.Limits
	cmd := &cobra.Command{
		Use:   "shrink TRACE -o OUT",
		Short: "Shrink a failing trace to the smallest sub-schedule that still fails the same property",
		Long: `Delta debugging over the trace's timeline entries, fault firings and non-default scheduling choices:
the result is a sub-trace of the input that replays to a failure of the same property (--property,
default: the first MUST property the trace fails) for the same reason: a smaller schedule counts only
when its failure has the input's signature (the kinds of the records its evidence cites and its
reason class, such as "a later sync skipped on the stored hash" or "the site stayed at zero
instances"); one that fails the property for another reason is rejected. Prints both sizes (timeline
entries + fault firings + non-default choices), the signature kept and the candidates rejected.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if outPath == "" {
				return usage(stderr, "shrink", errors.New("-o OUT is required"))
			}
			f, err := tracefile.ReadLimited(args[0], *limits)
			if err != nil {
				return usage(stderr, "shrink", err)
			}
			out, st, err := replay.Shrink(f, property, maxRuns)
			if err != nil {
				return usage(stderr, "shrink", inTrace(args[0], err))
			}
			if err := tracefile.Write(outPath, out, st.Secrets); err != nil {
				return usage(stderr, "shrink", err)
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "shrunk %s toward %s: size %d -> %d in %d runs", args[0], st.Property, st.From, st.To, st.Runs)
			if st.Exhausted {
				fmt.Fprintf(w, " (stopped at --max-runs %d)", maxRuns)
			}
			fmt.Fprintf(w, "\nfailure kept: %s\n", st.Signature)
			if st.Rejected > 0 {
				fmt.Fprintf(w, "rejected: %d smaller schedule(s) that fail %s for another reason\n", st.Rejected, st.Property)
			}
			fmt.Fprintf(w, "schedule: timeline %v, firings %v, choices %v\nwritten: %s (trace_hash %s)\n",
				out.Schedule.Timeline, out.Schedule.Firings, out.Schedule.Choices, outPath, out.TraceHash)
			return nil
		},
	}
	cmd.Flags().StringVarP(&outPath, "out", "o", "", "where to write the shrunk trace")
	cmd.Flags().StringVar(&property, "property", "", "the property the shrunk trace must still fail (default: its first failed MUST property)")
	cmd.Flags().IntVar(&maxRuns, "max-runs", replay.DefaultMaxRuns, "stop after this many runs")
	limits = traceLimits(cmd)
	return cmd
}

func explainCommand(stderr io.Writer) *cobra.Command {
	var all bool
	var limits *tracefile.Limits
	cmd := &cobra.Command{
		Use:   "explain TRACE",
		Short: "Print a trace as a timeline a person can read",
		Long: `Each party's steps, the messages between parties, the injected faults, the events where properties
break and the contract rules involved. --all shows every record, the network's included. A schedule
that is not the one the trace's records show is refused (exit 3).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := tracefile.ReadLimited(args[0], *limits)
			if err != nil {
				return usage(stderr, "explain", err)
			}
			if err := explain.Write(cmd.OutOrStdout(), f, explain.Options{All: all}); err != nil {
				return usage(stderr, "explain", inTrace(args[0], err))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "show every record")
	limits = traceLimits(cmd)
	return cmd
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
