package sweep

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// WriteText renders the report for a person: one table per scenario (rows are properties, columns
// modes, cells like "pass 298 fail 2 (seed 17)"), then the failing cells with the command that replays
// each one's smallest failing seed, then the shard, the coverage, the exit code and every reason for
// it (OutcomeOf). It depends on
// nothing but the report, so the merge of shards' reports prints what one unsharded sweep prints.
func (r *Report) WriteText(w io.Writer) {
	covered := r.Covered()
	for i, sc := range r.Scenarios {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s (%s), seeds %s\n", sc.Path, sc.Name, joinRanges(covered, Range.String))
		r.writeTable(w, sc)
		r.writeFirings(w, sc)
	}
	var failing []*Cell
	for i := range r.Matrix {
		if r.Matrix[i].Failing() {
			failing = append(failing, &r.Matrix[i])
		}
	}
	if len(failing) > 0 {
		fmt.Fprintln(w, "\nfailing cells (smallest failing seed and its replay):")
		for _, c := range failing {
			note := ""
			switch {
			case c.Fail == 0 && c.XPass == 0:
				note = " (expected)"
			case !c.Gating(r.Strict):
				note = " (" + c.Level + ": reported, does not gate)"
			}
			fmt.Fprintf(w, "  %s %s %s: %s%s\n    %s\n", c.Scenario, c.Property, c.Mode, cellText(c), note, c.Replay)
		}
	}
	r.writeComparisons(w)
	fmt.Fprintln(w)
	if r.Shard != nil {
		fmt.Fprintf(w, "shard %d/%d: seeds %s of %s (combine the shards' --matrix reports with simrun merge)\n",
			r.Shard.Index, r.Shard.Count, Range{r.Shard.From, r.Shard.To}, Range{r.Seeds.From, r.Seeds.To})
	}
	if r.CutShort() {
		span := r.Span()
		fmt.Fprintf(w, "covered seeds %s of %s (stopped by --max-time)\n", joinRanges(covered, fromTo), fromTo(span))
		fmt.Fprintf(w, "incomplete: seeds %s missing\n", joinRanges(r.Seeds.Missing, Range.String))
	}
	if r.P12 != nil {
		fmt.Fprintln(w, r.P12.Text())
	}
	o := OutcomeOf(r)
	fmt.Fprintf(w, "%d runs, %d failing cells; exit %d (%s)\n", r.Runs, len(failing), o.Exit, o.Verdict)
	for _, rs := range o.Reasons {
		fmt.Fprintf(w, "  %s\n", rs.Line())
	}
}

// fromTo renders a range as "A-B", also when A == B.
func fromTo(r Range) string { return fmt.Sprintf("%d-%d", r.From, r.To) }

// joinRanges renders ranges separated by ", ".
func joinRanges(rs []Range, format func(Range) string) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = format(r)
	}
	return strings.Join(parts, ", ")
}

// writeTable writes one scenario's matrix, columns aligned.
func (r *Report) writeTable(w io.Writer, sc ScenarioInfo) {
	var rows [][]string
	header := append([]string{"property"}, sc.Modes...)
	rows = append(rows, header)
	rowOf := map[string]int{}
	for i := range r.Matrix {
		c := &r.Matrix[i]
		if c.Scenario != sc.Path {
			continue
		}
		row, ok := rowOf[c.Property]
		if !ok {
			cells := make([]string, len(header))
			cells[0] = fmt.Sprintf("%-4s %-6s %s", c.Property, c.Level, c.Name)
			for j := 1; j < len(cells); j++ {
				cells[j] = "-"
			}
			row = len(rows)
			rowOf[c.Property] = row
			rows = append(rows, cells)
		}
		for j, m := range sc.Modes {
			if m == c.Mode {
				rows[row][j+1] = cellText(c)
			}
		}
	}
	widths := make([]int, len(header))
	for _, row := range rows {
		for j, s := range row {
			widths[j] = max(widths[j], len(s))
		}
	}
	for _, row := range rows {
		var b strings.Builder
		b.WriteString(" ")
		for j, s := range row {
			b.WriteString(" ")
			b.WriteString(s)
			if j < len(row)-1 {
				b.WriteString(strings.Repeat(" ", widths[j]-len(s)+1))
			}
		}
		fmt.Fprintln(w, b.String())
	}
}

// cellText is a cell's counts, zero counts left out: "pass 298 fail 2 (seed 17)".
func cellText(c *Cell) string {
	var parts []string
	for _, n := range []struct {
		status string
		count  int
	}{{"pass", c.Pass}, {"fail", c.Fail}, {"xfail", c.XFail}, {"xpass", c.XPass}, {"inconclusive", c.Inconclusive}} {
		if n.count > 0 {
			parts = append(parts, n.status+" "+strconv.Itoa(n.count))
		}
	}
	if c.SmallestFailingSeed != nil {
		parts = append(parts, "(seed "+strconv.FormatUint(*c.SmallestFailingSeed, 10)+")")
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " ")
}
