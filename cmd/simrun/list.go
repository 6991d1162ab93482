package main

import (
	"github.com/spf13/cobra"

	"github.com/syncsim/syncsim/cmd/simrun/catalogue"
)

func listCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "list modes|faults|properties|rules|defects|mutants|scenarios [DIR]",
		Short: "List the modes, faults, properties, contract rules, planted defects and bugs, or scenarios syncsim knows",
		Long: `Prints one line per item: its name, a one-line description and its contract reference.
"list rules" prints every rule of PROTOCOL.md with its level, the simulator properties and the
conformance suite that judge it, and why no property does where none does.
"list scenarios" loads DIR (default "scenarios") and prints each file's path, name, modes and
description. Exit 3 for an unknown kind or a scenario that does not load.`,
		ValidArgs: catalogue.Kinds,
		RunE: func(cmd *cobra.Command, args []string) error {
			items, err := catalogue.List(args)
			if err != nil {
				return err
			}
			catalogue.Write(cmd.OutOrStdout(), items)
			return nil
		},
	}
}
