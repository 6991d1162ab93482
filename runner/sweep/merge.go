package sweep

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/syncsim/syncsim/runner"
)

// ErrShardMismatch is returned by Merge when the shard reports are not the shards of one sweep.
var ErrShardMismatch = errors.New("sweep: the shards do not belong together")

// ShardReport is a shard's matrix report and the file it was read from, which errors name.
type ShardReport struct {
	File   string
	Report *Report
}

// ReadReport reads a matrix report, the JSON that `simrun sweep --matrix` writes.
func ReadReport(path string) (*Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r Report
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("%s: not a matrix report (the JSON that simrun sweep --matrix writes): %w", path, err)
	}
	return &r, nil
}

// Merge combines the reports of every shard of one sweep (`sweep --shard i/n`, each index exactly
// once, in any order) into the report one unsharded sweep of the same seeds gives: the same text
// and, but for the shard field, the same JSON. It refuses shards of different sweeps (seed range,
// shard count, mode selection, strategy, faults, raw, strict, scenarios and their SHA-256) with
// ErrShardMismatch and an error naming the file. Shards cut short by --max-time make the merge
// incomplete: Seeds.Missing lists the seeds no shard covered, and the exit code is that of the
// runs made, computed from the cells.
func Merge(shards []ShardReport) (*Report, error) {
	if len(shards) == 0 {
		return nil, errors.New("sweep: merge: no shard reports given")
	}
	for _, s := range shards {
		if s.Report.Shard == nil {
			return nil, fmt.Errorf("sweep: merge: %s is not a shard's report (it has no \"shard\" field): sweep each shard with --shard i/n --matrix FILE", s.File)
		}
	}
	for _, s := range shards[1:] {
		if err := sameSweep(shards[0], s); err != nil {
			return nil, err
		}
	}
	ordered, err := byIndex(shards)
	if err != nil {
		return nil, err
	}
	for _, s := range ordered {
		if err := checkCoverage(s); err != nil {
			return nil, err
		}
	}
	return combine(ordered)
}

func mismatch(file, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrShardMismatch, file, fmt.Sprintf(format, args...))
}

// sameSweep checks that b was swept with a's settings and scenarios.
func sameSweep(a, b ShardReport) error {
	x, y := a.Report, b.Report
	switch {
	case x.Seeds.From != y.Seeds.From || x.Seeds.To != y.Seeds.To:
		return mismatch(b.File, "seeds %s, but %s has seeds %s", Range{y.Seeds.From, y.Seeds.To}, a.File, Range{x.Seeds.From, x.Seeds.To})
	case x.Shard.Count != y.Shard.Count:
		return mismatch(b.File, "%d shards, but %s has %d", y.Shard.Count, a.File, x.Shard.Count)
	case x.Mode != y.Mode:
		return mismatch(b.File, "--mode %q, but %s has %q", y.Mode, a.File, x.Mode)
	case x.Strategy != y.Strategy:
		return mismatch(b.File, "--strategy %q, but %s has %q", y.Strategy, a.File, x.Strategy)
	case !slices.Equal(x.Faults, y.Faults):
		return mismatch(b.File, "--fault %q, but %s has %q", y.Faults, a.File, x.Faults)
	case x.Raw != y.Raw:
		return mismatch(b.File, "--raw=%t, but %s has --raw=%t", y.Raw, a.File, x.Raw)
	case x.Strict != y.Strict:
		return mismatch(b.File, "--strict=%t, but %s has --strict=%t", y.Strict, a.File, x.Strict)
	case !sameBaselines(x, y):
		return mismatch(b.File, "judged against baselines %s, but %s against %s", baselineFiles(y), a.File, baselineFiles(x))
	case x.Alpha != y.Alpha:
		return mismatch(b.File, "--alpha %g, but %s has %g", y.Alpha, a.File, x.Alpha)
	case len(x.Scenarios) != len(y.Scenarios):
		return mismatch(b.File, "scenarios %s, but %s has %s", scenarioPaths(y), a.File, scenarioPaths(x))
	}
	for i, p := range x.Scenarios {
		q := y.Scenarios[i]
		switch {
		case p.Path != q.Path || p.Name != q.Name:
			return mismatch(b.File, "scenarios %s, but %s has %s", scenarioPaths(y), a.File, scenarioPaths(x))
		case p.SHA256 != q.SHA256:
			return mismatch(b.File, "%s has SHA-256 %s, but in %s %s: the file changed between the shards' sweeps", q.Path, q.SHA256, a.File, p.SHA256)
		case !slices.Equal(p.Modes, q.Modes):
			return mismatch(b.File, "%s ran modes %s, but in %s %s", q.Path, strings.Join(q.Modes, ","), a.File, strings.Join(p.Modes, ","))
		}
	}
	return nil
}

