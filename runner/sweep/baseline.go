package sweep

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/syncsim/syncsim/host"
)

// A baseline is what a sweep of correct code looks like: per (scenario, mode, property) cell the runs
// and the failures over the seeds swept. A sweep judged against a baseline gates on regressions, not
// on failures: a scenario whose random fault profile legitimately breaks properties on some seeds
// (fleet.yaml) can still make `sweep` exit 0 on correct code and 1 when a change makes a cell fail
// where it never failed, or significantly more often (FisherGreater).

// BaselineFormat is the version of the baseline file format.
const BaselineFormat = 1

// Limits of a baseline file: it is read whole, so its size is bounded before it is read.
const (
	// MaxBaselineBytes bounds a baseline file (`sweep --baseline`, a scenario's `baseline:`).
	MaxBaselineBytes = 8 << 20
	// MaxBaselineCells bounds the cells of one baseline file.
	MaxBaselineCells = 100_000
)

// DefaultAlpha is the family-wise significance level of a sweep against a baseline (`--alpha`):
// the chance that a sweep of unchanged code over seeds the baseline did not cover flags some cell.
const DefaultAlpha = 0.001

// ErrBaseline is returned for a baseline file that cannot be used: unreadable, malformed, or recorded
// under other sweep settings.
var ErrBaseline = errors.New("sweep: baseline")

// Baseline is a baseline file (`sweep --write-baseline FILE`).
type Baseline struct {
	Format int `json:"format"`
	// Command is the command that recorded the file, to record it again after a change.
	Command string `json:"command"`
	// Seeds is the range the baseline's sweep covered.
	Seeds Range `json:"seeds"`
	// Strategy and Faults are the sweep's settings; a sweep is judged only against a baseline
	// recorded with the same ones.
	Strategy  string             `json:"strategy"`
	Faults    []string           `json:"faults,omitempty"`
	Scenarios []BaselineScenario `json:"scenarios"`
}

// BaselineScenario is one scenario's cells in a baseline, found by the scenario's name.
type BaselineScenario struct {
	Name string `json:"name"`
	// Path and SHA256 say which file was swept; a sweep of a changed file is judged anyway, with a
	// note that the baseline may be out of date.
	Path   string         `json:"path"`
	SHA256 string         `json:"sha256"`
	Modes  []string       `json:"modes"`
	Cells  []BaselineCell `json:"cells"`
}

// BaselineCell counts one (mode, property) cell: Runs in all, Failures of them failed (fail or
// xfail: the property broke, whatever the scenario expected) and Inconclusive were neither.
type BaselineCell struct {
	Mode         string `json:"mode"`
	Property     string `json:"property"`
	Level        string `json:"level"`
	Runs         int    `json:"runs"`
	Failures     int    `json:"failures"`
	Inconclusive int    `json:"inconclusive"`
}

// AppliedBaseline is a baseline a report was judged against, for one scenario. It is embedded in the
// matrix report, so that `simrun merge` judges the merged cells without the file.
type AppliedBaseline struct {
	// Scenario is the swept scenario's path; File the baseline file, Command its recording command.
	Scenario string           `json:"scenario"`
	File     string           `json:"file"`
	Command  string           `json:"command"`
	Seeds    Range            `json:"seeds"`
	Cells    BaselineScenario `json:"cells"`
}

// Comparison is one cell of a sweep judged against its baseline.
type Comparison struct {
	Scenario string `json:"scenario"`
	Property string `json:"property"`
	Mode     string `json:"mode"`
	Level    string `json:"level"`
	// Status is "regression" (more failures, significantly), "new-failure" (failures in a cell that
	// never failed in the baseline, or that the baseline lacks), "inconclusive" (more inconclusive
	// runs, the same way), "improvement" (fewer failures, significantly) or "within".
	Status string `json:"status"`
	// Failures of Runs conclusive runs in the sweep, BaseFailures of BaseRuns in the baseline.
	Runs         int `json:"runs"`
	Failures     int `json:"failures"`
	BaseRuns     int `json:"base_runs"`
	BaseFailures int `json:"base_failures"`
	// P is the one-sided p-value of the test behind Status (FisherGreater, or FisherLess for an
	// improvement); Threshold the per-cell level it was held to (alpha over the cells compared).
	P         float64 `json:"p"`
	Threshold float64 `json:"threshold"`
	// FailingSeeds are the sweep's first failing seeds in the cell, Replay the command for the first.
	FailingSeeds []uint64 `json:"failing_seeds,omitempty"`
	Replay       string   `json:"replay,omitempty"`
	// Gating is set when the cell makes the sweep exit non-zero (its level gates: MUST, or SHOULD
	// with --strict).
	Gating bool `json:"gating,omitempty"`
}

