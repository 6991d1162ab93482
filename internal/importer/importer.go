package importer

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/check"
	"github.com/syncsim/syncsim/internal/runner"
	"github.com/syncsim/syncsim/scenarios"
)

// Sentinel errors; Import wraps them with the log's name and what is missing.
var (
	// ErrEmpty: the log has no event line.
	ErrEmpty = errors.New("importer: empty log")
	// ErrNoHostStart: no `Host started (...)` line, so nothing says when instances run.
	ErrNoHostStart = errors.New("importer: no Host started line")
	// ErrBadLog: a line the scenario depends on states something the simulator cannot model.
	ErrBadLog = errors.New("importer: bad log")
	// ErrLimit: the log, a line of it, or the lines to keep are over a limit of Options.
	ErrLimit = errors.New("importer: over a limit")
	// ErrOutOfOrder: a line's time is earlier than the line's before it, so the log, read in order,
	// would tell another story than the one that happened.
	ErrOutOfOrder = errors.New("importer: lines out of order")
)

// Result is an imported scenario.
type Result struct {
	// YAML is the scenario file (SCHEMA.md), starting with its comment block.
	YAML []byte
	// Name is the scenario's name, made of the log's file name.
	Name string
	// Site and Mode are those of the log's first host start.
	Site string
	Mode string
	// Start is the log time that t=0 stands for.
	Start time.Time
	// Lines counts every line read; Events the lines that carry a known event; Unknown the lines
	// kept as `# unknown line N` comments. Comment and blank lines are neither.
	Lines, Events, Unknown int
	// Failing lists the properties the imported scenario fails in Mode (seed 1, expectations
	// ignored); the scenario's expect section lists them.
	Failing []string
	// Reproduced says whether the run fails P1, as the log's story does.
	Reproduced bool
	// Reordered describes the lines that were out of order and were sorted by time
	// (Options.AllowOutOfOrder); the scenario's comment block says the same.
	Reordered []string
}

// Import reads a host log with the default Options and writes the scenario it tells; name is the
// log's file name, used in messages and in the scenario's header and name. A line of another shape
// is not an error but an unknown line; an empty log, one with no host start, one over a limit, or one
// whose times go backwards is an error.
func Import(name string, r io.Reader) (*Result, error) { return ImportWith(name, r, Options{}) }

// ImportWith is Import with options: limits, and whether lines out of order are sorted.
func ImportWith(name string, r io.Reader, o Options) (*Result, error) {
	o = o.withDefaults()
	entries, lines, err := readLog(name, r, o)
	if err != nil {
		return nil, err
	}
	reordered, err := inOrder(name, entries, o)
	if err != nil {
		return nil, err
	}
	entries, dropped := keepUnknown(entries)
	s, err := tell(name, entries)
	if err != nil {
		return nil, err
	}
	if dropped.count > 0 {
		s.unknown += dropped.count
		s.notes = append(s.notes, fmt.Sprintf("%d unknown line(s) from line %d on are counted but not kept as comments: the scenario keeps the first %d KiB of unknown lines",
			dropped.count, dropped.first, maxUnknownKept>>10))
	}
	if len(reordered) > 0 {
		s.notes = append(s.notes, "the log is out of order: "+strings.Join(reordered, "; ")+
			"; its lines are sorted by time, stably (--allow-out-of-order)")
	}
	mode, err := host.ParseMode(s.mode)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %w", name, ErrBadLog, err)
	}
	failing, err := failures(s, mode)
	if err != nil {
		return nil, err
	}
	out := s.render(failing)
	if _, err := scenarios.Parse(s.name+".yaml", out); err != nil {
		return nil, fmt.Errorf("%s: %w: the imported scenario does not load: %w", name, ErrBadLog, err)
	}
	res := &Result{YAML: out, Name: s.name, Site: s.site, Mode: s.mode, Start: s.start,
		Lines: lines, Events: s.events, Unknown: s.unknown, Failing: failing, Reordered: reordered}
	for _, id := range failing {
		res.Reproduced = res.Reproduced || id == "P1"
	}
	return res, nil
}

// maxReorderedShown bounds the out-of-order lines the scenario's comment block lists.
const maxReorderedShown = 5

