package logs

import (
	"regexp"
	"strings"
	"time"
)

// categoryToken is a .NET logger category: dotted, starting with a capital letter (`Host.Startup`,
// `Microsoft.Azure.WebJobs.Script.WebHost.Management.FunctionsSyncManager`, `Syncsim.World`).
var categoryToken = regexp.MustCompile(`^[A-Z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+$`)

// parseSyncsim reads syncsim's own line, `RFC3339-time instance level [Category] message`; the
// category is optional, so lines written before it existed still read.
func parseSyncsim(_ *reader, line string) (Entry, string, bool) {
	f := strings.SplitN(line, " ", 5)
	if len(f) < 4 {
		return Entry{}, "", false
	}
	t, err := time.Parse(time.RFC3339Nano, f[0])
	if err != nil || f[1] == "" {
		return Entry{}, "", false
	}
	level, ok := normalizeLevel(f[2])
	if !ok || f[3] == "" {
		return Entry{}, "", false
	}
	e := Entry{At: t.UTC(), Timed: true, Instance: f[1], Level: level}
	if e.Instance == "-" {
		// writeSyncsim's mark of an entry without an instance.
		e.Instance = ""
	}
	msg := strings.Join(f[3:], " ")
	if len(f) == 5 && categoryToken.MatchString(f[3]) {
		e.Category, msg = f[3], f[4]
	}
	e.Message = msg
	return e, "", true
}

// syncsimIndent starts the continuation lines of a multi-line message in syncsim's format.
const syncsimIndent = "    "

// writeSyncsim renders e as syncsim's line (the instance "-" when it has none).
func writeSyncsim(e Entry) string {
	var b strings.Builder
	b.WriteString(e.At.UTC().Format("2006-01-02T15:04:05.000000Z07:00"))
	b.WriteByte(' ')
	b.WriteString(orDash(e.Instance))
	b.WriteByte(' ')
	b.WriteString(orDefault(e.Level, "Information"))
	if e.Category != "" {
		b.WriteByte(' ')
		b.WriteString(e.Category)
	}
	b.WriteByte(' ')
	b.WriteString(e.Message)
	return b.String()
}

func orDash(s string) string { return orDefault(s, "-") }

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
