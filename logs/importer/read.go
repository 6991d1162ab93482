package importer

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/syncsim/syncsim/logs"
	"github.com/syncsim/syncsim/trace"
)

// Limits on what Import reads (Options): the log's size, a line's length, the entries kept and the
// entries that carry a known event.
const (
	// DefaultMaxBytes: a day of a busy host's sync lines is a few MB.
	DefaultMaxBytes = 64 << 20
	// DefaultMaxLineBytes: the longest host text the catalogue knows is under 1 KB; a request's
	// content runs to the payload's 204,800 characters.
	DefaultMaxLineBytes = 1 << 20
	// DefaultMaxLines bounds the entries kept (events and unknown lines), each an entry and a
	// comment of the scenario.
	DefaultMaxLines = 20_000
	// DefaultMaxEvents bounds the entries that carry a known event. A deploy, a key rotation or an
	// instance's start or deletion becomes a timeline action, and the run's cost grows with the
	// square of their number (each deploy adds a function to every later payload): 1,000 deploys
	// import in about 7 s, 3,000 in about a minute.
	DefaultMaxEvents = 2_000
)

// DefaultSpacing is how far apart Import places the entries of a log that carry no time (a message
// pasted alone into an issue): the caller's retries of Core Tools are 5 s apart when nothing says
// otherwise (RetryHelper's delay), so the same spacing keeps a retried call's story.
const DefaultSpacing = 5 * time.Second

// Options change how Import and Read read a log. The zero value detects the format, infers the site
// and the mode, and uses the default limits.
type Options struct {
	// Format forces one format (`--format`); "" detects it per line.
	Format logs.Format
	// Mode is the sync mode (`--mode`, host.ParseMode's names); "" infers it from the log (a Site
	// settings line, the host's notification lines), else frontend, what shipped.
	Mode string
	// Site names the site (`--site`); "" infers it (Site settings, Starting Host's HostId, a
	// request URI), else DefaultSite.
	Site string
	// Instance names the instance of the host lines that name none (`--instance`); "" takes the one
	// instance the log names, else DefaultInstance.
	Instance string
	// Year and Date supply what times without them lack (`--year`, `--date`).
	Year int
	Date time.Time
	// MaxBytes bounds the log's size (`--max-log-bytes`).
	MaxBytes int64
	// MaxLineBytes bounds one line's length (`--max-log-line-bytes`).
	MaxLineBytes int
	// MaxLines bounds the entries kept: every line but blank and comment lines (`--max-log-lines`).
	MaxLines int
	// MaxEvents bounds the entries that carry a known event (`--max-log-events`).
	MaxEvents int
	// AllowOutOfOrder sorts the entries stably by time, and says so in the scenario, instead of
	// refusing a log whose times go backwards (`--allow-out-of-order`).
	AllowOutOfOrder bool
	// InLineOrder keeps the entries in line order whatever their times, neither refusing nor
	// sorting them: validate judges each line where the log has it.
	InLineOrder bool
}

func (o Options) withDefaults() Options {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxLineBytes <= 0 {
		o.MaxLineBytes = DefaultMaxLineBytes
	}
	if o.MaxLines <= 0 {
		o.MaxLines = DefaultMaxLines
	}
	if o.MaxEvents <= 0 {
		o.MaxEvents = DefaultMaxEvents
	}
	return o
}

// CheckSize refuses a log of size bytes over MaxBytes before it is read; name is for the message.
func (o Options) CheckSize(name string, size int64) error {
	o = o.withDefaults()
	if size > o.MaxBytes {
		return fmt.Errorf("%s: %w: the log is %d bytes, over the limit of %d bytes (fix: raise it with --max-log-bytes, or cut the log to the incident)",
			name, ErrLimit, size, o.MaxBytes)
	}
	return nil
}

