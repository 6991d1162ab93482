package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/syncsim/syncsim/internal/importer"
	"github.com/syncsim/syncsim/internal/runner"
)

func importCommand(stderr io.Writer) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "import LOG -o SCENARIO.yaml",
		Short: "Turn a host log into a scenario that replays its story",
		Long: `Reads a host log (RFC 3339 time, instance, level, message; '#' comments) and writes a scenario
with the same instances, timeline, mode and faults, times as offsets from the first host start.
Unknown lines are kept as comments. The scenario's expect section lists what its run fails in the
log's mode (seed 1), so that 'simrun run' of it exits 0 and 'simrun run --raw' exits 1.
-o - writes to stdout.

Exit codes: 0 imported; 3 usage or input error (no -o, unreadable file, empty log, no host start).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			code := runImport(args[0], out, cmd.OutOrStdout(), stderr)
			if code != 0 {
				return exitError{code}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "scenario file to write (- for stdout)")
	cmd.MarkFlagRequired("output")
	return cmd
}

// runImport imports one log and writes the scenario; it returns the exit code.
func runImport(path, out string, stdout, stderr io.Writer) int {
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintln(stderr, "simrun import:", err)
		return runner.ExitUsage
	}
	defer f.Close()
	res, err := importer.Import(path, f)
	if err != nil {
		fmt.Fprintln(stderr, "simrun import:", err)
		return runner.ExitUsage
	}
	if out == "-" {
		_, err = stdout.Write(res.YAML)
	} else {
		if err = os.MkdirAll(filepath.Dir(out), 0o755); err == nil {
			err = os.WriteFile(out, res.YAML, 0o644)
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "simrun import:", err)
		return runner.ExitUsage
	}
	fmt.Fprintf(stderr, "imported %d lines: %d events, %d unknown\n", res.Lines, res.Events, res.Unknown)
	if !res.Reproduced {
		fmt.Fprintf(stderr, "simrun import: warning: the imported scenario does not fail P1 in %s mode (fails: %v)\n", res.Mode, res.Failing)
	}
	return 0
}
