package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// flagError is every command's answer to a flag it cannot parse (cobra's FlagErrorFunc, set on the
// root and inherited by every subcommand): an unknown flag names the nearest flag the command has
// (`unknown flag --seeds; did you mean --seed?`), and every flag error says where the flags are
// listed. The error exits 3, as every usage error does.
func flagError(cmd *cobra.Command, err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "unknown flag: --"); ok {
		name, _, _ = strings.Cut(name, "=")
		if near := nearestFlag(name, flagNames(cmd)); near != "" {
			return fmt.Errorf("unknown flag --%s; did you mean --%s? (%s -h lists the flags)", name, near, cmd.CommandPath())
		}
		return fmt.Errorf("unknown flag --%s (%s -h lists the flags)", name, cmd.CommandPath())
	}
	return fmt.Errorf("%w (%s -h lists the flags)", err, cmd.CommandPath())
}

// flagNames are the long names of the flags cmd takes, its own and those it inherits, sorted.
func flagNames(cmd *cobra.Command) []string {
	seen := map[string]bool{}
	var names []string
	add := func(f *pflag.Flag) {
		if !seen[f.Name] && !f.Hidden {
			seen[f.Name] = true
			names = append(names, f.Name)
		}
	}
	cmd.Flags().VisitAll(add)
	cmd.InheritedFlags().VisitAll(add)
	sort.Strings(names)
	return names
}

// nearestFlag is the flag name name most likely slipped from, "" when none is close: one edit away
// (insertions, deletions, substitutions and swaps of two neighbours) from a name of 3 letters or
// more, else the one flag name that name begins (`--trace-o` for `--trace-out`), else two edits away
// from a name of 5 letters or more. Ties go to the first in sorted order.
func nearestFlag(name string, names []string) string {
	within := func(edits int) string {
		for _, n := range names {
			if editDistance(name, n) <= edits && 2*edits < len(name) {
				return n
			}
		}
		return ""
	}
	if n := within(1); n != "" {
		return n
	}
	prefixed := ""
	for _, n := range names {
		if len(name) >= 2 && strings.HasPrefix(n, name) {
			if prefixed != "" {
				prefixed = "" // ambiguous
				break
			}
			prefixed = n
		}
	}
	if prefixed != "" {
		return prefixed
	}
	return within(2)
}

// editDistance is the optimal string alignment distance between a and b (Levenshtein with swaps of
// two neighbouring characters), over bytes: flag names are ASCII.
func editDistance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