// sameBaselines reports whether two shards were judged against the same baselines.
func sameBaselines(x, y *Report) bool {
	a, err1 := json.Marshal(x.Baselines)
	b, err2 := json.Marshal(y.Baselines)
	return err1 == nil && err2 == nil && bytes.Equal(a, b)
}

func baselineFiles(r *Report) string {
	var files []string
	for _, b := range r.Baselines {
		files = append(files, b.File)
	}
	return "[" + strings.Join(files, " ") + "]"
}

func scenarioPaths(r *Report) string {
	paths := make([]string, len(r.Scenarios))
	for i, sc := range r.Scenarios {
		paths[i] = sc.Path
	}
	return "[" + strings.Join(paths, " ") + "]"
}

// byIndex orders the shards by index, checking that each index is there once and that each shard's
// block is the one Shard.Block gives.
func byIndex(shards []ShardReport) ([]ShardReport, error) {
	n := shards[0].Report.Shard.Count
	seeds := Range{shards[0].Report.Seeds.From, shards[0].Report.Seeds.To}
	if n < 1 {
		return nil, mismatch(shards[0].File, "shard count %d; it must be at least 1", n)
	}
	ordered := make([]ShardReport, n)
	for _, s := range shards {
		sh := s.Report.Shard
		if sh.Index < 1 || sh.Index > n {
			return nil, mismatch(s.File, "shard %d/%d: the index must be from 1 to %d", sh.Index, n, n)
		}
		if prev := ordered[sh.Index-1]; prev.Report != nil {
			return nil, mismatch(s.File, "shard %d/%d is also given as %s; give each shard once", sh.Index, n, prev.File)
		}
		block, err := Shard{sh.Index, n}.Block(seeds)
		if err != nil {
			return nil, mismatch(s.File, "%v", err)
		}
		if got := (Range{sh.From, sh.To}); got != block {
			return nil, mismatch(s.File, "shard %d/%d of seeds %s covers seeds %s, but its block is %s", sh.Index, n, seeds, got, block)
		}
		ordered[sh.Index-1] = s
	}
	var absent []string
	for i, s := range ordered {
		if s.Report == nil {
			absent = append(absent, strconv.Itoa(i+1))
		}
	}
	if len(absent) > 0 {
		return nil, fmt.Errorf("sweep: merge: shard %s of %d missing: give the --matrix report of every shard 1 to %d", strings.Join(absent, ", "), n, n)
	}
	return ordered, nil
}

// checkCoverage checks that a shard's counts agree with the seeds it says it covered.
func checkCoverage(s ShardReport) error {
	r := s.Report
	if r.Seeds.CoveredTo < r.Shard.From || r.Seeds.CoveredTo > r.Shard.To {
		return mismatch(s.File, "covered_to %d lies outside the shard's block %s", r.Seeds.CoveredTo, Range{r.Shard.From, r.Shard.To})
	}
	covered := r.Seeds.CoveredTo - r.Shard.From + 1
	runs := 0
	for _, sc := range r.Scenarios {
		if sc.SeedsCovered != covered {
			return mismatch(s.File, "%s covered %d seeds, but the shard covered seeds %s", sc.Path, sc.SeedsCovered, Range{r.Shard.From, r.Seeds.CoveredTo})
		}
		runs += len(sc.Modes) * int(covered)
	}
	if r.Runs != runs {
		return mismatch(s.File, "%d runs, but its scenarios, modes and seeds make %d", r.Runs, runs)
	}
	return nil
}

type mergeKey struct{ scenario, property, mode string }

