package importer

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/logs"
	"github.com/syncsim/syncsim/runner"
	"github.com/syncsim/syncsim/scenarios"
)

// Sentinel errors; Import wraps them with the log's name, the line and the fix.
var (
	// ErrEmpty: the log has no entry, only blank or comment lines.
	ErrEmpty = errors.New("importer: empty log")
	// ErrBadLog: a line the scenario depends on states something the simulator cannot model, or a
	// flag names no mode.
	ErrBadLog = errors.New("importer: bad log")
	// ErrLimit: the log, a line of it, or the entries to keep are over a limit of Options. It is
	// the log reader's sentinel, so that either's limit reads the same.
	ErrLimit = logs.ErrLimit
	// ErrFormat: no line of the log is in a known format (or in the one --format forces): the log
	// reader's sentinel.
	ErrFormat = logs.ErrUnknownFormat
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
	// Site and Mode are the scenario's; Settings says where each came from.
	Site, Mode string
	Settings   Settings
	// Start is the log time that t=0 stands for.
	Start time.Time
	// Lines counts every line read; Events the entries that carry a known event; Unknown the
	// entries kept as `# unknown line N` comments. Blank, comment and continuation lines are
	// neither.
	Lines, Events, Unknown int
	// Formats counts the entries read in each format.
	Formats map[logs.Format]int
	// Failing lists the properties the imported scenario fails in Mode (seed 1, expectations
	// ignored); the scenario's expect section lists them.
	Failing []string
	// LogFailed says whether the log's story ends in a failure (a failed publish or call, a
	// refusal, a lost lease, an empty publish, a deletion before the platform fetched) with no
	// success after it; Failures lists every failure the log shows.
	LogFailed bool
	Failures  []string
	// Reproduced says whether the run fails exactly when the log shows a failure.
	Reproduced bool
	// Cannot lists the parts of the story the model cannot tell (also in the comment block).
	Cannot []string
	// Reordered describes the lines that were out of order and were sorted by time
	// (Options.AllowOutOfOrder); the scenario's comment block says the same.
	Reordered []string
}

// Import reads a log with the default Options and writes the scenario it tells; name is the log's
// file name, used in messages and in the scenario's header and name. A line the catalogue does not
// know is not an error but an unknown line; an empty log, one in no known format, one over a limit,
// or one whose times go backwards is an error.
func Import(name string, r io.Reader) (*Result, error) { return ImportWith(name, r, Options{}) }

// ImportWith is Import with options: the format, mode, site and instance when the log does not say
// them, the date of times without one, limits, and whether lines out of order are sorted.
func ImportWith(name string, r io.Reader, o Options) (*Result, error) {
	if o.Mode != "" {
		if _, err := host.ParseMode(o.Mode); err != nil {
			return nil, fmt.Errorf("%s: %w: --mode %q names no mode (fix: --mode %s)", name, ErrBadLog, o.Mode, strings.Join(host.ModeNames(), "|"))
		}
	}
	l, err := Read(name, r, o)
	if err != nil {
		return nil, err
	}
	if len(l.Entries) == 0 {
		return nil, fmt.Errorf("%s: %w: no entry, only comments or blank lines (fix: give the log's lines, in any format `simrun import --help` lists)", name, ErrEmpty)
	}
	entries, dropped := keepUnknown(l.Entries)
	s, err := newStory(l)
	if err != nil {
		return nil, err
	}
	s.shorten(entries)
	for _, e := range entries {
		s.add(e)
	}
	s.finish()
	s.notes = append(s.notes, l.Notes...)
	if n, first := unplaced(l.Skipped); n > 0 {
		s.notes = append(s.notes, fmt.Sprintf("%d line(s) in no format the reader knows are left out, the first at line %d", n, first))
	}
	if dropped.count > 0 {
		s.unknown += dropped.count
		s.notes = append(s.notes, fmt.Sprintf("%d unknown line(s) from line %d on are counted but not kept as comments: the scenario keeps the first %d KiB of unknown lines",
			dropped.count, dropped.first, maxUnknownKept>>10))
	}
	if len(l.Reordered) > 0 {
		s.notes = append(s.notes, "the log is out of order: "+strings.Join(l.Reordered, "; ")+
			"; its lines are sorted by time, stably (--allow-out-of-order)")
	}
	mode, err := host.ParseMode(s.mode)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: mode %q (%s): %w (fix: --mode %s)", name, ErrBadLog, s.mode, l.Settings.Mode.From, err, strings.Join(host.ModeNames(), "|"))
	}
	verdicts, err := failures(s, mode)
	if err != nil {
		return nil, err
	}
	failing := failingIDs(verdicts)
	s.explain(verdicts)
	out := s.render(failing)
	if _, err := scenarios.Parse(s.name+".yaml", out); err != nil {
		return nil, fmt.Errorf("%s: %w: the imported scenario does not load: %w", name, ErrBadLog, err)
	}
	res := &Result{YAML: out, Name: s.name, Site: s.site, Mode: s.mode, Settings: l.Settings, Start: s.start,
		Lines: l.Lines, Events: s.events, Unknown: s.unknown, Formats: l.Formats, Failing: failing,
		LogFailed: s.endsFailed(), Failures: s.failures, Cannot: s.cannot, Reordered: l.Reordered}
	res.Reproduced = s.endsFailed() == (len(failing) > 0)
	return res, nil
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

