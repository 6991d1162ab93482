package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/syncsim/syncsim/logs"
	"github.com/syncsim/syncsim/logs/importer"
	"github.com/syncsim/syncsim/output"
	"github.com/syncsim/syncsim/runner"
)

// logFlags are the flags import and validate share: how a log is read and what it does not say.
type logFlags struct {
	format, date string
	o            importer.Options
}

func (lf *logFlags) add(cmd *cobra.Command, withMode bool) {
	f := cmd.Flags()
	f.StringVar(&lf.format, "format", "", "read the log in this format only: "+formatNames()+" (default: detected per line)")
	if withMode {
		f.StringVar(&lf.o.Mode, "mode", "", "the sync mode (default: the mode the log shows, a Site settings line or the host's notification lines, else frontend, what shipped)")
	}
	f.StringVar(&lf.o.Site, "site", "", "the site's name (default: a Site settings line, the request URI, Starting Host's HostId, else "+importer.DefaultSite+")")
	f.StringVar(&lf.o.Instance, "instance", "", "the instance of host lines that name none (default: the one instance the log names, else "+importer.DefaultInstance+")")
	f.IntVar(&lf.o.Year, "year", 0, "the year of times that carry none (default: the first dated line's)")
	f.StringVar(&lf.date, "date", "", "the date (YYYY-MM-DD) of times that carry none (default: relative to the first timed line)")
	f.Int64Var(&lf.o.MaxBytes, "max-log-bytes", importer.DefaultMaxBytes, "refuse a log larger than this")
	f.IntVar(&lf.o.MaxLineBytes, "max-log-line-bytes", importer.DefaultMaxLineBytes, "refuse a log with a line longer than this")
	f.IntVar(&lf.o.MaxLines, "max-log-lines", importer.DefaultMaxLines, "refuse a log with more entries than this to keep (events and unknown lines)")
	f.IntVar(&lf.o.MaxEvents, "max-log-events", importer.DefaultMaxEvents, "refuse a log with more event lines than this")
}

func formatNames() string {
	var names []string
	for _, f := range logs.Formats() {
		names = append(names, string(f))
	}
	return strings.Join(names, ", ")
}

// options checks the flags that need parsing: an unknown format or a bad date is a usage error.
func (lf *logFlags) options() (importer.Options, error) {
	o := lf.o
	if lf.format != "" {
		f, err := logs.ParseFormat(lf.format)
		if err != nil {
			return o, fmt.Errorf("--format: %w", err)
		}
		o.Format = f
	}
	if lf.date != "" {
		d, err := time.Parse("2006-01-02", lf.date)
		if err != nil {
			return o, fmt.Errorf("--date %q is no date (fix: write it as 2024-05-17)", lf.date)
		}
		o.Date = d
	}
	return o, nil
}

func importCommand(stderr io.Writer) *cobra.Command {
	var out string
	var allow bool
	var lf logFlags
	cmd := &cobra.Command{
		Use:   "import LOG -o SCENARIO.yaml",
		Short: "Turn a log into a scenario that replays its story",
		Long: `Reads a log in any format simrun knows (syncsim's, MS_FUNCTION_LOGS, App Insights CSV or JSON,
the App Service log stream, the caller's side: Core Tools, VS Code, Azure Pipelines, Kudu; plain
pasted messages; detected per line, or --format) and writes a scenario with the same instances,
timeline, mode and faults. What the log does not say is inferred from the host's own lines (site
and host id from Starting Host, a Site settings line or a request URI; the mode from the
notification lines; instances from the instance column) or taken from --site, --mode, --instance,
--year and --date; the scenario's comment block says which, from which line, and which values are
defaults. A caller's retries become an admin_sync with retry; an empty publish the transient-empty
fault; a storage refusal storage-refuses; a lost lease primary-lease-lost; a failed publish or call
the matching front-end fault. Unknown lines are kept as comments. The scenario's expect section
lists what its run fails (seed 1), and its comment block why.
-o - writes to stdout. A line whose time is earlier than the line's before it is an error naming
both lines; --allow-out-of-order sorts the lines stably by time instead, with a warning.

Exit codes: 0 imported; 3 usage or input error (no -o, unreadable file, empty log, no line in a
known format or an unknown --format, a limit exceeded, lines out of order, an unknown mode).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o, err := lf.options()
			if err != nil {
				fmt.Fprintln(stderr, "simrun import:", err)
				return exitError{runner.ExitUsage}
			}
			o.AllowOutOfOrder = allow
			if code := runImport(args[0], out, o, cmd.OutOrStdout(), stderr); code != 0 {
				return exitError{code}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "scenario file to write (- for stdout)")
	lf.add(cmd, true)
	cmd.Flags().BoolVar(&allow, "allow-out-of-order", false, "sort lines whose times go backwards stably by time, with a warning, instead of refusing the log")
	cmd.MarkFlagRequired("output")
	return cmd
}

// runImport imports one log and writes the scenario; it returns the exit code. The log's size is
// checked before it is read; a stream without a size (a FIFO) is bounded while it is read. Output
// goes through the CLI's one redaction (execute wraps stdout and stderr); the scenario's comments
// are masked by the importer.
func runImport(path, out string, o importer.Options, stdout, stderr io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintln(stderr, "simrun import:", err)
		return runner.ExitUsage
	}
	f, err := os.Open(path)
	if err != nil {
		return fail(err)
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
		return fail(err)
	}
	res, err := importer.ImportWith(path, f, o)
	if err != nil {
		return fail(err)
	}
	if out == "-" {
		_, err = stdout.Write(res.YAML)
	} else {
		// The importer masked what it learnt (the one redaction); P11 judges the scenario as it is written.
		err = output.WriteMasked(out, res.YAML, nil)
	}
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(stderr, "imported %d lines: %d events, %d unknown (%s)\n", res.Lines, res.Events, res.Unknown, formatCounts(res.Formats))
	fmt.Fprintf(stderr, "site %s, mode %s (%s); expect %s: %s\n", res.Site, res.Mode, res.Settings.Mode.From, res.Mode, orNothing(res.Failing))
	if len(res.Reordered) > 0 {
		fmt.Fprintf(stderr, "simrun import: warning: the log is out of order, its lines are sorted by time (--allow-out-of-order): %s\n",
			strings.Join(res.Reordered, "; "))
	}
	if !res.Reproduced {
		what := "the log shows no failure, but the run fails " + strings.Join(res.Failing, ", ")
		if res.LogFailed {
			what = "the log fails, but the run fails no property"
		}
		fmt.Fprintf(stderr, "simrun import: warning: %s in %s mode (the scenario's comment block says which part the model cannot tell)\n", what, res.Mode)
	}
	return 0
}

func orNothing(ids []string) string {
	if len(ids) == 0 {
		return "nothing fails"
	}
	return strings.Join(ids, ", ")
}

// formatCounts renders the entries per format, `syncsim 20, caller 3`.
func formatCounts(m map[logs.Format]int) string {
	var names []string
	for f := range m {
		names = append(names, string(f))
	}
	sort.Strings(names)
	var parts []string
	for _, n := range names {
		parts = append(parts, fmt.Sprintf("%s %d", n, m[logs.Format(n)]))
	}
	if len(parts) == 0 {
		return "no entry"
	}
	return strings.Join(parts, ", ")
}