// Worse reports whether the comparison is a regression of some kind.
func (c *Comparison) Worse() bool {
	return c.Status == "regression" || c.Status == "new-failure" || c.Status == "inconclusive"
}

// ReadBaseline reads and checks a baseline file, bounded by MaxBaselineBytes.
func ReadBaseline(path string) (*Baseline, error) {
	// A pipe or device would block or never end: only a regular file is opened.
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file (fix: give the JSON file simrun sweep --write-baseline wrote)", ErrBaseline, path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBaseline, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxBaselineBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBaseline, path, err)
	}
	if len(data) > MaxBaselineBytes {
		return nil, fmt.Errorf("%w: %s: more than %d bytes (MaxBaselineBytes); a baseline holds one small record per cell: record it again with simrun sweep --write-baseline", ErrBaseline, path, MaxBaselineBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var b Baseline
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("%w: %s:%d: not a baseline file (the JSON that simrun sweep --write-baseline writes): %v", ErrBaseline, path, lineOf(data, err), err)
	}
	if err := b.check(); err != nil {
		return nil, fmt.Errorf("%w: %s: %v (record it again: %s)", ErrBaseline, path, err, orDefault(b.Command, "simrun sweep --seeds A-B --write-baseline FILE SCENARIO"))
	}
	return &b, nil
}

// lineOf is the line of a JSON decoding error's offset, or 0.
func lineOf(data []byte, err error) int {
	var off int64
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		off = syn.Offset
	case errors.As(err, &typ):
		off = typ.Offset
	default:
		return 0
	}
	return bytes.Count(data[:min(int(off), len(data))], []byte("\n")) + 1
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// check validates a decoded baseline: its format, its counts, no cell twice.
func (b *Baseline) check() error {
	if b.Format != BaselineFormat {
		return fmt.Errorf("format %d; this build reads format %d", b.Format, BaselineFormat)
	}
	cells := 0
	names := map[string]bool{}
	for _, s := range b.Scenarios {
		if s.Name == "" || names[s.Name] {
			return fmt.Errorf("scenario name %q is empty or given twice", s.Name)
		}
		names[s.Name] = true
		cells += len(s.Cells)
		if cells > MaxBaselineCells {
			return fmt.Errorf("more than %d cells (MaxBaselineCells)", MaxBaselineCells)
		}
		seen := map[[2]string]bool{}
		for _, c := range s.Cells {
			if _, err := host.ParseMode(c.Mode); err != nil {
				return fmt.Errorf("scenario %s: cell %s %s: %v", s.Name, c.Property, c.Mode, err)
			}
			if c.Runs < 0 || c.Failures < 0 || c.Inconclusive < 0 || c.Failures+c.Inconclusive > c.Runs {
				return fmt.Errorf("scenario %s: cell %s %s: counts runs=%d failures=%d inconclusive=%d: need 0 <= failures + inconclusive <= runs", s.Name, c.Property, c.Mode, c.Runs, c.Failures, c.Inconclusive)
			}
			k := [2]string{c.Mode, c.Property}
			if seen[k] {
				return fmt.Errorf("scenario %s: cell %s %s given twice", s.Name, c.Property, c.Mode)
			}
			seen[k] = true
		}
	}
	return nil
}

// For returns the baseline's cells of the scenario with this name.
func (b *Baseline) For(name string) (BaselineScenario, bool) {
	for _, s := range b.Scenarios {
		if s.Name == name {
			return s, true
		}
	}
	return BaselineScenario{}, false
}

