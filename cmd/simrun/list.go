package main

import (
	"maps"
	"slices"

	"fmt"
	"io"
	"strings"

	"github.com/syncsim/syncsim/fakes/mesh/meshhttp"
	"github.com/syncsim/syncsim/internal/mutants"
	"github.com/syncsim/syncsim/internal/serve"

	"github.com/spf13/cobra"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/check"
	"github.com/syncsim/syncsim/internal/faults"
	"github.com/syncsim/syncsim/scenarios"
)

// listKinds are what `simrun list` knows, in help order.
var listKinds = []string{"modes", "faults", "properties", "rules", "defects", "mutants", "scenarios"}

// listItem is one line of `simrun list`: a name, a one-line description and where the contract
// defines it.
type listItem struct{ name, desc, ref string }

func listCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "list modes|faults|properties|rules|defects|mutants|scenarios [DIR]",
		Short: "List the modes, faults, properties, contract rules, planted defects and bugs, or scenarios syncsim knows",
		Long: `Prints one line per item: its name, a one-line description and its contract reference.
"list rules" prints every rule of PROTOCOL.md with its level, the simulator properties and the
conformance suite that judge it, and why no property does where none does.
"list scenarios" loads DIR (default "scenarios") and prints each file's path, name, modes and
description. Exit 3 for an unknown kind or a scenario that does not load.`,
		ValidArgs: listKinds,
		RunE: func(cmd *cobra.Command, args []string) error {
			items, err := listItems(args)
			if err != nil {
				return err
			}
			writeItems(cmd.OutOrStdout(), items)
			return nil
		},
	}
}

// listItems resolves the arguments of `simrun list` to the lines it prints.
func listItems(args []string) ([]listItem, error) {
	known := "kinds: " + strings.Join(listKinds, ", ")
	if len(args) == 0 {
		return nil, fmt.Errorf("list: name what to list (%s)", known)
	}
	kind, rest := args[0], args[1:]
	if kind == "scenarios" {
		if len(rest) > 1 {
			return nil, fmt.Errorf("list scenarios: at most one DIR (got %d)", len(rest))
		}
		dir := "scenarios"
		if len(rest) == 1 {
			dir = rest[0]
		}
		return scenarioItems(dir)
	}
	var items []listItem
	switch kind {
	case "modes":
		items = modeItems()
	case "faults":
		items = faultItems()
	case "properties":
		items = propertyItems()
	case "rules":
		items = ruleItems()
	case "defects":
		items = defectItems()
	case "mutants":
		for _, m := range mutants.Catalogue() {
			items = append(items, listItem{m.Name, m.Description, m.Ref})
		}
	default:
		return nil, fmt.Errorf("list: unknown kind %q (%s)", kind, known)
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("list %s: takes no DIR (only list scenarios does)", kind)
	}
	return items, nil
}

// modeItems lists host.Modes() with their PROTOCOL.md section 7 rows, as the host describes them.
func modeItems() []listItem {
	record := map[host.Mode]bool{}
	for _, m := range host.ModesOfRecord() {
		record[m] = true
	}
	var out []listItem
	for _, m := range host.Modes() {
		desc := m.Description()
		if record[m] {
			desc += " (mode of record)"
		}
		out = append(out, listItem{m.String(), desc, m.Reference()})
	}
	return out
}

// faultItems is the single place that knows where the fault catalogue comes from: today the
// internal/faults package's Catalogue (every fault usable as --fault NAME[:param=value,...]), then the
// fault points of PROTOCOL.md section 6 that point faults take.
func faultItems() []listItem {
	var out []listItem
	for _, f := range faults.Catalogue() {
		desc := string(f.Kind) + ": " + f.Doc
		var params []string
		for _, p := range f.Params {
			if p.Name == "after" || p.Name == "until" || p.Name == "count" {
				continue // the common window, stated once on the last line
			}
			params = append(params, p.Name+"="+p.Default)
		}
		if len(params) > 0 {
			desc += "; defaults " + strings.Join(params, ",")
		}
		out = append(out, listItem{f.Name, desc, f.Ref})
	}
	for _, p := range faults.Points {
		out = append(out, listItem{"point " + p, "fault point (point=" + p + "): " + faultPointDoc[p], "PROTOCOL.md 6"})
	}
	out = append(out, listItem{"every fault", "also takes after=0s,until=0s,count=0: fire only in [after, until), before faults_end, at most count times (0: no limit)", `DESIGN.md "Faults"`})
	return out
}

