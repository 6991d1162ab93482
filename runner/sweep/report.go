package sweep

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/output"
	"github.com/syncsim/syncsim/output/redact"
	"github.com/syncsim/syncsim/runner"
)

// Report is a sweep's result: the property x mode matrix per scenario and the exit code. It is a
// function of the configuration and the seeds covered only, never of the workers' interleaving.
type Report struct {
	Scenarios []ScenarioInfo `json:"scenarios"`
	Seeds     Seeds          `json:"seeds"`
	// Shard is set in a shard's report (`sweep --shard`); it is absent in an unsharded sweep's report
	// and in the merge of every shard's report.
	Shard *ShardInfo `json:"shard,omitempty"`
	// Mode is Config.Mode, the mode selection as `--mode` spells it ("" each scenario's modes).
	Mode string `json:"mode,omitempty"`
	// Strategy is Config.Strategy; "" is the kernel's default.
	Strategy string   `json:"strategy"`
	Faults   []string `json:"faults,omitempty"`
	Raw      bool     `json:"raw,omitempty"`
	Strict   bool     `json:"strict,omitempty"`
	// Matrix is sorted by scenario path, property number, then mode in host.Modes() order.
	Matrix []Cell `json:"matrix"`
	// Runs counts the runs folded into the matrix.
	Runs int `json:"runs"`
	// Exit has runner.ExitCode's semantics over every run: 1 a gating failure or an xpass (a fail
	// beats an inconclusive), 2 only inconclusive verdicts stand in the way, else 0. The cells of a
	// scenario judged against a baseline gate by Comparisons instead (Judge).
	Exit int `json:"exit"`
	// Outcome is the exit code with every reason for it (OutcomeOf), as JSON writes it.
	Outcome *runner.Outcome `json:"outcome,omitempty"`
	// Baselines are the baselines the report is judged against, one per scenario that has one.
	Baselines []AppliedBaseline `json:"baselines,omitempty"`
	// Alpha is the family-wise significance level of the comparisons (`--alpha`).
	Alpha float64 `json:"alpha,omitempty"`
	// Comparisons are the judged cells that differ from their baseline (regressions, new failures,
	// improvements), in matrix order.
	Comparisons []Comparison `json:"comparisons,omitempty"`
	// P12 says on how many runs P12 was judged: a sweep makes only its Sample of runs twice.
	P12 *P12Sample `json:"p12,omitempty"`
	// FaultFirings say, per scenario, how often each armed fault fired (firings.go), in scenario
	// order, each scenario's faults in the order they were first armed.
	FaultFirings []FaultFirings `json:"fault_firings"`
	// Results are the runs folded into the matrix, in seed order, without traces: what `--json`
	// writes (DESIGN.md: an array of run objects).
	Results []*runner.Result `json:"-"`
}

// Seeds says which seeds were asked for and which were covered. A report spans From..To, or in a
// shard's report the shard's block (ShardInfo.From..To).
type Seeds struct {
	// From and To are the whole range asked for (`--seeds`), also in a shard's report.
	From uint64 `json:"from"`
	To   uint64 `json:"to"`
	// CoveredTo is the last seed of the covered prefix of the span: every (scenario, mode) run from
	// the span's first seed to CoveredTo finished.
	CoveredTo uint64 `json:"covered_to"`
	// StoppedBy is "max-time" when the time budget ran out before the span's last seed (in a merge:
	// before some shard's last seed).
	StoppedBy string `json:"stopped_by,omitempty"`
	// Missing lists, in seed order, the seeds of the span that were not covered; it is empty unless
	// StoppedBy is set. A merge of cut-short shards can have gaps before CoveredTo's successor.
	Missing []Range `json:"missing,omitempty"`
}

// ShardInfo is the shard a report covers: shard Index of Count, whose block of Seeds.From..To is
// From..To (Shard.Block).
type ShardInfo struct {
	Index int    `json:"index"`
	Count int    `json:"count"`
	From  uint64 `json:"from"`
	To    uint64 `json:"to"`
}

// ScenarioInfo names a swept scenario, the modes it ran in and how many seeds each mode covered.
type ScenarioInfo struct {
	Path string `json:"path"`
	Name string `json:"name"`
	// SHA256 is the scenario file's (scenarios.Scenario.SHA256), so a merge can tell that shards
	// swept the same file.
	SHA256       string   `json:"sha256"`
	Modes        []string `json:"modes"`
	SeedsCovered uint64   `json:"seeds_covered"`
}