// BaselineOf records a report as a baseline; command is the command line that recorded it.
func BaselineOf(r *Report, command string) *Baseline {
	b := &Baseline{Format: BaselineFormat, Command: command, Seeds: Range{r.Seeds.From, r.Seeds.CoveredTo},
		Strategy: r.Strategy, Faults: r.Faults, Scenarios: []BaselineScenario{}}
	if r.Shard != nil {
		b.Seeds.From = r.Shard.From
	}
	for _, sc := range r.Scenarios {
		s := BaselineScenario{Name: sc.Name, Path: sc.Path, SHA256: sc.SHA256, Modes: slices.Clone(sc.Modes), Cells: []BaselineCell{}}
		for _, c := range r.Matrix {
			if c.Scenario != sc.Path {
				continue
			}
			s.Cells = append(s.Cells, BaselineCell{Mode: c.Mode, Property: c.Property, Level: c.Level,
				Runs: c.Pass + c.Fail + c.XFail + c.XPass + c.Inconclusive, Failures: c.Fail + c.XFail, Inconclusive: c.Inconclusive})
		}
		b.Scenarios = append(b.Scenarios, s)
	}
	return b
}

// WriteBaseline writes a baseline file (`sweep --write-baseline FILE`).
func WriteBaseline(path string, b *Baseline) error {
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("--write-baseline: %w", err)
	}
	return nil
}

// checkSettings refuses a baseline recorded under other sweep settings: its counts say nothing about
// a sweep with another strategy or other extra faults.
func (b *Baseline) checkSettings(file string, r *Report) error {
	if b.Strategy != r.Strategy {
		return fmt.Errorf("%w: %s was recorded with --strategy %q, the sweep runs %q: sweep with the baseline's settings or record one for these (%s)", ErrBaseline, file, b.Strategy, r.Strategy, b.Command)
	}
	if !slices.Equal(b.Faults, r.Faults) {
		return fmt.Errorf("%w: %s was recorded with --fault %q, the sweep adds %q: sweep with the baseline's settings or record one for these (%s)", ErrBaseline, file, b.Faults, r.Faults, b.Command)
	}
	return nil
}

// Judge compares the report's cells of every scenario that has an applied baseline with it and sets
// Comparisons and Exit: per cell a one-sided Fisher exact test at alpha divided by the number of
// cells compared (Bonferroni), so that alpha bounds the chance that any cell of the sweep is flagged
// by chance. Scenarios without a baseline keep the ordinary rules (expectations; exitFromCells).
func (r *Report) Judge() {
	r.Comparisons = nil
	if len(r.Baselines) == 0 {
		return
	}
	if r.Alpha <= 0 {
		r.Alpha = DefaultAlpha
	}
	judged := map[string]*AppliedBaseline{}
	for i := range r.Baselines {
		judged[r.Baselines[i].Scenario] = &r.Baselines[i]
	}
	var plain []Cell
	for _, c := range r.Matrix {
		if judged[c.Scenario] == nil {
			plain = append(plain, c)
		}
	}
	threshold := r.Alpha / float64(max(r.judgedCells(), 1))
	exit := exitFromCells(plain, r.Strict)
	for _, c := range r.Matrix {
		b := judged[c.Scenario]
		if b == nil {
			continue
		}
		cmp := compare(c, b.Cells, threshold, r.Strict)
		if cmp.Status != "within" {
			cmp.Replay = c.Replay
			r.Comparisons = append(r.Comparisons, cmp)
		}
		if cmp.Gating {
			code := 1
			if cmp.Status == "inconclusive" {
				code = 2
			}
			exit = worse(exit, code)
		}
	}
	r.Exit = exit
}

// judgedCells counts the matrix cells of the scenarios judged against a baseline: the cells of the
// Bonferroni correction.
func (r *Report) judgedCells() int {
	n := 0
	for _, c := range r.Matrix {
		for _, b := range r.Baselines {
			if b.Scenario == c.Scenario {
				n++
				break
			}
		}
	}
	return n
}

