package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/syncsim/syncsim/logs/validate"
	"github.com/syncsim/syncsim/runner"
)

func validateCommand(stderr io.Writer) *cobra.Command {
	var lf logFlags
	var mode, meshLog, feLog string
	cmd := &cobra.Command{
		Use:   "validate LOG [--mode M] [--mesh-log F] [--frontend-log F]",
		Short: "Check that a log is a behaviour the model allows",
		Long: `Reads a log in any format 'simrun import' reads and, optionally, the platform's mesh and front-end
logs, merges them by time and checks each line against the host and platform step machines: every
line must be a step the model can take from the state the earlier lines put it in. The caller's
side (Core Tools, pipelines, Kudu) is judged against MSG-4: a retry follows a failed answer, and
each answer is one MSG-4 gives. An instance the log never shows starting joins running (the log is
an excerpt); a log of a whole run (it opens with the harness's Site settings line) must start every
instance. Lines the model does not judge are counted by reason.

It prints 'explained N of M lines (S sync steps); skipped K (by reason: ...)', then the verdict.

Exit codes: 0 at least one sync step explained and no line failed; 1 a line the model cannot
explain (named as LOG:LINE, with the model's state and the steps it could take); 2 inconclusive:
nothing in the log is a sync step the model can judge (the reasons are listed); 3 usage or input
error (unreadable or empty log, no line in a known format or an unknown --format, a limit
exceeded, an unknown mode).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o, err := lf.options()
			if err != nil {
				fmt.Fprintln(stderr, "simrun validate:", err)
				return exitError{runner.ExitUsage}
			}
			opts := validate.Options{Mode: mode, Read: o}
			if code := runValidate(args[0], meshLog, feLog, opts, cmd.OutOrStdout(), stderr); code != 0 {
				return exitError{code}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&mode, "mode", "", "mode to validate against (default: the mode the log shows, a Site settings line or the host's notification lines, else frontend, what shipped)")
	f.StringVar(&meshLog, "mesh-log", "", "the platform's mesh log, merged by time")
	f.StringVar(&feLog, "frontend-log", "", "the front end's log, merged by time")
	lf.add(cmd, false)
	return cmd
}

// runValidate validates one log with its optional platform logs; it returns the exit code.
func runValidate(path, meshLog, feLog string, opts validate.Options, stdout, stderr io.Writer) int {
	var srcs []validate.Source
	for _, p := range []string{path, meshLog, feLog} {
		if p == "" {
			continue
		}
		f, err := os.Open(p)
		if err != nil {
			fmt.Fprintf(stderr, "simrun validate: %v (fix: name a readable log file)\n", err)
			return runner.ExitUsage
		}
		defer f.Close()
		srcs = append(srcs, validate.Source{Name: p, R: f})
	}
	res, err := validate.Validate(opts, srcs...)
	if err != nil {
		fmt.Fprintln(stderr, "simrun validate:", err)
		return runner.ExitUsage
	}
	from, _, _ := strings.Cut(res.ModeFrom, " `") // FILE:LINE, without the line's words
	fmt.Fprintf(stdout, "%s (mode %s from %s): %s\n", path, res.Mode, from, res.Summary())
	if res.ContentChanges > 0 {
		fmt.Fprintf(stdout, "  %d content change(s) the log implies but does not show\n", res.ContentChanges)
	}
	for _, s := range res.SkippedLines {
		fmt.Fprintln(stdout, "  skipped:", s)
	}
	switch res.Verdict {
	case validate.Failed:
		fmt.Fprintln(stdout, res.Failure)
		return runner.ExitFailed
	case validate.Inconclusive:
		fmt.Fprintf(stdout, "inconclusive: %s\n", res.Why())
		return runner.ExitInconclusive
	}
	fmt.Fprintln(stdout, "every line judged is a step the model can take")
	return 0
}
