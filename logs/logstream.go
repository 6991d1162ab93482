package logs

import (
	"regexp"
	"strings"
)

// The App Service log stream and functionslogs lines:
//
//	2018-09-20T09:10:48.075 [Error] message                  (log stream, Windows: no zone)
//	2018-09-20 09:10:48.075 +00:00 [Information] message     (a variant with the zone)
//	2018-09-20T09:10:48  PID[1234] Information message       (App Service application log file)
//	info: Host.Startup[0]                                    (.NET console logger, Linux container
//	      Starting Host (HostId=..., ...)                     output; the message on the next lines)
var (
	logStreamLine = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?: ?(?:Z|[+-]\d{2}:?\d{2}))?)\s+\[(\w+)\]\s?(.*)$`)
	appLogLine    = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?: ?(?:Z|[+-]\d{2}:?\d{2}))?)\s+PID\[(\d+)\]\s+(\w+)\s+(.*)$`)
	consoleLine   = regexp.MustCompile(`^(?:(\d{4}-\d{2}-\d{2}T\S+)\s+)?(trce|dbug|info|warn|fail|crit): ([A-Za-z][\w.]*)\[(\d+)\]\s*(.*)$`)
)

// parseLogStream reads a log stream line (see above). The level in brackets must be a level word, so
// a caller's `[2023-...] text` is not taken.
func parseLogStream(_ *reader, line string) (Entry, string, bool) {
	if m := logStreamLine.FindStringSubmatch(line); m != nil {
		level, ok := normalizeLevel(m[2])
		t, zoneless, tok := parseISO(m[1])
		if !ok || !tok {
			return Entry{}, "", false
		}
		return Entry{At: t, Timed: true, Zoneless: zoneless, Level: level, Message: strings.TrimSpace(m[3])}, "", true
	}
	if m := appLogLine.FindStringSubmatch(line); m != nil {
		level, ok := normalizeLevel(m[3])
		t, zoneless, tok := parseISO(m[1])
		if !ok || !tok {
			return Entry{}, "", false
		}
		return Entry{At: t, Timed: true, Zoneless: zoneless, Level: level, Message: m[4],
			Props: map[string]string{"pid": m[2]}}, "", true
	}
	if m := consoleLine.FindStringSubmatch(line); m != nil {
		level, _ := normalizeLevel(m[2])
		e := Entry{Level: level, Category: m[3], Message: strings.TrimSpace(m[5]), Props: map[string]string{"eventId": m[4]}}
		if m[1] != "" {
			if t, zoneless, ok := parseISO(m[1]); ok {
				e.At, e.Timed, e.Zoneless = t, true, zoneless
			}
		}
		return e, "", true
	}
	return Entry{}, "", false
}
