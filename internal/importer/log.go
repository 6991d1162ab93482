package importer

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// kind is what a log line says happened.
type kind int

const (
	unknown kind = iota
	deployCompleted
	hostStarted
	backgroundStart
	hashChecked
	notifyPlatform
	meshRequest
	meshResponse
	hashUpdated
	instanceDeleted
	fetchFailed
	fetchAbandoned
	keyUpdated
	frontEndRequest
	frontEndSucceeded
	frontEndFailed
	noted // a known host text that changes nothing in the scenario
)

// entry is one line of the log.
type entry struct {
	n        int // line number, from 1
	text     string
	at       time.Time
	instance string
	level    string
	msg      string
	kind     kind
	// args are the values the line's pattern captured, in pattern order.
	args []string
	// note describes a noted line.
	note string
	// badTime is set when the line has the event shape but its time is not RFC 3339.
	badTime string
}

// pattern recognises one host (or platform) text.
type pattern struct {
	kind kind
	re   *regexp.Regexp
	note string
}

// patterns are the texts of reference/azure-functions-sync-triggers.md 7.5 and the platform's lines
// of the sample logs.
var patterns = []pattern{
	{kind: deployCompleted, re: regexp.MustCompile(`^Deployment completed \(Site=([^,)]*)\)\.?$`)},
	{kind: hostStarted, re: regexp.MustCompile(`^Host started \((.*)\)\.?$`)},
	{kind: backgroundStart, re: regexp.MustCompile(`^Initiating background SyncTriggers operation\.?$`)},
	{kind: hashChecked, re: regexp.MustCompile(`^SyncTriggers hash \(Last='([^']*)', Current='([^']*)'\)\.?$`)},
	{kind: notifyPlatform, re: regexp.MustCompile(`^(Performing platform triggers changed notification|Posting triggers changed notification to appserver)\.?$`)},
	{kind: meshRequest, re: regexp.MustCompile(`^Sending mesh request (\S+)$`)},
	{kind: meshResponse, re: regexp.MustCompile(`^Mesh response (\S+)$`)},
	{kind: hashUpdated, re: regexp.MustCompile(`^SyncTriggers hash updated to '([^']*)'\.?$`)},
	{kind: instanceDeleted, re: regexp.MustCompile(`^Instance deleted\b(.*)$`)},
	{kind: fetchFailed, re: regexp.MustCompile(`^GET /admin/host/triggers failed \(StatusCode=([^)]*)\)`)},
	{kind: fetchAbandoned, re: regexp.MustCompile(`^GET /admin/host/triggers abandoned after (\d+) ?s\b`)},
	{kind: keyUpdated, re: regexp.MustCompile(`^(Host|System) key '([A-Za-z0-9_-][A-Za-z0-9._-]*)' (?:updated|created)\.?$`)},
	{kind: keyUpdated, re: regexp.MustCompile(`^(Master) key (?:updated|created)\.?$`)},
	{kind: frontEndRequest, re: regexp.MustCompile(`^Making SyncTriggers request \(`)},
	{kind: frontEndSucceeded, re: regexp.MustCompile(`^SyncTriggers call succeeded\.?$`)},
	{kind: frontEndFailed, re: regexp.MustCompile(`^SyncTriggers call failed \(StatusCode=([^)]*)\)\.?$`)},
	{kind: noted, re: regexp.MustCompile(`^No functions found\. Skipping Sync operation\.?$`), note: "no functions: the background sync skips (SYNC-4)"},
	{kind: noted, re: regexp.MustCompile(`^Error checking SyncTriggers hash`), note: "hash read error: counted as unchanged, the sync skips (SYNC-5)"},
	{kind: noted, re: regexp.MustCompile(`^Error updating SyncTriggers hash`), note: "hash write error, swallowed (SYNC-6)"},
	{kind: noted, re: regexp.MustCompile(`^Invalid environment for SyncTriggers operation\.?$`), note: "the environment gate refuses the sync (SYNC-1)"},
	{kind: noted, re: regexp.MustCompile(`^SyncTriggers operation failed\.?$`), note: "the sync failed with an exception (SYNC-7)"},
	{kind: noted, re: regexp.MustCompile(`^Failed to notify triggers changed\.?$`), note: "the mesh notification failed (SYNC-7)"},
}

