package html

import (
	"sort"
	"strconv"
	"strings"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/output/redact"
	"github.com/syncsim/syncsim/runner/sweep"
)

// matrixView is one scenario's property x mode table.
type matrixView struct {
	Scenario string
	Modes    []string
	Rows     []matrixRow
}

type matrixRow struct {
	Property, Name, Level string
	Cells                 []cellView
}

// cellView is one (property, mode) cell: its counts, and for a failing cell the smallest failing
// seed, a link to its diagram and the replay command.
type cellView struct {
	Class   string
	Missing bool
	Counts  []count
	Failing bool
	Seed    string
	Anchor  string
	Replay  string
	Title   string
}

// cellsFromRuns folds runs into cells the way a sweep does: per scenario, property and mode, counts
// per status and the smallest failing seed with its replay command.
func cellsFromRuns(runs []Run) []sweep.Cell {
	type key struct{ sc, id, mode string }
	cells := map[key]*sweep.Cell{}
	var order []key
	for _, r := range runs {
		for _, v := range r.Verdicts {
			k := key{r.Scenario, v.ID, r.Mode}
			c := cells[k]
			if c == nil {
				c = &sweep.Cell{Scenario: r.Scenario, Property: v.ID, Name: v.Name, Mode: r.Mode, Level: string(v.Level)}
				cells[k] = c
				order = append(order, k)
			}
			switch v.Status {
			case check.Pass:
				c.Pass++
			case check.Fail:
				c.Fail++
			case check.XFail:
				c.XFail++
			case check.XPass:
				c.XPass++
			case check.Inconclusive:
				c.Inconclusive++
			}
			if failing(v.Status) && (c.SmallestFailingSeed == nil || r.Seed < *c.SmallestFailingSeed) {
				seed := r.Seed
				c.SmallestFailingSeed, c.Replay = &seed, r.Replay
			}
		}
	}
	out := make([]sweep.Cell, 0, len(order))
	for _, k := range order {
		out = append(out, *cells[k])
	}
	sort.SliceStable(out, func(i, j int) bool {
		x, y := &out[i], &out[j]
		if x.Scenario != y.Scenario {
			return x.Scenario < y.Scenario
		}
		return propNumber(x.Property) < propNumber(y.Property)
	})
	return out
}

// matrices lays the cells out per scenario: properties down, modes across in host.Modes() order.
func matrices(cells []sweep.Cell, strict bool, anchors map[string]string, red *redact.Redactor) []matrixView {
	var out []matrixView
	byScenario := map[string][]sweep.Cell{}
	var scs []string
	for _, c := range cells {
		if _, ok := byScenario[c.Scenario]; !ok {
			scs = append(scs, c.Scenario)
		}
		byScenario[c.Scenario] = append(byScenario[c.Scenario], c)
	}
	for _, sc := range scs {
		cs := byScenario[sc]
		modes := modesOf(cs)
		m := matrixView{Scenario: red.String(sc), Modes: modes}
		var props []string
		rowOf := map[string]int{}
		for _, c := range cs {
			if _, ok := rowOf[c.Property]; !ok {
				rowOf[c.Property] = len(props)
				props = append(props, c.Property)
				m.Rows = append(m.Rows, matrixRow{Property: red.String(c.Property), Name: red.String(c.Name), Level: c.Level,
					Cells: make([]cellView, len(modes))})
			}
		}
		for i := range m.Rows {
			for j := range modes {
				m.Rows[i].Cells[j] = cellView{Missing: true, Class: "c-none"}
			}
		}
		for _, c := range cs {
			j := indexOf(modes, c.Mode)
			m.Rows[rowOf[c.Property]].Cells[j] = cellOf(c, strict, anchors, red)
		}
		out = append(out, m)
	}
	return out
}

func cellOf(c sweep.Cell, strict bool, anchors map[string]string, red *redact.Redactor) cellView {
	v := cellView{Failing: c.Failing()}
	for _, n := range []count{{"pass", c.Pass}, {"fail", c.Fail}, {"xfail", c.XFail}, {"xpass", c.XPass}, {"inconclusive", c.Inconclusive}} {
		if n.N > 0 {
			v.Counts = append(v.Counts, n)
		}
	}
	gatingLevel := c.Level == "MUST" || c.Level == "SHOULD" && strict
	switch {
	case c.Gating(strict):
		v.Class = "c-fail"
	case c.Fail > 0:
		v.Class = "c-warn"
	case c.XFail > 0:
		v.Class = "c-xfail"
	case c.Inconclusive > 0 && gatingLevel:
		v.Class = "c-inc"
	default:
		v.Class = "c-pass"
	}
	parts := []string{c.Property + " " + c.Name + " (" + c.Level + ") in mode " + c.Mode}
	if c.SmallestFailingSeed != nil {
		v.Seed = strconv.FormatUint(*c.SmallestFailingSeed, 10)
		v.Anchor = anchors[runKey(c.Scenario, c.Mode, *c.SmallestFailingSeed)]
		v.Replay = red.String(c.Replay)
		parts = append(parts, "smallest failing seed "+v.Seed)
	}
	v.Title = red.String(strings.Join(parts, "; "))
	return v
}

// modesOf lists the cells' modes in host.Modes() order; unknown names after, sorted.
func modesOf(cs []sweep.Cell) []string {
	seen := map[string]bool{}
	for _, c := range cs {
		seen[c.Mode] = true
	}
	var out []string
	for _, m := range host.Modes() {
		if seen[m.String()] {
			out = append(out, m.String())
			delete(seen, m.String())
		}
	}
	return append(out, sortedKeys(seen)...)
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// propNumber orders P1, P2, ..., P13; other IDs after.
func propNumber(id string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(id, "P"))
	if err != nil || !strings.HasPrefix(id, "P") {
		return 1 << 30
	}
	return n
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
