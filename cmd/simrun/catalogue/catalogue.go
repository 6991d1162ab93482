package catalogue

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/conformance"
	"github.com/syncsim/syncsim/explore/mutants"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/plant"
	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/scenarios/faults"
)

// Kinds are the lists List knows, in help order.
var Kinds = []string{"modes", "faults", "properties", "rules", "defects", "mutants", "scenarios"}

// Item is one line of a list: a name, a one-line description and where the contract defines it
// ("" for none).
type Item struct{ Name, Desc, Ref string }

// List resolves the arguments of `simrun list` (a kind of Kinds; for scenarios, at most one
// directory, "scenarios" by default) to the lines it prints. Its errors name the kinds.
func List(args []string) ([]Item, error) {
	known := "kinds: " + strings.Join(Kinds, ", ")
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
		return Scenarios(dir)
	}
	lists := map[string]func() []Item{"modes": Modes, "faults": Faults, "properties": Properties, "rules": Rules,
		"defects": Defects, "mutants": Mutants}
	list, ok := lists[kind]
	if !ok {
		return nil, fmt.Errorf("list: unknown kind %q (%s)", kind, known)
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("list %s: takes no DIR (only list scenarios does)", kind)
	}
	return list(), nil
}

// Write prints one item per line, names aligned, the reference in brackets.
func Write(w io.Writer, items []Item) {
	width := 0
	for _, it := range items {
		width = max(width, len(it.Name))
	}
	for _, it := range items {
		line := fmt.Sprintf("%-*s  %s", width, it.Name, it.Desc)
		if it.Ref != "" {
			line += "  [" + it.Ref + "]"
		}
		fmt.Fprintln(w, line)
	}
}

// Modes lists host.Modes() with their PROTOCOL.md section 7 rows, as the host describes them.
func Modes() []Item {
	record := map[host.Mode]bool{}
	for _, m := range host.ModesOfRecord() {
		record[m] = true
	}
	var out []Item
	for _, m := range host.Modes() {
		desc := m.Description()
		if record[m] {
			desc += " (mode of record)"
		}
		out = append(out, Item{m.String(), desc, m.Reference()})
	}
	return out
}

// Faults lists faults.Catalogue() (every fault usable as --fault NAME[:param=value,...]) with its
// kind and defaults, then the fault points of PROTOCOL.md section 6 that point faults take, then the
// window every fault takes.
func Faults() []Item {
	var out []Item
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
		out = append(out, Item{f.Name, desc, f.Ref})
	}
	for _, p := range faults.Points {
		out = append(out, Item{"point " + p, "fault point (point=" + p + "): " + faults.PointDoc[p], "PROTOCOL.md 6"})
	}
	out = append(out, Item{"every fault", "also takes after=0s,until=0s,count=0: fire only in [after, until), before faults_end, at most count times (0: no limit)", `DESIGN.md "Faults"`})
	return out
}

// Properties lists check.Catalogue(): ID, level, name and statement.
func Properties() []Item {
	var out []Item
	for _, p := range check.Catalogue() {
		out = append(out, Item{fmt.Sprintf("%-4s %-6s %s", p.ID, p.Level, p.Name), p.Statement, `DESIGN.md "Properties"`})
	}
	return out
}

// ruleSections are the PROTOCOL.md sections that define each family of rule IDs.
var ruleSections = map[string]string{"PAY": "2", "BLOB": "3", "TOK": "4", "MSG": "5", "SYNC": "6", "MESH": "8", "FE": "8", "HOST": "8"}

// Rules lists check.Rules(): ID, level, what judges it (properties, then the conformance suite's
// rule) and the note.
func Rules() []Item {
	rules := check.Rules()
	judged := make([]string, len(rules))
	width := 0
	for i, r := range rules {
		var by []string
		if len(r.Properties) > 0 {
			by = append(by, strings.Join(r.Properties, ","))
		}
		if r.Conformance != "" {
			by = append(by, "conformance "+conformance.SuiteOf(r.Conformance)+" "+r.Conformance)
		}
		judged[i] = strings.Join(by, "; ")
		width = max(width, len(judged[i]))
	}
	var out []Item
	for i, r := range rules {
		desc := fmt.Sprintf("%-6s %-*s  %s", r.Level, width, judged[i], r.Note)
		family, _, _ := strings.Cut(r.ID, "-")
		out = append(out, Item{r.ID, strings.TrimRight(desc, " "), "PROTOCOL.md " + ruleSections[family]})
	}
	return out
}

// Defects lists the planted defects of `simrun serve ... --defect NAME`, by server.
func Defects() []Item {
	var items []Item
	add := func(server string, defects map[string]plant.Defect) {
		for _, name := range slices.Sorted(maps.Keys(defects)) {
			d := defects[name]
			items = append(items, Item{server + " " + name, d.Description, d.Rule})
		}
	}
	add("mesh", plant.MeshServer)
	add("frontend", plant.FrontEndServer)
	add("host", plant.HostServer)
	return items
}

// Mutants lists the planted bugs of mutants.Catalogue().
func Mutants() []Item {
	var items []Item
	for _, m := range mutants.Catalogue() {
		items = append(items, Item{m.Name, m.Description, m.Ref})
	}
	return items
}

// Scenarios loads dir and lists each scenario's path, name, modes and description.
func Scenarios(dir string) ([]Item, error) {
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
	var out []Item
	for i, sc := range scs {
		desc := sc.Description
		if desc == "" {
			desc = "(no description)"
		}
		out = append(out, Item{sc.Path, fmt.Sprintf("%-*s  %-*s  %s", nameWidth, sc.Name, modesWidth, modes[i], desc), ""})
	}
	return out, nil
}
