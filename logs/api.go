package logs

import (
	"errors"
	"time"
)

// Format names a log format Read knows. Read detects it per line from the content; Options.Format
// forces one.
type Format string

// The formats people have, and syncsim's own.
const (
	// FormatSyncsim is syncsim's own: `RFC3339-time instance level [Category] message`.
	FormatSyncsim Format = "syncsim"
	// FormatFunctionLogs is the Linux Consumption / Flex stdout line `MS_FUNCTION_LOGS level,sub,app,
	// func,eventName,category,"details","message",version,timestamp,...,CONTAINER_NAME,...` written by
	// the host's LinuxContainerEventGenerator (quoted fields with commas and escaped quotes).
	FormatFunctionLogs Format = "ms-function-logs"
	// FormatAppInsightsCSV is a portal / Log Analytics CSV export of `traces`.
	FormatAppInsightsCSV Format = "appinsights-csv"
	// FormatAppInsightsJSON is a JSON export of `traces` (the portal's, or `az monitor app-insights
	// query`'s tables/rows shape).
	FormatAppInsightsJSON Format = "appinsights-json"
	// FormatLogStream is the App Service log stream / functionslogs file: `2018-09-20T09:10:48.075
	// [Error] message` (no zone: taken as UTC, and said so).
	FormatLogStream Format = "logstream"
	// FormatCaller is the caller's side: Core Tools, VS Code, Azure Pipelines (`##[debug]`, ISO
	// prefixes) and Kudu `<step title=... date=...>` traces, with or without times.
	FormatCaller Format = "caller"
	// FormatPlain is a message pasted alone, with no time: placed only when the message is one the
	// catalogue knows.
	FormatPlain Format = "plain"
)

// Side says whose line an entry is.
type Side string

const (
	// SideHost is a line the real host writes (an upstream template).
	SideHost Side = "host"
	// SideCaller is a line of the caller of the admin API (Core Tools, VS Code, a pipeline, Kudu).
	SideCaller Side = "caller"
	// SideHarness is a line of syncsim's world or reference platform (category Syncsim.*): no
	// upstream host writes it.
	SideHarness Side = "harness"
	// SideUnknown is a line whose message the catalogue does not know.
	SideUnknown Side = ""
)

// Kind names what an entry's message says happened (the catalogue's classification).
type Kind string

// Entry is one event of a log: a line, with the lines that continue it (a multi-line JSON
// `Content={...}`, a stack trace under its exception) joined into Message.
type Entry struct {
	// Line and EndLine are the first and last line numbers in the file, from 1.
	Line, EndLine int
	// Format is the format the line was read in.
	Format Format
	// At is the entry's time (UTC); Timed is false when the line has none (then At is zero).
	// Zoneless: the time had no zone and was taken as UTC. Dateless: the time had no date and took
	// Options.Date's (or is relative to the first timed line when no date was given).
	At                        time.Time
	Timed, Zoneless, Dateless bool
	// Instance is the container, role instance or pod the line names ("" when it names none).
	Instance string
	// Level is the level, normalised to Trace, Debug, Information, Warning, Error or Critical ("" when
	// the format carries none).
	Level string
	// Category is the logger category ("" when the format carries none).
	Category string
	// Message is the message text, continuation lines joined with "\n".
	Message string
	// Props are the format's other fields that matter (HostInstanceId, prop__*, the caller's tool).
	Props map[string]string
	// Event is the catalogue's reading of Message (and Category, Level).
	Event Event
}

// Event is what the catalogue makes of one message.
type Event struct {
	Kind Kind
	Side Side
	// Args are the values the template captured, by name (`hostId`, `status`, `attempt`, ...).
	Args map[string]string
	// Template is the upstream template (or the harness's text) the message matched, and Source its
	// citation (path@commit:line, or "syncsim" for harness lines).
	Template, Source string
}

// Options change how Read reads a log. The zero value detects the format and uses the default
// limits.
type Options struct {
	// Format forces one format (`--format`); "" detects it per line.
	Format Format
	// Date supplies the date of times that carry none (`--date`); Year the year of times without one
	// (`--year`).
	Date time.Time
	Year int
	// MaxBytes, MaxLineBytes and MaxEntries bound what is read (zero: the defaults).
	MaxBytes     int64
	MaxLineBytes int
	MaxEntries   int
}

// Skip is a line Read did not turn into an entry, with why.
type Skip struct {
	Line   int
	Reason string // "blank", "comment", "continuation without an entry", "unplaced", ...
}

// Log is what Read made of a file.
type Log struct {
	Name string
	// Lines counts every line read.
	Lines   int
	Entries []Entry
	// Formats counts the entries read in each format.
	Formats map[Format]int
	Skipped []Skip
	// Notes say what Read assumed (times without a zone taken as UTC, from line N; dates supplied).
	Notes []string
}

// Sentinel errors; Read wraps them with the log's name, the line and the fix.
var (
	// ErrUnknownFormat: no line of the log could be placed in a known format (or in the forced one).
	ErrUnknownFormat = errors.New("logs: unknown format")
	// ErrLimit: the log, a line, or the entries are over a limit of Options.
	ErrLimit = errors.New("logs: over a limit")
)