// combine folds shards, ordered by index and checked, into one report.
func combine(shards []ShardReport) (*Report, error) {
	first := shards[0].Report
	m := &Report{
		Seeds: Seeds{From: first.Seeds.From, To: first.Seeds.To},
		Mode:  first.Mode, Strategy: first.Strategy, Faults: first.Faults, Raw: first.Raw, Strict: first.Strict,
		Matrix: []Cell{}, Baselines: first.Baselines, Alpha: first.Alpha,
	}
	for _, sc := range first.Scenarios {
		sc.SeedsCovered = 0
		sc.Modes = slices.Clone(sc.Modes)
		m.Scenarios = append(m.Scenarios, sc)
	}
	if first.P12 != nil {
		m.P12 = &P12Sample{Sample: first.P12.Sample}
	}
	cells := map[mergeKey]*Cell{}
	var keys []mergeKey
	prefix := true // every shard so far covered its whole block
	for _, s := range shards {
		r := s.Report
		if prefix {
			m.Seeds.CoveredTo = r.Seeds.CoveredTo
		}
		if r.Seeds.CoveredTo < r.Shard.To {
			prefix = false
			m.Seeds.StoppedBy = "max-time"
			m.Seeds.Missing = append(m.Seeds.Missing, Range{r.Seeds.CoveredTo + 1, r.Shard.To})
		}
		m.Runs += r.Runs
		switch {
		case m.P12 == nil:
		case r.P12 == nil || r.P12.Sample != m.P12.Sample:
			m.P12 = nil // a shard judged another sample (or says nothing of it): no total to give
		default:
			m.P12.Judged += r.P12.Judged
			m.P12.Runs += r.P12.Runs
		}
		for i := range m.Scenarios {
			m.Scenarios[i].SeedsCovered += r.Scenarios[i].SeedsCovered
		}
		for _, c := range r.Matrix {
			k := mergeKey{c.Scenario, c.Property, c.Mode}
			into := cells[k]
			if into == nil {
				into = &Cell{Scenario: c.Scenario, Property: c.Property, Name: c.Name, Mode: c.Mode, Level: c.Level}
				cells[k] = into
				keys = append(keys, k)
			} else if into.Level != c.Level || into.Name != c.Name {
				return nil, mismatch(s.File, "cell %s %s %s is %s %s, but in shard 1 %s %s", c.Scenario, c.Property, c.Mode, c.Level, c.Name, into.Level, into.Name)
			}
			addCell(into, c)
		}
	}
	for _, k := range keys {
		m.Matrix = append(m.Matrix, *cells[k])
	}
	sortMatrix(m.Matrix)
	m.FaultFirings = mergeFirings(shards, m.Scenarios)
	m.Exit = exitFromCells(m.Matrix, m.Strict)
	m.Judge()
	return m, nil
}

// addCell adds c's counts to into and keeps the smaller smallest failing seed with its replay.
func addCell(into *Cell, c Cell) {
	into.Pass += c.Pass
	into.Fail += c.Fail
	into.XFail += c.XFail
	into.XPass += c.XPass
	into.Inconclusive += c.Inconclusive
	if s := c.SmallestFailingSeed; s != nil && (into.SmallestFailingSeed == nil || *s < *into.SmallestFailingSeed) {
		seed := *s
		into.SmallestFailingSeed, into.Replay = &seed, c.Replay
	}
	// Shards are folded in index order, so their seeds arrive in increasing order.
	for _, s := range c.FailingSeeds {
		if len(into.FailingSeeds) < MaxFailingSeeds {
			into.FailingSeeds = append(into.FailingSeeds, s)
		}
	}
}

// MergeJob is what `simrun merge` was asked to do.
type MergeJob struct {
	// Files are the shards' matrix reports (`sweep --shard i/n --matrix FILE`).
	Files []string
	// Matrix, if set, is the file the merged matrix report is written to.
	Matrix string
}

// ExecuteMerge reads the shards' reports, merges them, writes the text report to out (and the merged
// matrix report if asked) and returns the exit code, as `simrun sweep` would over the same runs.
// Unreadable or mismatched reports are *runner.UsageError with runner.ExitUsage.
func ExecuteMerge(job MergeJob, out io.Writer) (int, error) {
	var shards []ShardReport
	for _, f := range job.Files {
		r, err := ReadReport(f)
		if err != nil {
			return runner.ExitUsage, &runner.UsageError{Err: err}
		}
		shards = append(shards, ShardReport{File: f, Report: r})
	}
	rep, err := Merge(shards)
	if err != nil {
		return runner.ExitUsage, &runner.UsageError{Err: err}
	}
	rep.WriteText(out)
	if job.Matrix != "" {
		if err := rep.WriteJSON(job.Matrix); err != nil {
			return runner.ExitUsage, &runner.UsageError{Err: err}
		}
	}
	return rep.Exit, nil
}