// Entry is one entry of a log as import and validate read it: the reader's entry with the time
// the story places it at and the instance it belongs to.
type Entry struct {
	logs.Entry
	// At is the entry's time, or for an entry without one the time Read placed it at (Placed).
	At time.Time
	// Placed: the log gives no time for this entry; At is the previous entry's plus the spacing.
	Placed bool
	// Instance is the entry's instance: the one the line names, else Options.Instance, else the one
	// instance the log names, else DefaultInstance (host lines only; "" for other sides).
	Instance string
}

// Kind is the catalogue's kind of the entry.
func (e Entry) Kind() logs.Kind { return e.Event.Kind }

// Arg is one of the values the catalogue's template captured ("" when absent).
func (e Entry) Arg(name string) string { return e.Event.Args[name] }

// Log is a log as import and validate read it.
type Log struct {
	// Name is the log's name, as given.
	Name string
	// Lines counts every line read.
	Lines int
	// Entries are in the log's order, or sorted by time with Options.AllowOutOfOrder.
	Entries []Entry
	// Skipped are the lines that are no entry (blank, comment, unplaced), with why.
	Skipped []logs.Skip
	// Formats counts the entries read in each format.
	Formats map[logs.Format]int
	// Notes say what the reader assumed, and the spacing of entries without a time.
	Notes []string
	// Reordered describes the entries out of order that were sorted (Options.AllowOutOfOrder).
	Reordered []string
	// Settings are what the log says, or the flags and defaults say, of the site, mode and
	// instances.
	Settings Settings
}

// Read reads a log with the catalogue's reader (logs.Read) within o's limits, places entries
// without a time, checks their order, and infers the site, mode and instances. It fails when r
// cannot be read, a limit is exceeded, no line is in a known format, or (without
// AllowOutOfOrder) a time goes backwards; errors name the log, the line and the fix.
func Read(name string, r io.Reader, o Options) (*Log, error) {
	o = o.withDefaults()
	seen := &contentSeen{r: r, start: true}
	raw, err := logs.Read(name, seen, logs.Options{Format: o.Format, Date: o.Date, Year: o.Year,
		MaxBytes: o.MaxBytes, MaxLineBytes: o.MaxLineBytes, MaxEntries: o.MaxLines})
	if err != nil {
		switch {
		case errors.Is(err, logs.ErrLimit):
			return nil, fmt.Errorf("%w (the flags: --max-log-bytes, --max-log-line-bytes, --max-log-lines)", err)
		case errors.Is(err, logs.ErrUnknownFormat) && !seen.content:
			return nil, fmt.Errorf("%s: %w: no entry, only comments or blank lines (fix: give the log's lines, in any format `simrun import --help` lists)", name, ErrEmpty)
		}
		return nil, err
	}
	l := &Log{Name: name, Lines: raw.Lines, Skipped: raw.Skipped, Formats: raw.Formats, Notes: raw.Notes}
	events := 0
	for _, e := range raw.Entries {
		if e.Event.Kind != logs.KindUnknown && e.Event.Kind != "" {
			if events++; events > o.MaxEvents {
				return nil, fmt.Errorf("%s:%d: %w: more than %d event lines (fix: raise the limit with --max-log-events, or cut the log to the incident)",
					name, e.Line, ErrLimit, o.MaxEvents)
			}
		}
		l.Entries = append(l.Entries, Entry{Entry: e, At: e.At})
	}
	if note := place(l.Entries); note != "" {
		l.Notes = append(l.Notes, note)
	}
	if err := l.order(o); err != nil {
		return nil, err
	}
	l.Settings = infer(l, o)
	for i := range l.Entries {
		l.Entries[i].Instance = l.Settings.instanceOf(l.Entries[i].Entry)
	}
	return l, nil
}