// inOrder refuses a log whose times go backwards, naming both lines, or with o.AllowOutOfOrder sorts
// it stably by time and describes what moved. The story is told in line order (a deletion right
// after a hash write, the quiet stretches), so a line out of place would tell another story.
func inOrder(name string, entries []entry, o Options) ([]string, error) {
	back := order(entries)
	if len(back) == 0 {
		return nil, nil
	}
	if !o.AllowOutOfOrder {
		b := back[0]
		return nil, fmt.Errorf("%s:%d: %w: its time %s is earlier than line %d's %s (fix: sort the log by time, or pass --allow-out-of-order to sort it stably and say so in the scenario)",
			name, b.line, ErrOutOfOrder, stamp(b.at), b.prev, stamp(b.prevAt))
	}
	var out []string
	for i, b := range back {
		if i == maxReorderedShown {
			out = append(out, fmt.Sprintf("and %d more line(s)", len(back)-i))
			break
		}
		out = append(out, fmt.Sprintf("line %d (%s) is earlier than line %d (%s)", b.line, stamp(b.at), b.prev, stamp(b.prevAt)))
	}
	sortByTime(entries)
	return out, nil
}

// maxUnknownKept bounds the comments the unknown lines become (their text and unknownOverhead
// each). They tell nothing to the simulator, the scenario loader's cost grows with the comments'
// size (a 64 MiB log of unknown lines took over 1 GB to import when every line was kept), and a
// scenario file is at most scenarios.MaxFileBytes (1 MiB): a quarter of that is left to them.
const maxUnknownKept = 256 << 10

// unknownOverhead is what a comment adds to an unknown line's text: "  # unknown line N: ".
const unknownOverhead = 32

// dropped says which unknown lines keepUnknown left out.
type dropped struct{ count, first int }

// keepUnknown keeps the unknown lines up to maxUnknownKept bytes of text and leaves out the rest,
// saying how many and from which line on; every event line is kept.
func keepUnknown(entries []entry) ([]entry, dropped) {
	var d dropped
	kept, size := entries[:0:0], 0
	for _, e := range entries {
		if e.kind == unknown {
			if size += len(e.text) + unknownOverhead; size > maxUnknownKept {
				if d.count == 0 {
					d.first = e.n
				}
				d.count++
				continue
			}
		}
		kept = append(kept, e)
	}
	if d.count == 0 {
		return entries, d
	}
	return kept, d
}

// tell builds the story from the log's lines.
func tell(name string, entries []entry) (*story, error) {
	if len(entries) == 0 {
		return nil, fmt.Errorf("%s: %w: no event line, only comments or blank lines (fix: give the log's lines as `RFC3339-time instance level message`)", name, ErrEmpty)
	}
	first := -1
	for i, e := range entries {
		if e.kind == hostStarted {
			first = i
			break
		}
	}
	if first < 0 {
		return nil, noHostStart(name, entries)
	}
	s, err := newStory(name, entries[first])
	if err != nil {
		return nil, err
	}
	s.shorten(entries)
	for _, e := range entries {
		s.add(e)
	}
	return s, nil
}

// noHostStart names what is missing, and a host start whose time could not be read.
func noHostStart(name string, entries []entry) error {
	for _, e := range entries {
		if e.badTime != "" {
			if strings.Contains(e.text, "Host started (") {
				return fmt.Errorf("%s: %w with a readable time: line %d's time %q is not RFC 3339 (fix: write times as 2026-04-20T10:00:02.120Z)",
					name, ErrNoHostStart, e.n, e.badTime)
			}
		}
	}
	return fmt.Errorf("%s: %w: nothing says when an instance runs or which site and mode it has (fix: include the host's `Host started (Site=..., HostId=..., SyncTriggersMode=...)` lines)",
		name, ErrNoHostStart)
}

// failures runs the story once (seed 1, expectations ignored) and lists the properties it fails.
func failures(s *story, mode host.Mode) ([]string, error) {
	draft := s.render(nil)
	sc, err := scenarios.Parse(s.name+".yaml", draft)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: the imported scenario does not load: %w", s.file, ErrBadLog, err)
	}
	res, err := runner.RunOne(sc, mode, 1, runner.Options{Raw: true})
	if err != nil {
		return nil, fmt.Errorf("%s: running the imported scenario: %w", s.file, err)
	}
	failing := []string{}
	for _, v := range res.Verdicts {
		switch v.Status {
		case check.Fail:
			failing = append(failing, v.ID)
		case check.Inconclusive:
			return nil, fmt.Errorf("%s: %w: the imported scenario's run is inconclusive (%s: %s), so its expectations cannot be written (fix: shorten the log to the incident's lines, or raise budget.max_events and budget.max_time in a scenario written by hand)",
				s.file, ErrBadLog, v.ID, strings.Join(v.EvidenceText(), "; "))
		}
	}
	return failing, nil
}
