package validate

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/logs"
	"github.com/syncsim/syncsim/logs/importer"
)

// Sentinel errors; Validate wraps them with the log's name and the fix.
var (
	// ErrUnreadable: a log cannot be read (an I/O error, a limit exceeded, no line in a known
	// format).
	ErrUnreadable = errors.New("validate: unreadable log")
	// ErrEmpty: the host log has no entry.
	ErrEmpty = errors.New("validate: empty log")
	// ErrBadMode: --mode, or the mode a Site settings line names, is no mode.
	ErrBadMode = errors.New("validate: unknown mode")
)

// Source is one log to read: the host log first, then optional platform (mesh, front end) logs,
// merged with it by time.
type Source struct {
	Name string
	R    io.Reader
}

// Options configures a validation.
type Options struct {
	// Mode is the sync mode to validate against (host.ParseMode names); "" takes the mode the log
	// shows (a Site settings line, the host's notification lines), else frontend, what shipped.
	Mode string
	// Read is how every log is read, as for `simrun import`: --format, --site, --instance, --year,
	// --date and the limits (zero fields take the importer's defaults).
	Read importer.Options
}

// Verdict is the outcome of a validation.
type Verdict string

// The verdicts.
const (
	// Explained: at least one sync step was explained and no line failed.
	Explained Verdict = "explained"
	// Failed: a line is a step the model cannot take.
	Failed Verdict = "failed"
	// Inconclusive: nothing in the log is a sync step the model can judge.
	Inconclusive Verdict = "inconclusive"
)

// The reasons an entry is skipped, not judged.
const (
	// SkipNoTime: a host line without a time (the model's timers cannot place it).
	SkipNoTime = "no time"
	// SkipUnknown: a message the catalogue does not know.
	SkipUnknown = "unknown message"
	// SkipCategory: an unknown message of a logger no sync writes (a function's, a worker's).
	SkipCategory = "other category"
	// SkipNotAStep: a known line the model has no step for (start-up detail, a stray exception).
	SkipNotAStep = "no model step"
	// SkipCallerAnswer: a caller's answer MSG-4 never gives (ARM's 400 or 429, passed on from the
	// front end).
	SkipCallerAnswer = "caller side: not MSG-4's answer"
	// SkipFrontEnd: a line of the front end's own log.
	SkipFrontEnd = "front end's line"
	// SkipBeforeSpan: in an excerpt, a line of a step whose start the excerpt does not show.
	SkipBeforeSpan = "before its sync's start"
	// SkipNotReached: a line after the first the model cannot explain.
	SkipNotReached = "after the failure"
)

// Result is the outcome of a validation.
type Result struct {
	// Mode is the mode validated against; ModeFrom says where it comes from (a flag, FILE:LINE, or
	// the default).
	Mode, ModeFrom string
	// Lines counts every line read (all sources); Entries the entries (a continued message counts
	// once); Explained the entries the model explained; SyncSteps those that are steps of a sync
	// (a sync's lines, a caller's call of MSG-4).
	Lines, Entries, Explained, SyncSteps int
	// Skipped counts the entries not judged, by reason; SkippedLines names the first of each
	// (FILE:LINE), at most maxListed in all.
	Skipped      map[string]int
	SkippedLines []string
	// ContentChanges counts content changes the log implies but does not show (a host start whose
	// payload hash is new without a deploy before it).
	ContentChanges int
	// Verdict is Explained, Failed or Inconclusive; Failure is the first line the model cannot
	// explain (Failed only).
	Verdict Verdict
	Failure *Failure
}

// OK reports whether the log was explained: a sync step at least, and no failure.
func (r *Result) OK() bool { return r.Verdict == Explained }

// SkippedCount is the number of entries skipped, for every reason.
func (r *Result) SkippedCount() int {
	n := 0
	for _, c := range r.Skipped {
		n += c
	}
	return n
}

// Summary is `explained N of M lines; skipped K (by reason: no time 2, unknown message 3)`.
func (r *Result) Summary() string {
	var reasons []string
	for _, k := range sortedKeys(r.Skipped) {
		reasons = append(reasons, fmt.Sprintf("%s %d", k, r.Skipped[k]))
	}
	steps := "sync steps"
	if r.SyncSteps == 1 {
		steps = "sync step"
	}
	s := fmt.Sprintf("explained %d of %d lines (%d %s); skipped %d", r.Explained, r.Entries, r.SyncSteps, steps, r.SkippedCount())
	if len(reasons) > 0 {
		s += " (by reason: " + strings.Join(reasons, ", ") + ")"
	}
	return s
}

// Why says why a validation is inconclusive.
func (r *Result) Why() string {
	if r.Verdict != Inconclusive {
		return ""
	}
	if r.Explained > 0 {
		return "no line is a step of a sync the model can judge (the lines explained are starts, leases or the harness's)"
	}
	return "no line is a step the model can judge"
}

// Failure is a line the model cannot explain.
type Failure struct {
	File string
	Line int
	Text string
	// State describes the model's state before the line; Alternatives the steps it could take.
	State        string
	Alternatives []string
	// Why says what about the line disagrees with the model.
	Why string
}

// Error renders the failure as `LOG:LINE: <line>: the model cannot take this step from <state>;
// it could: <alternatives>`.
func (f *Failure) Error() string {
	alts := "nothing"
	if len(f.Alternatives) > 0 {
		alts = strings.Join(f.Alternatives, " | ")
	}
	why := ""
	if f.Why != "" {
		why = " (" + f.Why + ")"
	}
	return fmt.Sprintf("%s:%d: %s: the model cannot take this step from %s%s; it could: %s",
		f.File, f.Line, strings.TrimSpace(f.Text), f.State, why, alts)
}

