package validate

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/importer"
)

// Sentinel errors; Validate wraps them with the log's name and the fix.
var (
	// ErrUnreadable: a log cannot be read (an I/O error, or a line over the importer's limit).
	ErrUnreadable = errors.New("validate: unreadable log")
	// ErrEmpty: the host log has no event line.
	ErrEmpty = errors.New("validate: empty log")
	// ErrBadMode: --mode, or the first host start's SyncTriggersMode, names no mode.
	ErrBadMode = errors.New("validate: unknown mode")
)

// Source is one log to read: the host log first, then optional platform (mesh, front end) logs in
// the same format, merged with it by time.
type Source struct {
	Name string
	R    io.Reader
}

// Options configures a validation.
type Options struct {
	// Mode is the sync mode to validate against (host.ParseMode names); "" takes the first host
	// start line's SyncTriggersMode, else frontend.
	Mode string
	// Limits bound every log read, as for `simrun import` (zero fields take the importer's defaults).
	Limits importer.Options
}

// Result is the outcome of a validation.
type Result struct {
	// Mode is the mode validated against.
	Mode string
	// Lines counts every line read (all sources); Steps the lines the model explained; Unknown the
	// lines the parser does not recognise (reported, not failed); Other the recognised lines of
	// parties the model does not check (the front end's).
	Lines, Steps, Unknown, Other int
	// UnknownLines names the first unknown lines (FILE:LINE), at most maxListed.
	UnknownLines []string
	// ContentChanges counts content changes the log implies but does not show (a host start whose
	// payload hash is new without a Deployment completed line before it).
	ContentChanges int
	// Failure is the first line the model cannot explain; nil when every line is explained.
	Failure *Failure
}

// OK reports whether every line was explained.
func (r *Result) OK() bool { return r.Failure == nil }

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

// maxListed bounds the unknown lines a Result names.
const maxListed = 20

// line is one parsed line with the file it came from.
type line struct {
	importer.Line
	file string
	src  int
}

// Validate reads the logs and checks them against the model. An unreadable or empty host log, or an
// unknown mode, is an error; a line the model cannot explain is a Result with a Failure.
func Validate(opts Options, srcs ...Source) (*Result, error) {
	if len(srcs) == 0 {
		return nil, fmt.Errorf("%w: no log given (fix: name the host log)", ErrEmpty)
	}
	res := &Result{}
	var all [][]line
	for i, s := range srcs {
		ls, n, err := importer.ReadLines(s.Name, s.R, opts.Limits)
		res.Lines += n
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrUnreadable, err)
		}
		if i == 0 && len(ls) == 0 {
			return nil, fmt.Errorf("%s: %w: no event line, only comments or blank lines (fix: give the log's lines as `RFC3339-time instance level message`)", s.Name, ErrEmpty)
		}
		tagged := make([]line, len(ls))
		for j, l := range ls {
			tagged[j] = line{Line: l, file: s.Name, src: i}
		}
		all = append(all, tagged)
	}
	merged := merge(all)
	mode, err := pickMode(opts.Mode, merged, srcs[0].Name)
	if err != nil {
		return nil, err
	}
	res.Mode = mode.String()
	c := newChecker(mode, merged)
	for i, l := range merged {
		switch {
		case l.Kind == importer.KindUnknown && leaseAcquired.MatchString(l.Msg):
			// The one host text the importer has no use for but the model checks: the primary lease.
		case l.Kind == importer.KindUnknown:
			res.Unknown++
			if len(res.UnknownLines) < maxListed {
				res.UnknownLines = append(res.UnknownLines, fmt.Sprintf("%s:%d", l.file, l.N))
			}
			continue
		case strings.EqualFold(l.Instance, partyFrontEnd):
			res.Other++
			continue
		}
		if f := c.step(i, l); f != nil {
			res.Failure = f
			break
		}
		res.Steps++
	}
	res.ContentChanges = c.contentChanges
	return res, nil
}

// merge interleaves the sources by time, the host log first on ties; a line without a readable
// time keeps its place after the line before it in its own file.
func merge(all [][]line) []line {
	var out []line
	pos := make([]int, len(all))
	last := make([]time.Time, len(all))
	at := func(i int) time.Time {
		if t := all[i][pos[i]].At; !t.IsZero() {
			return t
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

// pickMode is --mode, else the first host start's SyncTriggersMode, else frontend.
func pickMode(flag string, lines []line, file string) (host.Mode, error) {
	if flag != "" {
		m, err := host.ParseMode(flag)
		if err != nil {
			return 0, fmt.Errorf("%w: %w (fix: --mode %s)", ErrBadMode, err, strings.Join(host.ModeNames(), "|"))
		}
		return m, nil
	}
	for _, l := range lines {
		if l.Kind != importer.KindHostStarted {
			continue
		}
		v := importer.ParseHostStart(l.Args[0]).Mode
		if v == "" {
			break
		}
		name, ok := importer.ModeName(v)
		if !ok {
			return 0, fmt.Errorf("%s:%d: %w: SyncTriggersMode %q (fix: --mode %s)", l.file, l.N, ErrBadMode, v, strings.Join(host.ModeNames(), "|"))
		}
		return host.ParseMode(name)
	}
	return host.ModeFrontend, nil
}
