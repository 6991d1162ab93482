package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/syncsim/syncsim/internal/runner"
	"github.com/syncsim/syncsim/internal/validate"
)

func validateCommand(stderr io.Writer) *cobra.Command {
	var opts validate.Options
	var meshLog, feLog string
	cmd := &cobra.Command{
		Use:   "validate LOG [--mode M] [--mesh-log F] [--frontend-log F]",
		Short: "Check that a real host log is a behaviour the model allows",
		Long: `Reads a host log (the format 'simrun import' reads) and, optionally, the platform's mesh and
front-end logs, merges them by time and checks each line against the host and platform step
machines: every line must be a step the model can take from the state the earlier lines put it in.
Lines the parser does not recognise are counted and listed, not failed.

Exit codes: 0 every line is explained; 1 a line the model cannot explain (named as LOG:LINE, with
the model's state and the steps it could take); 3 usage or input error (unreadable or empty log,
a limit exceeded, unknown mode).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if code := runValidate(args[0], meshLog, feLog, opts, cmd.OutOrStdout(), stderr); code != 0 {
				return exitError{code}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Mode, "mode", "", "mode to validate against (default: the first Host started line's SyncTriggersMode, else frontend)")
	f.StringVar(&meshLog, "mesh-log", "", "the platform's mesh log, same format, merged by time")
	f.StringVar(&feLog, "frontend-log", "", "the front end's log, same format, merged by time")
	f.Int64Var(&opts.Limits.MaxBytes, "max-log-bytes", 0, "refuse a log larger than this (0: the importer's default)")
	f.IntVar(&opts.Limits.MaxLineBytes, "max-log-line-bytes", 0, "refuse a log with a line longer than this (0: the importer's default)")
	f.IntVar(&opts.Limits.MaxLines, "max-log-lines", 0, "refuse a log with more lines than this (0: the importer's default)")
	return cmd
}

// runValidate validates one host log with its optional platform logs; it returns the exit code.
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
	fmt.Fprintf(stdout, "%s (mode %s): %d lines, %d steps explained, %d unknown", path, res.Mode, res.Lines, res.Steps, res.Unknown)
	if res.Other > 0 {
		fmt.Fprintf(stdout, ", %d front-end lines not checked", res.Other)
	}
	if res.ContentChanges > 0 {
		fmt.Fprintf(stdout, ", %d content change(s) not in the log", res.ContentChanges)
	}
	fmt.Fprintln(stdout)
	for _, u := range res.UnknownLines {
		fmt.Fprintln(stdout, "  unknown:", u)
	}
	if !res.OK() {
		fmt.Fprintln(stdout, res.Failure)
		return runner.ExitFailed
	}
	fmt.Fprintln(stdout, "every line is a step the model can take")
	return 0
}
