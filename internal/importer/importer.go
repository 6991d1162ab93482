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
}

// Import reads a host log and writes the scenario it tells; name is the log's file name, used in
// messages and in the scenario's header and name. A line of another shape is not an error but an
// unknown line; an empty log, or one with no host start, is an error.
func Import(name string, r io.Reader) (*Result, error) {
	entries, lines, err := readLog(r)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot read the log: %w", name, err)
	}
	s, err := tell(name, entries)
	if err != nil {
		return nil, err
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
		Lines: lines, Events: s.events, Unknown: s.unknown, Failing: failing}
	for _, id := range failing {
		res.Reproduced = res.Reproduced || id == "P1"
	}
	return res, nil
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
				s.file, ErrBadLog, v.ID, strings.Join(v.Evidence, "; "))
		}
	}
	return failing, nil
}