// lineShape is `time instance level message`.
var lineShape = regexp.MustCompile(`^(\S+)\s+(\S+)\s+(\S+)\s+(.+)$`)

// Limits on what Import reads (Options): the log's size, a line's length, and the lines kept.
const (
	// DefaultMaxBytes: a day of a busy host's sync lines is a few MB.
	DefaultMaxBytes = 64 << 20
	// DefaultMaxLineBytes: the longest host text the patterns know is under 1 KB.
	DefaultMaxLineBytes = 1 << 20
	// DefaultMaxLines bounds the lines kept (events and unknown lines), each an entry and a comment
	// of the scenario.
	DefaultMaxLines = 20_000
	// DefaultMaxEvents bounds the event lines. A deploy, a key rotation or an instance's start or
	// deletion becomes a timeline action, and the run's cost grows with the square of their number
	// (each deploy adds a function to every later payload): 1,000 deploys import in about 7 s, 3,000
	// in about a minute.
	DefaultMaxEvents = 2_000
)

// Options change how Import reads a log. The zero value is the defaults.
type Options struct {
	// MaxBytes bounds the log's size (`--max-log-bytes`).
	MaxBytes int64
	// MaxLineBytes bounds one line's length (`--max-log-line-bytes`).
	MaxLineBytes int
	// MaxLines bounds the lines kept: every line but blank and comment lines (`--max-log-lines`).
	MaxLines int
	// MaxEvents bounds the lines that carry a known event (`--max-log-events`).
	MaxEvents int
	// AllowOutOfOrder sorts the lines stably by time, and says so in the scenario, instead of refusing
	// a log whose times go backwards (`--allow-out-of-order`).
	AllowOutOfOrder bool
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

// errTooBig is what the reader under the scanner returns past MaxBytes.
var errTooBig = errors.New("importer: log over the byte limit")

// cappedReader fails once more than max bytes have been read, so that a stream of unknown size is
// refused at the limit rather than read to its end.
type cappedReader struct {
	r   io.Reader
	max int64
	n   int64
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.n > c.max {
		return 0, errTooBig
	}
	if room := c.max + 1 - c.n; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n > c.max {
		return n, errTooBig
	}
	return n, err
}

// readLog reads every line of r within o's limits, as a stream: memory is bounded by the longest
// line and the lines kept. Errors name the log and, for a line, its number.
func readLog(name string, r io.Reader, o Options) (entries []entry, lines int, err error) {
	sc := bufio.NewScanner(&cappedReader{r: r, max: o.MaxBytes})
	// Room for the line, a "\r" and the "\n" the scanner must see to end it.
	sc.Buffer(make([]byte, 0, min(64*1024, o.MaxLineBytes+2)), o.MaxLineBytes+2)
	events := 0
	for sc.Scan() {
		lines++
		text := strings.TrimRight(sc.Text(), "\r")
		if len(text) > o.MaxLineBytes {
			return nil, lines, overLine(name, lines, o)
		}
		trimmed := strings.TrimSpace(text)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if len(entries) == o.MaxLines {
			return nil, lines, fmt.Errorf("%s:%d: %w: more than %d lines to keep (events and unknown lines) (fix: raise the limit with --max-log-lines, or cut the log to the incident)",
				name, lines, ErrLimit, o.MaxLines)
		}
		e := parseLine(lines, text)
		if e.kind != unknown {
			if events++; events > o.MaxEvents {
				return nil, lines, fmt.Errorf("%s:%d: %w: more than %d event lines (fix: raise the limit with --max-log-events, or cut the log to the incident)",
					name, lines, ErrLimit, o.MaxEvents)
			}
		}
		entries = append(entries, e)
	}
	switch err := sc.Err(); {
	case err == nil:
		return entries, lines, nil
	case errors.Is(err, bufio.ErrTooLong):
		return nil, lines, overLine(name, lines+1, o)
	case errors.Is(err, errTooBig):
		// The scanner hands over the partial line it holds on an error, so lines counts the line
		// that holds the first byte over the limit.
		return nil, lines, fmt.Errorf("%s:%d: %w: the log is over the limit of %d bytes from this line on (fix: raise it with --max-log-bytes, or cut the log to the incident)",
			name, lines, ErrLimit, o.MaxBytes)
	default:
		return nil, lines, fmt.Errorf("%s: cannot read the log: %w", name, err)
	}
}

func overLine(name string, n int, o Options) error {
	return fmt.Errorf("%s:%d: %w: the line is longer than the limit of %d bytes (fix: raise it with --max-log-line-bytes, or remove the line)",
		name, n, ErrLimit, o.MaxLineBytes)
}

// outOfOrder describes one line whose time is earlier than the timed line before it.
type outOfOrder struct {
	line, prev int
	at, prevAt time.Time
}

// order finds the lines whose time is earlier than the previous timed line's. Lines without a readable
// time (unknown lines of another shape) have no place in time and are skipped.
func order(entries []entry) []outOfOrder {
	var out []outOfOrder
	var prev *entry
	for i := range entries {
		e := &entries[i]
		if e.at.IsZero() {
			continue
		}
		if prev != nil && e.at.Before(prev.at) {
			out = append(out, outOfOrder{line: e.n, prev: prev.n, at: e.at, prevAt: prev.at})
		}
		prev = e
	}
	return out
}

// sortByTime sorts the entries stably by time; a line without a time keeps its place after the timed
// line before it.
func sortByTime(entries []entry) {
	keys := make(map[int]time.Time, len(entries))
	var last time.Time
	for _, e := range entries {
		if !e.at.IsZero() {
			last = e.at
		}
		keys[e.n] = last
	}
	slices.SortStableFunc(entries, func(a, b entry) int { return keys[a.n].Compare(keys[b.n]) })
}

func stamp(t time.Time) string { return t.Format(time.RFC3339Nano) }

// parseLine classifies one line; a line of another shape, or with an unreadable time, is unknown.
func parseLine(n int, text string) entry {
	e := entry{n: n, text: text}
	m := lineShape.FindStringSubmatch(strings.TrimSpace(text))
	if m == nil {
		return e
	}
	at, err := time.Parse(time.RFC3339Nano, m[1])
	if err != nil {
		e.badTime = m[1]
		return e
	}
	e.at, e.instance, e.level, e.msg = at.UTC(), m[2], m[3], strings.TrimSpace(m[4])
	for _, p := range patterns {
		if args := p.re.FindStringSubmatch(e.msg); args != nil {
			e.kind, e.args, e.note = p.kind, args[1:], p.note
			break
		}
	}
	return e
}

// hostStart is what a `Host started (...)` line states.
type hostStart struct {
	site, hostID, mode string
}

// parseHostStart reads `Site=..., HostId=..., SyncTriggersMode=...` in any order.
func parseHostStart(args string) hostStart {
	var h hostStart
	for _, part := range strings.Split(args, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "site":
			h.site = strings.TrimSpace(v)
		case "hostid":
			h.hostID = strings.TrimSpace(v)
		case "synctriggersmode":
			h.mode = strings.TrimSpace(v)
		}
	}
	return h
}