// keepUnknown keeps the unknown entries up to maxUnknownKept bytes of text and leaves out the rest,
// saying how many and from which line on; every event entry is kept.
func keepUnknown(entries []Entry) ([]Entry, dropped) {
	var d dropped
	kept, size := entries[:0:0], 0
	for _, e := range entries {
		if !known(e) {
			if size += min(len(e.Message), 300) + unknownOverhead; size > maxUnknownKept {
				if d.count == 0 {
					d.first = e.Line
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

// finish adds what the whole log decides: the callers' calls, the foreground syncs no action
// causes, and fault windows held open when the log shows no success after its failure.
func (s *story) finish() {
	s.playCalls()
	for _, f := range s.foreground {
		caused := slices.ContainsFunc(s.syncCauses, func(c time.Duration) bool { return c <= f.at && f.at-c <= coveredBy })
		if caused {
			continue
		}
		at := max(f.at-10*time.Millisecond, 0)
		s.act(fmt.Sprintf("%s (line %d) %s in a foreground sync the log shows without its cause (no background line before it): an admin_sync stands for its caller",
			duration(f.at), f.line, f.why), at, "admin_sync: {count: 1}")
		s.syncCauses = append(s.syncCauses, at)
	}
	s.hold()
	if len(s.profile) > 0 || len(s.scripted) > 0 {
		s.faultsEnd = max(s.faultsEnd, time.Second)
	}
}

// hold keeps the windows of the log's last failures open past the sync the model's host makes on
// its own (the background sync 30 s after the last host start, SYNC-8) when the log shows no
// success after them: the log's failure stands, so the model's next sync must not repair what the
// log never saw repaired.
func (s *story) hold() {
	if !s.failed || s.succeeded && s.lastSuccess > s.lastFailure {
		return
	}
	var lastStart time.Duration
	for _, at := range s.hostStart {
		lastStart = max(lastStart, at)
	}
	until := (lastStart + backgroundDelay + 2*time.Second).Truncate(time.Second) + time.Second
	for i := range s.profile {
		f := &s.profile[i]
		if !f.holdable || f.until >= until {
			continue
		}
		f.until = until
		f.comment += fmt.Sprintf("; held to %s: the log shows no success after it, so the background sync the model's host makes 30 s after its start at %s (SYNC-8) falls in it too",
			duration(until), duration(lastStart))
		s.faultsEnd = max(s.faultsEnd, until)
	}
}

// failures runs the story once (seed 1, expectations ignored) and returns the verdicts.
func failures(s *story, mode host.Mode) ([]check.Verdict, error) {
	draft := s.render(nil)
	sc, err := scenarios.Parse(s.name+".yaml", draft)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: the imported scenario does not load: %w", s.file, ErrBadLog, err)
	}
	res, err := runner.RunOne(sc, mode, 1, runner.Options{Raw: true})
	if err != nil {
		return nil, fmt.Errorf("%s: running the imported scenario: %w", s.file, err)
	}
	for _, v := range res.Verdicts {
		if v.Status == check.Inconclusive {
			return nil, fmt.Errorf("%s: %w: the imported scenario's run is inconclusive (%s: %s), so its expectations cannot be written (fix: shorten the log to the incident's lines, or raise budget.max_events and budget.max_time in a scenario written by hand)",
				s.file, ErrBadLog, v.ID, strings.Join(v.EvidenceText(), "; "))
		}
	}
	return res.Verdicts, nil
}

func failingIDs(verdicts []check.Verdict) []string {
	failing := []string{}
	for _, v := range verdicts {
		if v.Status == check.Fail {
			failing = append(failing, v.ID)
		}
	}
	return failing
}

// maxEvidence bounds the evidence a failing property quotes in the comment block.
const maxEvidence = 200

// explain says, in the comment block, why each property fails (the run's first evidence and the
// log's failures), or that the run does not fail the way the log did and which part of the story
// the model cannot tell.
func (s *story) explain(verdicts []check.Verdict) {
	var failing []check.Verdict
	for _, v := range verdicts {
		if v.Status == check.Fail {
			failing = append(failing, v)
		}
	}
	for _, v := range failing {
		ev := "no evidence recorded"
		if t := v.EvidenceText(); len(t) > 0 {
			ev = oneLine(t[0])
			if len(ev) > maxEvidence {
				ev = ev[:maxEvidence] + "..."
			}
		}
		s.why = append(s.why, fmt.Sprintf("%s (%s) fails: %s", v.ID, v.Name, ev))
	}
	switch {
	case s.endsFailed() && len(failing) > 0:
		s.why = append(s.why, "the log fails the same way: "+strings.Join(s.failures, "; "))
	case s.failed && !s.endsFailed() && len(failing) == 0:
		s.why = append(s.why, "the log's failures ("+strings.Join(s.failures, "; ")+") are followed by a success at "+duration(s.lastSuccess)+", and the run recovers too")
	case s.failed && !s.endsFailed():
		s.cannot = append(s.cannot, "the log recovers after its failures ("+strings.Join(s.failures, "; ")+"), but the run does not: the model's next sync falls in a fault window the log does not bound")
	case s.failed && s.onlyLeases():
		s.cannot = append(s.cannot, "the run fails no property although the log shows the primary lease lost ("+strings.Join(s.failures, "; ")+
			"): a lost lease alone breaks no property the model judges (another instance, or the same one 5 s later, takes the lease and runs the background sync), and the log does not show what the loss broke")
	case s.failed:
		s.cannot = append(s.cannot, "the run fails no property although the log fails ("+strings.Join(s.failures, "; ")+
			"): the model recovers where the log does not say what happened next, or the failure is one no property judges")
	case len(failing) > 0:
		s.cannot = append(s.cannot, "the log shows no failure but the run fails: the log does not show what the platform held before it, and the model starts with an empty store")
	}
}

// onlyLeases says whether every failure the log shows is a lost primary lease.
func (s *story) onlyLeases() bool {
	for _, f := range s.failures {
		if !strings.Contains(f, "the primary lease is lost") {
			return false
		}
	}
	return len(s.failures) > 0
}

// unplaced counts the lines the reader skipped for another reason than being blank or a comment
// (lines in no known format), and names the first.
func unplaced(skipped []logs.Skip) (n, first int) {
	for _, k := range skipped {
		if k.Reason == "blank" || k.Reason == "comment" {
			continue
		}
		if n == 0 {
			first = k.Line
		}
		n++
	}
	return n, first
}