// place gives every entry without a time one: an entry before the first timed entry sits
// DefaultSpacing apart going back from it, one after a timed entry DefaultSpacing after the entry
// before it; in a log with no time at all the first entry is at the simulator's epoch. It says what
// it chose, or "" when every entry has its time.
func place(entries []Entry) string {
	first, untimed := -1, 0
	for i, e := range entries {
		if !e.Timed {
			untimed++
		} else if first < 0 {
			first = i
		}
	}
	if untimed == 0 {
		return ""
	}
	base := trace.Epoch
	if first >= 0 {
		base = entries[first].At.Add(-time.Duration(first) * DefaultSpacing)
	}
	prev := base.Add(-DefaultSpacing)
	for i := range entries {
		e := &entries[i]
		if e.Timed {
			prev = e.At
			continue
		}
		e.At, e.Placed = prev.Add(DefaultSpacing), true
		prev = e.At
	}
	if first < 0 {
		return fmt.Sprintf("the log gives no time: its %d entries are read in line order, %s apart from %s (the spacing the import chooses)",
			untimed, duration(DefaultSpacing), stamp(trace.Epoch))
	}
	return fmt.Sprintf("%d entries without a time are placed in line order, %s after the entry before them (the spacing the import chooses)",
		untimed, duration(DefaultSpacing))
}

// maxReorderedShown bounds the out-of-order lines the scenario's comment block lists.
const maxReorderedShown = 5

// order refuses a log whose times go backwards, naming both lines, or with o.AllowOutOfOrder sorts
// it stably by time and describes what moved. The story is told in line order (a deletion right
// after a hash write, the quiet stretches), so a line out of place would tell another story.
// Only entries whose time the log gives are compared.
func (l *Log) order(o Options) error {
	var back []outOfOrder
	var prev *Entry
	for i := range l.Entries {
		e := &l.Entries[i]
		if !e.Timed {
			continue
		}
		if prev != nil && e.At.Before(prev.At) {
			back = append(back, outOfOrder{line: e.Line, prev: prev.Line, at: e.At, prevAt: prev.At})
		}
		prev = e
	}
	if len(back) == 0 || o.InLineOrder {
		return nil
	}
	if !o.AllowOutOfOrder {
		b := back[0]
		return fmt.Errorf("%s:%d: %w: its time %s is earlier than line %d's %s (fix: sort the log by time, or pass --allow-out-of-order to sort it stably and say so in the scenario)",
			l.Name, b.line, ErrOutOfOrder, stamp(b.at), b.prev, stamp(b.prevAt))
	}
	for i, b := range back {
		if i == maxReorderedShown {
			l.Reordered = append(l.Reordered, fmt.Sprintf("and %d more line(s)", len(back)-i))
			break
		}
		l.Reordered = append(l.Reordered, fmt.Sprintf("line %d (%s) is earlier than line %d (%s)", b.line, stamp(b.at), b.prev, stamp(b.prevAt)))
	}
	slices.SortStableFunc(l.Entries, func(a, b Entry) int { return a.At.Compare(b.At) })
	return nil
}

// outOfOrder describes one entry whose time is earlier than the timed entry before it.
type outOfOrder struct {
	line, prev int
	at, prevAt time.Time
}

func stamp(t time.Time) string { return t.Format(time.RFC3339Nano) }

// short cuts a hash to the 12 characters the README's evidence shows.
func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// oneLine is an entry's message on one line, cut to a length a comment can hold.
func oneLine(msg string) string {
	s := strings.Join(strings.Fields(msg), " ")
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}

// contentSeen passes a log through and notes whether any line holds more than blanks or a `#`
// comment, so that an empty log is told from one in no known format.
type contentSeen struct {
	r       io.Reader
	start   bool // at the start of a line (only blanks so far)
	comment bool // the line so far is a comment
	content bool
}

func (c *contentSeen) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for _, b := range p[:n] {
		if c.content {
			break
		}
		switch {
		case b == '\n':
			c.start, c.comment = true, false
		case c.comment || b == ' ' || b == '\t' || b == '\r':
		case c.start && b == '#':
			c.comment = true
		default:
			c.content = true
		}
		if b != ' ' && b != '\t' && b != '\n' {
			c.start = false
		}
	}
	return n, err
}