// modeName maps a SyncTriggersMode value to the simulator's mode name.
func modeName(v string) (string, bool) {
	norm := strings.NewReplacer("-", "", "_", "", " ", "").Replace(strings.ToLower(v))
	switch norm {
	case "frontend", "legacy":
		return "frontend", true
	case "platform", "signal", "signalreplace":
		return "platform", true
	case "additive":
		return "additive", true
	case "signalall":
		return "signal-all", true
	case "platformack":
		return "platform-ack", true
	}
	return "", false
}

// statusNames are the .NET HttpStatusCode names hosts log.
var statusNames = map[string]int{
	"OK": 200, "Created": 201, "Accepted": 202, "NoContent": 204, "BadRequest": 400, "Unauthorized": 401,
	"Forbidden": 403, "NotFound": 404, "Conflict": 409, "TooManyRequests": 429, "InternalServerError": 500,
	"BadGateway": 502, "ServiceUnavailable": 503, "GatewayTimeout": 504,
}

// statusCode reads a status as a name (`ServiceUnavailable`) or a number (`503`).
func statusCode(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil && n >= 100 && n <= 599 {
		return n, true
	}
	n, ok := statusNames[s]
	return n, ok
}

// where names a line in messages.
func (e entry) where(file string) string { return fmt.Sprintf("%s:%d", file, e.n) }

// short cuts a hash to the 12 characters the README's evidence shows.
func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
