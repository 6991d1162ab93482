package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/syncsim/syncsim/runner/sweep"
)

func mergeCommand(stderr io.Writer) *cobra.Command {
	job := sweep.MergeJob{}
	cmd := &cobra.Command{
		Use:   "merge [--matrix FILE] SHARD-MATRIX.json...",
		Short: "Combine the matrix reports of sweep --shard i/n into one sweep's report",
		Long: `Reads the --matrix reports of every shard of one sweep (sweep --shard i/n, each index 1 to n
exactly once, in any order) and prints the report one unsharded sweep of the same seeds prints;
--matrix writes the merged matrix report, which is the unsharded one without the shard field.
Shards that do not belong together (another seed range, shard count, --mode, --strategy, --fault,
--raw or --strict, other scenarios or a scenario file with another SHA-256) are refused with the
file and the difference. If a shard was cut short by --max-time the merge is incomplete and says
which seeds are missing. Merge takes matrix reports only: each shard's --json runs array is that
shard's; concatenated in shard order they are the unsharded runs array, but for each run's
invocation (the outcome of the shard that made it).

Exit codes: as simrun sweep over the runs the shards made: 0 every verdict as expected; 1 a MUST
property failed unexpectedly or an expected failure did not happen; 2 only inconclusive verdicts
stand in the way; 3 unreadable or mismatched reports, or a shard missing.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			job.Files = args
			code, err := sweep.ExecuteMerge(job, cmd.OutOrStdout())
			if err != nil {
				fmt.Fprintln(stderr, "simrun merge:", err)
			}
			if code != 0 {
				return exitError{code}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&job.Matrix, "matrix", "", "write the merged matrix report as JSON to this file")
	return cmd
}