// Cell is one (scenario, property, mode) entry of the matrix.
type Cell struct {
	Scenario     string `json:"scenario"`
	Property     string `json:"property"`
	Name         string `json:"name"`
	Mode         string `json:"mode"`
	Level        string `json:"level"`
	Pass         int    `json:"pass"`
	Fail         int    `json:"fail"`
	XFail        int    `json:"xfail"`
	XPass        int    `json:"xpass"`
	Inconclusive int    `json:"inconclusive"`
	// SmallestFailingSeed is the smallest seed whose verdict was fail, xfail or xpass; Replay is the
	// command that replays that run. Both are absent when no seed failed.
	SmallestFailingSeed *uint64 `json:"smallest_failing_seed,omitempty"`
	Replay              string  `json:"replay,omitempty"`
	// FailingSeeds are the first MaxFailingSeeds failing seeds (fail, xfail or xpass), in order.
	FailingSeeds []uint64 `json:"failing_seeds,omitempty"`
}

// MaxFailingSeeds is how many failing seeds a cell lists.
const MaxFailingSeeds = 5

// Failing reports whether some seed failed, expectedly or not, in this cell.
func (c *Cell) Failing() bool { return c.SmallestFailingSeed != nil }

// Gating reports whether the cell makes the sweep exit 1: an xpass, or a fail at a level that gates.
func (c *Cell) Gating(strict bool) bool {
	return c.XPass > 0 || c.Fail > 0 && (c.Level == "MUST" || c.Level == "SHOULD" && strict)
}

// CutShort reports whether MaxTime stopped the sweep before its last seed (in a merge: some shard).
func (r *Report) CutShort() bool { return r.Seeds.StoppedBy != "" }

// Span is the seeds the report set out to cover: the shard's block, or the whole range.
func (r *Report) Span() Range {
	if r.Shard != nil {
		return Range{r.Shard.From, r.Shard.To}
	}
	return Range{r.Seeds.From, r.Seeds.To}
}

// Covered lists, in seed order, the ranges of seeds every run of which finished: the span without
// Seeds.Missing.
func (r *Report) Covered() []Range {
	span := r.Span()
	var out []Range
	next := span.From
	for _, m := range r.Seeds.Missing {
		if m.From > next {
			out = append(out, Range{next, m.From - 1})
		}
		if m.To == span.To {
			return out
		}
		next = m.To + 1
	}
	return append(out, Range{next, span.To})
}

// exitFromCells is runner.ExitCode over the runs counted in the cells: 1 when a cell gates, else 2
// when a cell at a gating level has an inconclusive run, else 0. A merge computes its exit code so.
func exitFromCells(cells []Cell, strict bool) int {
	code := runner.ExitOK
	for i := range cells {
		c := &cells[i]
		switch {
		case c.Gating(strict):
			return runner.ExitFailed
		case c.Inconclusive > 0 && (c.Level == "MUST" || c.Level == "SHOULD" && strict):
			code = runner.ExitInconclusive
		}
	}
	return code
}

// verdict is the part of a check.Verdict the matrix keeps.
type verdict struct{ id, name, level, status string }

type cellKey struct {
	scenario int
	id, mode string
}

// aggregate folds finished runs, in seed order, into cells.
type aggregate struct {
	cfg      Config
	span     Range
	units    []unit
	progress io.Writer
	scIndex  map[string]int
	cells    map[cellKey]*Cell
	runs     int
	exit     int
	nextTick uint64
	results  []*runner.Result
	// failing counts the runs with a gating verdict; planned the runs the sweep means to make.
	failing, planned int
	// p12 counts the runs P12 was judged on.
	p12 int
}

func newAggregate(cfg Config, span Range, units []unit, progress io.Writer) *aggregate {
	a := &aggregate{cfg: cfg, span: span, units: units, progress: progress, scIndex: map[string]int{}, cells: map[cellKey]*Cell{}}
	a.planned = int(span.Count()) * len(units)
	for i, sc := range cfg.Scenarios {
		a.scIndex[sc.Path] = i
	}
	return a
}

// add folds one run. Runs arrive in seed order, so the first failure a cell sees is its smallest.
func (a *aggregate) add(d done) {
	a.runs++
	if d.exit != 0 {
		a.failing++
	}
	if a.cfg.OnRun != nil {
		a.cfg.OnRun(a.runs, a.planned, a.failing)
	}
	if d.result != nil {
		a.results = append(a.results, d.result)
	}
	a.exit = worse(a.exit, d.exit)
	if d.p12 {
		a.p12++
	}
	for _, v := range d.verdicts {
		k := cellKey{a.scIndex[d.unit.sc.Path], v.id, d.unit.mode.String()}
		c := a.cells[k]
		if c == nil {
			c = &Cell{Scenario: d.unit.sc.Path, Property: v.id, Name: v.name, Mode: k.mode, Level: v.level}
			a.cells[k] = c
		}
		switch v.status {
		case "pass":
			c.Pass++
		case "fail":
			c.Fail++
		case "xfail":
			c.XFail++
		case "xpass":
			c.XPass++
		case "inconclusive":
			c.Inconclusive++
		}
		if (v.status == "fail" || v.status == "xfail" || v.status == "xpass") && len(c.FailingSeeds) < MaxFailingSeeds {
			c.FailingSeeds = append(c.FailingSeeds, d.seed)
		}
		if (v.status == "fail" || v.status == "xfail" || v.status == "xpass") && (c.SmallestFailingSeed == nil || d.seed < *c.SmallestFailingSeed) {
			seed := d.seed
			c.SmallestFailingSeed, c.Replay = &seed, d.replay
			fmt.Fprintf(a.progress, "sweep: %s %s mode=%s first %s at seed %d: %s\n", c.Scenario, c.Property, c.Mode, v.status, seed, d.replay)
		}
	}
	if a.runs%len(a.units) == 0 {
		a.tick(d.seed)
	}
}

