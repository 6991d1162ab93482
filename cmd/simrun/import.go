package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/syncsim/syncsim/internal/importer"
	"github.com/syncsim/syncsim/internal/runner"
	"github.com/syncsim/syncsim/reports/output"
)

func importCommand(stderr io.Writer) *cobra.Command {
	var out string
	var o importer.Options
	cmd := &cobra.Command{
		Use:   "import LOG -o SCENARIO.yaml",
		Short: "Turn a host log into a scenario that replays its story",
		Long: `Reads a host log (RFC 3339 time, instance, level, message; '#' comments) and writes a scenario
with the same instances, timeline, mode and faults, times as offsets from the first host start.
Unknown lines are kept as comments. The scenario's expect section lists what its run fails in the
log's mode (seed 1), so that 'simrun run' of it exits 0 and 'simrun run --raw' exits 1.
-o - writes to stdout. A line whose time is earlier than the line's before it is an error naming
both lines; --allow-out-of-order sorts the lines stably by time instead, with a warning, and the
scenario's comment block says what was reordered.

Exit codes: 0 imported; 3 usage or input error (no -o, unreadable file, empty log, no host start,
a log, line or line count over its limit, lines out of order).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			code := runImport(args[0], out, o, cmd.OutOrStdout(), stderr)
			if code != 0 {
				return exitError{code}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "scenario file to write (- for stdout)")
	cmd.Flags().Int64Var(&o.MaxBytes, "max-log-bytes", importer.DefaultMaxBytes, "refuse a log larger than this")
	cmd.Flags().IntVar(&o.MaxLineBytes, "max-log-line-bytes", importer.DefaultMaxLineBytes, "refuse a log with a line longer than this")
	cmd.Flags().IntVar(&o.MaxLines, "max-log-lines", importer.DefaultMaxLines, "refuse a log with more lines than this to keep (events and unknown lines)")
	cmd.Flags().IntVar(&o.MaxEvents, "max-log-events", importer.DefaultMaxEvents, "refuse a log with more event lines than this")
	cmd.Flags().BoolVar(&o.AllowOutOfOrder, "allow-out-of-order", false, "sort lines whose times go backwards stably by time, with a warning, instead of refusing the log")
	cmd.MarkFlagRequired("output")
	return cmd
}

// runImport imports one log and writes the scenario; it returns the exit code. The log's size is
// checked before it is read; a stream without a size (a FIFO) is bounded while it is read.
func runImport(path, out string, o importer.Options, stdout, stderr io.Writer) int {
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintln(stderr, "simrun import:", err)
		return runner.ExitUsage
	}
	defer f.Close()
	info, err := f.Stat()
	if err == nil && info.IsDir() {
		err = fmt.Errorf("%s: is a directory (fix: give a log file)", path)
	}
	if err == nil && info.Mode().IsRegular() {
		err = o.CheckSize(path, info.Size())
	}
	if err != nil {
		fmt.Fprintln(stderr, "simrun import:", err)
		return runner.ExitUsage
	}
	res, err := importer.ImportWith(path, f, o)
	if err != nil {
		fmt.Fprintln(stderr, "simrun import:", err)
		return runner.ExitUsage
	}
	if out == "-" {
		_, err = stdout.Write(res.YAML)
	} else {
		// The importer masked what it learnt (the one redaction); P11 judges the scenario as it is written.
		err = output.WriteMasked(out, res.YAML, nil)
	}
	if err != nil {
		fmt.Fprintln(stderr, "simrun import:", err)
		return runner.ExitUsage
	}
	fmt.Fprintf(stderr, "imported %d lines: %d events, %d unknown\n", res.Lines, res.Events, res.Unknown)
	if len(res.Reordered) > 0 {
		fmt.Fprintf(stderr, "simrun import: warning: the log is out of order, its lines are sorted by time (--allow-out-of-order): %s\n",
			strings.Join(res.Reordered, "; "))
	}
	if !res.Reproduced {
		fmt.Fprintf(stderr, "simrun import: warning: the imported scenario does not fail P1 in %s mode (fails: %v)\n", res.Mode, res.Failing)
	}
	return 0
}
