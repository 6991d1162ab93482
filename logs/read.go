package logs

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"time"
)

// The default limits of Options (zero fields take them).
const (
	DefaultMaxBytes     = 64 << 20
	DefaultMaxLineBytes = 1 << 20
	DefaultMaxEntries   = 1_000_000
)

func (o Options) withDefaults() Options {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxLineBytes <= 0 {
		o.MaxLineBytes = DefaultMaxLineBytes
	}
	if o.MaxEntries <= 0 {
		o.MaxEntries = DefaultMaxEntries
	}
	return o
}

// Read reads a log named name (for messages) from r. It reads at most o.MaxBytes (a longer stream
// is refused at the limit, before more memory is spent), places every line in a format detected from
// its content (or in o.Format), joins the lines that continue an entry (a multi-line JSON content, a
// stack trace) to it and classifies each entry with the catalogue. App Insights exports (CSV with a
// header row, JSON) are read as whole documents; every other format line by line, so one log may mix
// them. An error wraps ErrLimit (a limit is exceeded) or ErrUnknownFormat (no line could be placed),
// and names the log, the line and the fix.
func Read(name string, r io.Reader, o Options) (*Log, error) {
	o = o.withDefaults()
	if o.Format != "" {
		if _, err := ParseFormat(string(o.Format)); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	data, err := readBounded(name, r, o.MaxBytes)
	if err != nil {
		return nil, err
	}
	lines := splitLines(data)
	rd := &reader{name: name, o: o, lines: lines,
		log: &Log{Name: name, Lines: len(lines), Formats: map[Format]int{}}}
	if err := rd.read(); err != nil {
		return nil, err
	}
	rd.resolveTimes()
	for i := range rd.log.Entries {
		e := &rd.log.Entries[i]
		rd.log.Formats[e.Format]++
	}
	if len(rd.log.Entries) == 0 {
		return nil, rd.unknownFormat()
	}
	return rd.log, nil
}

// readBounded reads all of r, refusing a stream longer than max at the limit.
func readBounded(name string, r io.Reader, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("%s: logs: read: %w (fix: check that the file is readable)", name, err)
	}
	if int64(len(data)) > max {
		line := bytes.Count(data[:max], []byte{'\n'}) + 1
		return nil, fmt.Errorf("%s:%d: %w: the log is longer than %d bytes (fix: cut the log to the incident's window, or raise the byte limit)", name, line, ErrLimit, max)
	}
	return data, nil
}

