package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// An unknown flag names the nearest flag of the command it was given to, in every subcommand, and
// exits 3 (a usage error).
func TestUnknownFlagSuggestsNearest(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--seeds", "3", smokePath}, "simrun: unknown flag --seeds; did you mean --seed? (simrun run -h lists the flags)\n"},
		{[]string{"sweep", "--seed", "1-3", smokePath}, "unknown flag --seed; did you mean --seeds?"},
		{[]string{"run", "--trace-o", "t.json", smokePath}, "unknown flag --trace-o; did you mean --trace-out?"},
		{[]string{"explore", "--max-dpeth", "1", smokePath}, "unknown flag --max-dpeth; did you mean --max-depth?"},
		{[]string{"serve", "mesh", "--site-ulr", "x"}, "unknown flag --site-ulr; did you mean --site-url? (simrun serve mesh -h lists the flags)"},
		{[]string{"run", "--frobnicate", smokePath}, "unknown flag --frobnicate (simrun run -h lists the flags)"},
	} {
		code, out, errOut := simrun(t, tc.args...)
		if code != 3 || out != "" || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 3 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

// Every command of the tree, given one of its own flags with its last letter doubled, is told that
// flag's name (or, should the slip be as near another flag, a flag the command has).
func TestEveryCommandSuggestsFlags(t *testing.T) {
	commands := 0
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if !c.Runnable() || c.Name() == "help" || c.Name() == "completion" {
			return
		}
		names := flagNames(c)
		var flag string
		for _, n := range names {
			if n != "help" && len(n) >= 4 {
				flag = n
				break
			}
		}
		if flag == "" {
			return
		}
		commands++
		path := strings.Fields(c.CommandPath())[1:]
		slip := flag + flag[len(flag)-1:]
		code, _, errOut := simrun(t, append(path, "--"+slip)...)
		_, suggested, ok := strings.Cut(errOut, "did you mean --")
		suggested, _, _ = strings.Cut(suggested, "?")
		if code != 3 || !ok || c.Flags().Lookup(suggested) == nil && c.InheritedFlags().Lookup(suggested) == nil {
			t.Errorf("%s --%s: exit %d, stderr %q; want 3 and a flag of the command suggested", c.CommandPath(), slip, code, errOut)
		}
	}
	walk(newRoot(io.Discard))
	if commands < 15 {
		t.Fatalf("only %d commands with flags were tried", commands)
	}
}

func TestNearestFlag(t *testing.T) {
	names := []string{"json", "junit", "mode", "raw", "report", "seed", "strategy", "strict", "trace-format", "trace-out"}
	for _, tc := range []struct{ in, want string }{
		{"seeds", "seed"}, {"mdoe", "mode"}, {"jsno", "json"}, {"reprot", "report"}, {"trace", ""}, {"trace-o", "trace-out"},
		{"strat", "strategy"}, {"st", ""}, {"r", ""}, {"ra", "raw"}, {"stirct", "strict"}, {"strcit", "strict"}, {"color", ""}, {"junits", "junit"}, {"raww", "raw"},
	} {
		if got := nearestFlag(tc.in, names); got != tc.want {
			t.Errorf("nearestFlag(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct {
		a, b string
		d    int
	}{{"", "abc", 3}, {"seed", "seeds", 1}, {"mdoe", "mode", 1}, {"kitten", "sitting", 3}, {"same", "same", 0}} {
		if got := editDistance(tc.a, tc.b); got != tc.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.d)
		}
	}
}

// A wrong --mode lists the choices: every mode, and all where the command takes it (run, sweep);
// explore takes one mode and says so.
func TestModeErrorListsChoices(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--mode", "sideways", smokePath}, `--mode: unknown mode "sideways" (fix: one of frontend, platform, additive, signal-all, platform-ack, or all for every mode)`},
		{[]string{"sweep", "--seeds", "1", "--mode", "sideways", smokePath}, "platform-ack, or all for every mode)"},
		{[]string{"explore", "--mode", "all", smokePath}, "explore takes one mode, not all"},
	} {
		code, _, errOut := simrun(t, tc.args...)
		if code != 3 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 3 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

// The README's `simrun run` section names every flag `simrun run -h` lists, so that its table stays
// complete as flags are added.
func TestReadmeRunSectionNamesEveryFlag(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "### `simrun run`\n")
	if !ok {
		t.Fatal("README.md has no ### `simrun run` section")
	}
	section, _, _ = strings.Cut(section, "\n### ")
	var cmd *cobra.Command
	for _, c := range newRoot(io.Discard).Commands() {
		if c.Name() == "run" {
			cmd = c
		}
	}
	names := flagNames(cmd)
	if len(names) < 15 {
		t.Fatalf("run has only %d flags: %v", len(names), names)
	}
	for _, name := range names {
		if name != "help" && !strings.Contains(section, "| `--"+name) && !strings.Contains(section, ", `--"+name+"`") {
			t.Errorf("README.md's simrun run table has no row for --%s", name)
		}
	}
}