// maxListed bounds the skipped lines a Result names.
const maxListed = 20

// line is one entry with the file it came from.
type line struct {
	importer.Entry
	file string
	src  int
}

// text renders the entry as its log shows it, on one line: time, instance, level, message.
func (l line) text() string {
	msg := l.Message
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i] + " ..."
	}
	at := "(no time)"
	if !l.Placed {
		at = stamp(l.At)
	}
	who := l.Instance
	if who == "" {
		who = "-"
	}
	return strings.TrimSpace(at + " " + who + " " + l.Level + " " + msg)
}

// Validate reads the logs and checks them against the model. An unreadable or empty host log, or an
// unknown mode, is an error; a line the model cannot explain is a Result with a Failure.
func Validate(opts Options, srcs ...Source) (*Result, error) {
	if len(srcs) == 0 {
		return nil, fmt.Errorf("%w: no log given (fix: name the host log)", ErrEmpty)
	}
	ro := opts.Read
	ro.Mode, ro.InLineOrder = opts.Mode, true
	if opts.Mode != "" {
		if _, err := host.ParseMode(opts.Mode); err != nil {
			return nil, fmt.Errorf("%w: %w (fix: --mode %s)", ErrBadMode, err, strings.Join(host.ModeNames(), "|"))
		}
	}
	res := &Result{Skipped: map[string]int{}}
	var all [][]line
	var settings importer.Settings
	for i, s := range srcs {
		l, err := importer.Read(s.Name, s.R, ro)
		if err != nil {
			if errors.Is(err, importer.ErrEmpty) && i == 0 {
				return nil, fmt.Errorf("%w: %w", ErrEmpty, err)
			}
			return nil, fmt.Errorf("%w: %w", ErrUnreadable, err)
		}
		res.Lines += l.Lines
		if i == 0 {
			settings = l.Settings
		}
		tagged := make([]line, len(l.Entries))
		for j, e := range l.Entries {
			tagged[j] = line{Entry: e, file: s.Name, src: i}
		}
		all = append(all, tagged)
	}
	merged := merge(all)
	res.Entries = len(merged)
	mode, err := host.ParseMode(settings.Mode.Value)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %q (%s): %w (fix: --mode %s)", srcs[0].Name, ErrBadMode, settings.Mode.Value, settings.Mode.From, err, strings.Join(host.ModeNames(), "|"))
	}
	res.Mode, res.ModeFrom = mode.String(), settings.Mode.From
	c := newChecker(mode, merged, settings)
	for i, l := range merged {
		if res.Failure != nil {
			res.skip(l, SkipNotReached)
			continue
		}
		if why := c.skipReason(l); why != "" {
			res.skip(l, why)
			continue
		}
		out := c.step(i, l)
		switch {
		case out.failure != nil:
			res.Failure = out.failure
		case out.skip != "":
			res.skip(l, out.skip)
		default:
			res.Explained++
			if out.sync {
				res.SyncSteps++
			}
		}
	}
	res.ContentChanges = c.contentChanges
	switch {
	case res.Failure != nil:
		res.Verdict = Failed
	case res.SyncSteps > 0:
		res.Verdict = Explained
	default:
		res.Verdict = Inconclusive
	}
	return res, nil
}

func (r *Result) skip(l line, why string) {
	if r.Skipped[why] == 0 && len(r.SkippedLines) < maxListed {
		r.SkippedLines = append(r.SkippedLines, fmt.Sprintf("%s:%d (%s)", l.file, l.Line, why))
	}
	r.Skipped[why]++
}

// merge interleaves the sources by time, the host log first on ties; an entry without a time keeps
// its place after the entry before it in its own file.
func merge(all [][]line) []line {
	var out []line
	pos := make([]int, len(all))
	last := make([]time.Time, len(all))
	at := func(i int) time.Time {
		if l := all[i][pos[i]]; !l.Placed {
			return l.At
		}
		return last[i]
	}
	for {
		best := -1
		for i := range all {
			if pos[i] < len(all[i]) && (best < 0 || at(i).Before(at(best))) {
				best = i
			}
		}
		if best < 0 {
			return out
		}
		l := all[best][pos[best]]
		last[best] = at(best)
		pos[best]++
		out = append(out, l)
	}
}

// syncCategories are the categories of the lines of a sync: the sync manager's, the mesh client's,
// the background service's and the start-up logger's.
var syncCategories = []string{"Host.General", "Host.Startup", "Microsoft.Azure.WebJobs.Script.WebHost.Management.",
	"Microsoft.Azure.WebJobs.Host", "Syncsim."}

// skipReason says why the checker does not judge a line ("" when it does).
func (c *checker) skipReason(l line) string {
	k := l.Kind()
	switch {
	case k == logs.KindUnknown || k == "":
		if l.Category != "" && !slices.ContainsFunc(syncCategories, func(p string) bool { return strings.HasPrefix(l.Category, p) }) {
			return SkipCategory
		}
		return SkipUnknown
	case l.Event.Side == logs.SideCaller:
		return ""
	case strings.EqualFold(l.Instance, partyFrontEnd):
		return SkipFrontEnd
	case l.Placed:
		return SkipNoTime
	}
	return ""
}