// splitLines splits data into lines without their line ends (\n, \r\n), dropping a UTF-8 BOM.
func splitLines(data []byte) []string {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(data) == 0 {
		return nil
	}
	s := strings.TrimSuffix(string(data), "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

// reader is the state of one Read.
type reader struct {
	name  string
	o     Options
	lines []string
	log   *Log
	// cur is the index in log.Entries of the entry later lines may continue (-1: none).
	cur int
	// firstUnplaced is the first line no format placed (0: none).
	firstUnplaced int
	firstZoneless int
	kudu          kuduState
}

func (rd *reader) read() error {
	rd.cur = -1
	start := rd.firstContent()
	if start < len(rd.lines) {
		done, err := rd.readDocument(start)
		if done || err != nil {
			return err
		}
	}
	for i, line := range rd.lines {
		if err := rd.readLine(i+1, line); err != nil {
			return err
		}
	}
	rd.finishCurrent()
	return nil
}

// firstContent is the index of the first line that is neither blank nor a comment.
func (rd *reader) firstContent() int {
	for i, l := range rd.lines {
		if skip := skipReason(l); skip == "" {
			return i
		}
		if i < len(rd.lines) && len(l) > rd.o.MaxLineBytes {
			return i
		}
	}
	return len(rd.lines)
}

// readDocument reads the App Insights exports, which are whole documents starting at line start.
// done is false when the log is not one.
func (rd *reader) readDocument(start int) (done bool, err error) {
	f := rd.o.Format
	first := strings.TrimSpace(rd.lines[start])
	if (f == "" || f == FormatAppInsightsJSON) && (strings.HasPrefix(first, "[") || strings.HasPrefix(first, "{")) {
		ok, err := rd.readJSON(start)
		if ok || err != nil || f == FormatAppInsightsJSON {
			rd.skipLinesBefore(start)
			return true, err
		}
	}
	if f == "" || f == FormatAppInsightsCSV {
		if cols, ok := csvHeader(rd.lines[start]); ok {
			rd.skipLinesBefore(start)
			return true, rd.readCSV(start, cols)
		}
		if f == FormatAppInsightsCSV {
			rd.skipLinesBefore(start)
			rd.firstUnplaced = start + 1
			return true, nil
		}
	}
	return false, nil
}

// skipLinesBefore records the blank and comment lines above a document.
func (rd *reader) skipLinesBefore(start int) {
	for i := 0; i < start; i++ {
		rd.skip(i+1, skipReason(rd.lines[i]))
	}
}

// skipReason says why a line is no entry of its own ("" when it may be one): blank lines and `#`
// comments, except Azure Pipelines' `##[debug]` lines, which are the caller's.
func skipReason(line string) string {
	t := strings.TrimSpace(line)
	switch {
	case t == "":
		return "blank"
	case strings.HasPrefix(t, "#") && !strings.HasPrefix(t, "##["):
		return "comment"
	}
	return ""
}

func (rd *reader) skip(n int, reason string) {
	rd.log.Skipped = append(rd.log.Skipped, Skip{Line: n, Reason: reason})
}

func (rd *reader) readLine(n int, line string) error {
	if len(line) > rd.o.MaxLineBytes {
		return fmt.Errorf("%s:%d: %w: the line is longer than %d bytes (fix: cut the line, or raise the line limit)", rd.name, n, ErrLimit, rd.o.MaxLineBytes)
	}
	if reason := skipReason(line); reason != "" {
		if reason == "blank" && rd.cur >= 0 && rd.open() {
			rd.continueCurrent(n, line)
			return nil
		}
		rd.skip(n, reason)
		return nil
	}
	e, reason, ok := rd.place(line)
	switch {
	case ok && e.Timed:
	case rd.cur >= 0 && rd.continues(line):
		rd.continueCurrent(n, line)
		return nil
	case ok:
	case reason != "":
		rd.skip(n, reason)
		return nil
	default:
		if rd.firstUnplaced == 0 {
			rd.firstUnplaced = n
		}
		// Text that is nobody's ends the entry before it: an exception after it is its own.
		rd.finishCurrent()
		rd.skip(n, "unplaced: other text")
		return nil
	}
	return rd.add(n, e)
}

// add appends a new entry, ending the one before.
func (rd *reader) add(n int, e Entry) error {
	rd.finishCurrent()
	if len(rd.log.Entries) >= rd.o.MaxEntries {
		return fmt.Errorf("%s:%d: %w: more than %d entries (fix: cut the log to the incident's window, or raise the entry limit)", rd.name, n, ErrLimit, rd.o.MaxEntries)
	}
	e.Line, e.EndLine = n, n
	if e.Zoneless && rd.firstZoneless == 0 {
		rd.firstZoneless = n
	}
	rd.log.Entries = append(rd.log.Entries, e)
	rd.cur = len(rd.log.Entries) - 1
	return nil
}

func (rd *reader) continueCurrent(n int, line string) {
	e := &rd.log.Entries[rd.cur]
	if e.Message == "" {
		// The .NET console logger writes the message under its `info: Category[0]` line.
		e.Message = strings.TrimSpace(line)
	} else if e.Format == FormatSyncsim {
		e.Message += "\n" + strings.TrimPrefix(line, syncsimIndent)
	} else {
		e.Message += "\n" + line
	}
	e.EndLine = n
}

// finishCurrent classifies the current entry, now that no line continues it, and drops blank lines
// it took while its brackets were open and no later line closed them.
func (rd *reader) finishCurrent() {
	if rd.cur < 0 {
		return
	}
	e := &rd.log.Entries[rd.cur]
	trimmed := strings.TrimRight(e.Message, " \t\n")
	if drop := strings.Count(e.Message[len(trimmed):], "\n"); drop > 0 {
		for k := 0; k < drop; k++ {
			rd.skip(e.EndLine-drop+1+k, "blank")
		}
		e.EndLine -= drop
		e.Message = trimmed
	}
	if e.Event.Kind == "" {
		e.Event = Classify(e.Category, e.Level, e.Message)
	}
	rd.cur = -1
	rd.sortSkipped()
}

func (rd *reader) sortSkipped() {
	s := rd.log.Skipped
	if len(s) > 1 && s[len(s)-2].Line > s[len(s)-1].Line {
		sort.SliceStable(s, func(i, j int) bool { return s[i].Line < s[j].Line })
	}
}

// place reads one line in the forced format or in the first format that takes it. reason is set
// when a format recognised the line but makes no entry of it (Kudu's closing tags).
func (rd *reader) place(line string) (Entry, string, bool) {
	for _, f := range lineFormats {
		if rd.o.Format != "" && rd.o.Format != f.format {
			continue
		}
		e, reason, ok := f.parse(rd, line)
		if ok || reason != "" {
			e.Format = f.format
			return e, reason, ok
		}
	}
	return Entry{}, "", false
}

// lineFormat is a format read line by line, in the order detection tries them.
type lineFormat struct {
	format Format
	parse  func(rd *reader, line string) (Entry, string, bool)
}

var lineFormats = []lineFormat{
	{FormatFunctionLogs, parseFunctionLogs},
	{FormatSyncsim, parseSyncsim},
	{FormatLogStream, parseLogStream},
	{FormatCaller, parseCaller},
	{FormatPlain, parsePlain},
}

// open says whether the current entry's message has an unclosed `{` or `[` (a JSON content spread
// over lines), or is an exception whose text goes on.
func (rd *reader) open() bool {
	return bracketDepth(rd.log.Entries[rd.cur].Message) > 0
}

// continues says whether line continues the current entry rather than starting its own.
func (rd *reader) continues(line string) bool {
	cur := rd.log.Entries[rd.cur]
	if rd.open() || cur.Message == "" || cur.Format == FormatSyncsim && strings.HasPrefix(line, syncsimIndent) {
		return true
	}
	t := strings.TrimSpace(line)
	if strings.HasPrefix(t, "at ") && line != t || strings.HasPrefix(t, "--- ") || strings.HasPrefix(t, "---> ") ||
		strings.HasPrefix(t, "End of inner exception") || IsExceptionHead(t) {
		return true
	}
	msg := rd.log.Entries[rd.cur].Message
	if !inException(msg) {
		return false
	}
	// The text a storage exception carries under its head (Request Information, RequestId:,
	// Status: 403 (...), ErrorCode:, Content:, Headers:, the XML error body).
	return exceptionBody.MatchString(t) || line != t
}

// exceptionBody matches the lines a storage exception's text carries under its head.
var exceptionBody = regexp.MustCompile(`^(?:Request Information|RequestI[Dd]:|RequestDate:|StatusMessage:|ErrorCode:|ErrorMessage:|Time:|Status: |Content:|Headers:|<\?xml|<Error>|[A-Za-z][\w-]*: ?\S)`)

func inException(msg string) bool {
	return exceptionHead.MatchString(msg) || stackLine.MatchString(msg)
}

// bracketDepth counts the `{` and `[` of s not closed after them, outside quoted strings.
func bracketDepth(s string) int {
	depth, inStr := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inStr:
			if c == '\\' {
				i++
			} else if c == '"' || c == '\n' {
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			if depth > 0 {
				depth--
			}
		}
	}
	return depth
}

// unknownFormat is the error of a log no line of which could be placed.
func (rd *reader) unknownFormat() error {
	known := make([]string, 0, len(Formats()))
	for _, f := range Formats() {
		known = append(known, string(f))
	}
	in := "any known format"
	if rd.o.Format != "" {
		in = "format " + string(rd.o.Format)
	}
	n := rd.firstUnplaced
	if n == 0 {
		for i, l := range rd.lines {
			if skipReason(l) == "" {
				n = i + 1
				break
			}
		}
	}
	if n == 0 {
		return fmt.Errorf("%s:%d: %w: the log holds no line to read, only blank lines and comments (formats known: %s) (fix: pass the log itself)",
			rd.name, max(1, len(rd.lines)), ErrUnknownFormat, strings.Join(known, ", "))
	}
	return fmt.Errorf("%s:%d: %w: no line could be placed in %s; the first is %q (formats known: %s) (fix: pass --format with the log's format, or a log in one of them)",
		rd.name, n, ErrUnknownFormat, in, clip(rd.lines[n-1], 120), strings.Join(known, ", "))
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// resolveTimes gives dateless times a date and yearless times a year: Options' when set, else the
// first dated entry's, and notes what it assumed.
func (rd *reader) resolveTimes() {
	var ref time.Time
	refLine := 0
	for _, e := range rd.log.Entries {
		if e.Timed && !e.Dateless && e.At.Year() > 1 {
			ref, refLine = e.At, e.Line
			break
		}
	}
	if rd.firstZoneless > 0 {
		rd.note(fmt.Sprintf("times without a zone taken as UTC (first at line %d)", rd.firstZoneless))
	}
	date, dateFrom := rd.o.Date, "the date given"
	if date.IsZero() && refLine > 0 {
		date, dateFrom = ref, fmt.Sprintf("the date of line %d", refLine)
	}
	year, yearFrom := rd.o.Year, "the year given"
	if year == 0 && refLine > 0 {
		year, yearFrom = ref.Year(), fmt.Sprintf("the year of line %d", refLine)
	}
	var prev time.Time
	dateless, yearless := 0, 0
	for i := range rd.log.Entries {
		e := &rd.log.Entries[i]
		switch {
		case e.Dateless:
			if dateless == 0 {
				dateless = e.Line
			}
			if !date.IsZero() {
				d := date.UTC()
				t := time.Date(d.Year(), d.Month(), d.Day(), e.At.Hour(), e.At.Minute(), e.At.Second(), e.At.Nanosecond(), time.UTC)
				// A time earlier than the one before by more than half a day went past midnight.
				for !prev.IsZero() && prev.Sub(t) > 12*time.Hour {
					t = t.AddDate(0, 0, 1)
				}
				e.At = t
			}
			prev = e.At
		case e.Props[propYearless] != "":
			delete(e.Props, propYearless)
			if yearless == 0 {
				yearless = e.Line
			}
			if year != 0 {
				e.At = e.At.AddDate(year-e.At.Year(), 0, 0)
			}
		}
	}
	if dateless > 0 {
		if date.IsZero() {
			rd.note(fmt.Sprintf("times without a date (first at line %d) have no date: none was given and no line has one (pass --date)", dateless))
		} else {
			rd.note(fmt.Sprintf("times without a date (first at line %d) took %s, %s", dateless, dateFrom, date.Format("2006-01-02")))
		}
	}
	if yearless > 0 {
		if year == 0 {
			rd.note(fmt.Sprintf("times without a year (first at line %d) have year 1: none was given and no line has one (pass --year)", yearless))
		} else {
			rd.note(fmt.Sprintf("times without a year (first at line %d) took %s, %d", yearless, yearFrom, year))
		}
	}
}

func (rd *reader) note(s string) { rd.log.Notes = append(rd.log.Notes, s) }

// propYearless marks, while reading, an entry whose time had no year.
const propYearless = "\x00yearless"
