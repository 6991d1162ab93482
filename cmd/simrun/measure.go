package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/syncsim/syncsim/explore/mutants"
	"github.com/syncsim/syncsim/output"
	"github.com/syncsim/syncsim/runner"
)

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return output.WriteFile(path, append(data, '\n'), nil)
}

func mutantsCommand(stderr io.Writer) *cobra.Command {
	var jsonPath string
	var seeds int
	var shrink bool
	cmd := &cobra.Command{
		Use:   "mutants [--seeds N] [--json F] [--shrink]",
		Short: "Plant each bug of the catalogue and report which property catches it, after how many runs",
		Long: `Runs the standard scenarios with one planted bug at a time, seed by seed, until a property the
bug targets (simrun list mutants) catches it: by run, when it fails with the bug where it passes
without it in the same run, or by rate, when on a scenario with a committed baseline it fails
significantly more often with the bug than in the baseline (one-sided Fisher exact test at 0.001 over
the bug's targeted cells). A failure of a property the bug does not target never counts. A bug none
catches within --seeds is a gap in the catalogue. Exit 1 when a planted bug goes undetected. Run it
from the repository's root.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			rep, err := mutants.Hunt(mutants.Options{Seeds: seeds, Targets: mutants.DefaultTargets("."), Shrink: shrink})
			if err != nil {
				return usage(stderr, "mutants", err)
			}
			w := cmd.OutOrStdout()
			undetected := 0
			for _, m := range rep.Mutants {
				if m.Detected {
					fmt.Fprintf(w, "%-28s detected by %-4s (%s, %s seed %d) after %3d runs, %6d ms", m.Name, m.Property, m.Method, m.Target, m.Seed, m.SeedsToDetect, m.CPUMs)
					if m.ShrunkSize > 0 {
						fmt.Fprintf(w, ", shrunk to size %d", m.ShrunkSize)
					}
					fmt.Fprintf(w, "  [%s]\n", m.Ref)
					continue
				}
				undetected++
				fmt.Fprintf(w, "%-28s NOT DETECTED after %d runs: a gap in the catalogue  [%s]\n", m.Name, m.SeedsToDetect, m.Ref)
			}
			fmt.Fprintf(w, "\n%d planted bugs, %d detected\n", len(rep.Mutants), len(rep.Mutants)-undetected)
			for _, c := range rep.ByClass() {
				fmt.Fprintf(w, "class %-22s %d of %d detected, %d first by its property %s\n", c.Class, c.Detected, c.Planted, c.ByProperty, c.Property)
			}
			if jsonPath != "" {
				if err := writeJSON(jsonPath, rep); err != nil {
					return usage(stderr, "mutants", err)
				}
			}
			if undetected > 0 {
				return exitError{runner.ExitFailed}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&jsonPath, "json", "", "write the report as JSON to this file")
	cmd.Flags().IntVar(&seeds, "seeds", 20, "seeds per scenario before a bug counts as undetected")
	cmd.Flags().BoolVar(&shrink, "shrink", false, "shrink each detecting trace and report its size")
	return cmd
}