// compare judges one cell against its baseline cell.
func compare(c Cell, base BaselineScenario, threshold float64, strict bool) Comparison {
	out := Comparison{Scenario: c.Scenario, Property: c.Property, Mode: c.Mode, Level: c.Level, Status: "within",
		Runs: c.Pass + c.Fail + c.XFail + c.XPass, Failures: c.Fail + c.XFail, P: 1, Threshold: threshold,
		FailingSeeds: c.FailingSeeds}
	var bc BaselineCell
	found := false
	for _, x := range base.Cells {
		if x.Mode == c.Mode && x.Property == c.Property {
			bc, found = x, true
			break
		}
	}
	out.BaseRuns, out.BaseFailures = bc.Runs-bc.Inconclusive, bc.Failures
	gates := c.Level == "MUST" || c.Level == "SHOULD" && strict
	switch {
	case out.Failures > 0 && (!found || bc.Failures == 0):
		out.Status, out.P = "new-failure", 0
	case out.Failures > 0:
		if p := FisherGreater(out.Failures, out.Runs, out.BaseFailures, out.BaseRuns); p < threshold {
			out.Status, out.P = "regression", p
		} else if q := FisherLess(out.Failures, out.Runs, out.BaseFailures, out.BaseRuns); q < threshold {
			out.Status, out.P = "improvement", q
		} else {
			out.P = p
		}
	case out.BaseFailures > 0:
		if q := FisherLess(0, out.Runs, out.BaseFailures, out.BaseRuns); q < threshold {
			out.Status, out.P = "improvement", q
		}
	}
	if out.Status == "within" && c.Inconclusive > 0 {
		all := out.Runs + c.Inconclusive
		if bc.Inconclusive == 0 {
			out.Status, out.P = "inconclusive", 0
		} else if p := FisherGreater(c.Inconclusive, all, bc.Inconclusive, bc.Runs); p < threshold {
			out.Status, out.P = "inconclusive", p
		}
		if out.Status == "inconclusive" {
			out.Runs, out.Failures, out.BaseRuns, out.BaseFailures = all, c.Inconclusive, bc.Runs, bc.Inconclusive
		}
	}
	out.Gating = gates && out.Worse()
	return out
}

// writeComparisons renders the judged cells: regressions first, with their counts, p-values, first
// failing seeds and replay command, then improvements.
func (r *Report) writeComparisons(w io.Writer) {
	if len(r.Baselines) == 0 {
		return
	}
	fmt.Fprintln(w)
	for _, b := range r.Baselines {
		fmt.Fprintf(w, "baseline for %s: %s (seeds %s; recorded by: %s)\n", b.Scenario, b.File, b.Seeds, b.Command)
		for _, sc := range r.Scenarios {
			if sc.Path == b.Scenario && b.Cells.SHA256 != "" && sc.SHA256 != b.Cells.SHA256 {
				fmt.Fprintf(w, "  note: the scenario file changed since the baseline was recorded; if the change is meant, record it again\n")
			}
		}
	}
	cmps := slices.Clone(r.Comparisons)
	sort.SliceStable(cmps, func(i, j int) bool { return cmps[i].Worse() && !cmps[j].Worse() })
	worse, better := 0, 0
	for _, c := range cmps {
		if c.Worse() {
			worse++
		} else {
			better++
		}
	}
	threshold := r.Alpha / float64(max(r.judgedCells(), 1))
	fmt.Fprintf(w, "against the baseline (one-sided Fisher exact test, alpha %g over the cells: p < %.3g per cell): %d worse, %d better\n", r.Alpha, threshold, worse, better)
	for _, c := range cmps {
		note := ""
		if c.Worse() && !c.Gating {
			note = " (" + c.Level + ": reported, does not gate)"
		}
		fmt.Fprintf(w, "  %s %s %s %s: %s%s\n", strings.ToUpper(c.Status), c.Scenario, c.Property, c.Mode, comparisonCounts(c), note)
		if len(c.FailingSeeds) > 0 && c.Status != "improvement" {
			fmt.Fprintf(w, "    first failing seeds %s\n    %s\n", joinSeeds(c.FailingSeeds), c.Replay)
		}
	}
}

func comparisonCounts(c Comparison) string {
	what := "failed"
	if c.Status == "inconclusive" {
		what = "inconclusive"
	}
	p := "p=0 (never in the baseline)"
	if c.Status != "new-failure" && !(c.Status == "inconclusive" && c.BaseFailures == 0) {
		p = fmt.Sprintf("p=%.3g", c.P)
	}
	return fmt.Sprintf("%s %d of %d runs, baseline %d of %d, %s", what, c.Failures, c.Runs, c.BaseFailures, c.BaseRuns, p)
}

func joinSeeds(seeds []uint64) string {
	parts := make([]string, len(seeds))
	for i, s := range seeds {
		parts[i] = fmt.Sprint(s)
	}
	return strings.Join(parts, ", ")
}