// faultPointDoc says where each fault point of PROTOCOL.md section 6 sits in a sync span.
var faultPointDoc = map[string]string{
	"before-gate":      "a sync span starts, before SYNC-1's environment gate",
	"after-lock":       "the span holds the sync lock (SYNC-2)",
	"after-payload":    "the payload is built (SYNC-3)",
	"after-hash-read":  "a background sync read the hash blob (SYNC-5)",
	"after-publish":    "between the publish's 2xx and SYNC-6's hash write",
	"after-hash-write": "after SYNC-6's hash write, before the platform's fetch arrives",
	"mid-fetch":        "while the host serves the platform's fetch (MSG-3)",
}

// propertyItems lists check.Catalogue(): ID, level, name and statement.
func propertyItems() []listItem {
	var out []listItem
	for _, p := range check.Catalogue() {
		out = append(out, listItem{fmt.Sprintf("%-4s %-6s %s", p.ID, p.Level, p.Name), p.Statement, `DESIGN.md "Properties"`})
	}
	return out
}

// ruleSections are the PROTOCOL.md sections that define each family of rule IDs.
var ruleSections = map[string]string{"PAY": "2", "BLOB": "3", "TOK": "4", "MSG": "5", "SYNC": "6", "MESH": "8", "FE": "8", "HOST": "8"}

// ruleItems lists check.Rules(): ID, level, what judges it (properties, then the conformance suite's
// rule) and the note.
func ruleItems() []listItem {
	rules := check.Rules()
	judged := make([]string, len(rules))
	width := 0
	for i, r := range rules {
		var by []string
		if len(r.Properties) > 0 {
			by = append(by, strings.Join(r.Properties, ","))
		}
		if r.Conformance != "" {
			by = append(by, "conformance "+conformanceSuite(r.Conformance)+" "+r.Conformance)
		}
		judged[i] = strings.Join(by, "; ")
		width = max(width, len(judged[i]))
	}
	var out []listItem
	for i, r := range rules {
		desc := fmt.Sprintf("%-6s %-*s  %s", r.Level, width, judged[i], r.Note)
		family, _, _ := strings.Cut(r.ID, "-")
		out = append(out, listItem{r.ID, strings.TrimRight(desc, " "), "PROTOCOL.md " + ruleSections[family]})
	}
	return out
}

// conformanceSuite names the `simrun conformance` suite that runs a conformance rule.
func conformanceSuite(id string) string {
	switch family, _, _ := strings.Cut(id, "-"); family {
	case "MESH":
		return "mesh"
	case "FE":
		return "frontend"
	default:
		return "host"
	}
}

// scenarioItems loads dir and lists each scenario's path, name, modes and description.
func scenarioItems(dir string) ([]listItem, error) {
	scs, err := scenarios.LoadAll(dir)
	if err != nil {
		return nil, err
	}
	nameWidth, modesWidth := 0, 0
	modes := make([]string, len(scs))
	for i, sc := range scs {
		var names []string
		for _, m := range sc.Modes {
			names = append(names, m.String())
		}
		modes[i] = "modes=" + strings.Join(names, ",")
		nameWidth, modesWidth = max(nameWidth, len(sc.Name)), max(modesWidth, len(modes[i]))
	}
	var out []listItem
	for i, sc := range scs {
		desc := sc.Description
		if desc == "" {
			desc = "(no description)"
		}
		out = append(out, listItem{sc.Path, fmt.Sprintf("%-*s  %-*s  %s", nameWidth, sc.Name, modesWidth, modes[i], desc), ""})
	}
	return out, nil
}

// writeItems prints one item per line, names aligned, the reference in brackets.
func writeItems(w io.Writer, items []listItem) {
	width := 0
	for _, it := range items {
		width = max(width, len(it.name))
	}
	for _, it := range items {
		line := fmt.Sprintf("%-*s  %s", width, it.name, it.desc)
		if it.ref != "" {
			line += "  [" + it.ref + "]"
		}
		fmt.Fprintln(w, line)
	}
}

// defectItems are the planted defects of `simrun serve ... --defect NAME`, by server.
func defectItems() []listItem {
	var items []listItem
	add := func(server string, defects map[string]meshhttp.Defect) {
		for _, name := range slices.Sorted(maps.Keys(defects)) {
			d := defects[name]
			items = append(items, listItem{server + " " + name, d.Description, d.Rule})
		}
	}
	add("mesh", meshhttp.MeshDefects)
	add("frontend", meshhttp.FrontEndDefects)
	add("host", serve.HostDefects)
	return items
}