// tick writes a progress line about every tenth of the span's seeds.
func (a *aggregate) tick(seed uint64) {
	done := seed - a.span.From + 1
	total := a.span.Count()
	if done*10 >= a.nextTick*total || done == total {
		fmt.Fprintf(a.progress, "sweep: seeds %s done (%d of %d), %d runs\n", Range{a.span.From, seed}, done, total, a.runs)
		a.nextTick = done*10/total + 1
	}
}

// worse folds exit codes the way runner.ExitCode does: a failure beats an inconclusive.
func worse(a, b int) int {
	switch {
	case a == runner.ExitFailed || b == runner.ExitFailed:
		return runner.ExitFailed
	case a == runner.ExitInconclusive || b == runner.ExitInconclusive:
		return runner.ExitInconclusive
	}
	return runner.ExitOK
}

// report builds the sorted report.
func (a *aggregate) report(stopped bool) *Report {
	covered := uint64(a.runs / len(a.units))
	r := &Report{
		Seeds: Seeds{From: a.cfg.Seeds.From, To: a.cfg.Seeds.To, CoveredTo: a.span.From + covered - 1},
		Mode:  a.cfg.Mode, Strategy: a.cfg.Strategy, Faults: a.cfg.Faults, Raw: a.cfg.Raw, Strict: a.cfg.Strict,
		Matrix: []Cell{}, Runs: a.runs, Exit: a.exit, Results: a.results,
		P12: &P12Sample{Judged: a.p12, Runs: a.runs, Sample: Sample{First: a.cfg.Seeds.From}.String()},
	}
	if !a.cfg.Shard.IsZero() {
		r.Shard = &ShardInfo{Index: a.cfg.Shard.Index, Count: a.cfg.Shard.Count, From: a.span.From, To: a.span.To}
	}
	if stopped && r.Seeds.CoveredTo < a.span.To {
		r.Seeds.StoppedBy = "max-time"
		r.Seeds.Missing = []Range{{r.Seeds.CoveredTo + 1, a.span.To}}
	}
	for _, sc := range a.cfg.Scenarios {
		info := ScenarioInfo{Path: sc.Path, Name: sc.Name, SHA256: sc.SHA256, Modes: []string{}, SeedsCovered: covered}
		for _, u := range a.units {
			if u.sc == sc {
				info.Modes = append(info.Modes, u.mode.String())
			}
		}
		r.Scenarios = append(r.Scenarios, info)
	}
	sort.SliceStable(r.Scenarios, func(i, j int) bool { return r.Scenarios[i].Path < r.Scenarios[j].Path })
	for _, c := range a.cells {
		r.Matrix = append(r.Matrix, *c)
	}
	sortMatrix(r.Matrix)
	return r
}

// sortMatrix sorts cells by scenario path, property number, then mode in host.Modes() order.
func sortMatrix(cells []Cell) {
	sort.Slice(cells, func(i, j int) bool {
		x, y := &cells[i], &cells[j]
		if x.Scenario != y.Scenario {
			return x.Scenario < y.Scenario
		}
		if nx, ny := propertyNumber(x.Property), propertyNumber(y.Property); nx != ny {
			return nx < ny
		}
		if x.Property != y.Property {
			return x.Property < y.Property
		}
		return modeRank(x.Mode) < modeRank(y.Mode)
	})
}

// propertyNumber orders P1, P2, ..., P13; IDs of another shape sort last.
func propertyNumber(id string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(id, "P"))
	if err != nil || !strings.HasPrefix(id, "P") {
		return 1 << 30
	}
	return n
}

// modeRank is a mode's place in host.Modes().
func modeRank(name string) int {
	for i, m := range host.Modes() {
		if m.String() == name {
			return i
		}
	}
	return len(host.Modes())
}

// JSON renders the report as indented JSON with a final newline, through the one redaction (P11).
// Its outcome is computed afresh (OutcomeOf), so that it says what Exit says.
func (r *Report) JSON() ([]byte, error) {
	o := OutcomeOf(r)
	r.Outcome = &o
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(redact.New(nil).Bytes(data), '\n'), nil
}

// WriteJSON writes the report to a file (`simrun sweep --matrix F`).
func (r *Report) WriteJSON(path string) error {
	data, err := r.JSON()
	if err != nil {
		return err
	}
	if err := output.WriteFile(path, data, nil); err != nil {
		return fmt.Errorf("--matrix: %w", err)
	}
	return nil
}
