package logs

import (
	"regexp"
	"strings"
	"time"
)

// isoTime matches a date and time: `2018-09-20T09:10:48.075`, `2018-09-20 09:10:48.075 +00:00`,
// `2023-01-01T10:00:00.0000000Z`, with or without a zone.
var isoTime = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?( ?(?:Z|[+-]\d{2}:?\d{2}))?$`)

// parseISO reads an ISO 8601 time; a time without a zone is taken as UTC (zoneless).
func parseISO(s string) (t time.Time, zoneless, ok bool) {
	m := isoTime.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, false, false
	}
	zone := strings.TrimSpace(m[8])
	layout := "2006-01-02T15:04:05"
	v := m[1] + "-" + m[2] + "-" + m[3] + "T" + m[4] + ":" + m[5] + ":" + m[6]
	if m[7] != "" {
		layout += ".999999999"
		v += m[7]
	}
	switch {
	case zone == "":
		zoneless = true
	case zone == "Z":
		layout += "Z07:00"
		v += zone
	case strings.Contains(zone, ":"):
		layout += "-07:00"
		v += zone
	default:
		layout += "-0700"
		v += zone
	}
	t, err := time.Parse(layout, v)
	if err != nil {
		return time.Time{}, false, false
	}
	return t.UTC(), zoneless, true
}

// clockTime matches a time of day without a date: `09:10:48`, `9:10:48.075`, `2:31:01 PM`.
var clockTime = regexp.MustCompile(`^(\d{1,2}):(\d{2}):(\d{2})(\.\d{1,9})?(?: ?([AaPp][Mm]))?$`)

// parseClock reads a time of day; the entry is Dateless and takes its date when Read ends.
func parseClock(s string) (time.Time, bool) {
	m := clockTime.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, false
	}
	layout, v := "15:04:05", m[1]+":"+m[2]+":"+m[3]
	if len(m[1]) == 1 {
		v = "0" + v
	}
	if m[4] != "" {
		layout += ".999999999"
		v += m[4]
	}
	if m[5] != "" {
		layout = strings.Replace(layout, "15", "03", 1) + " PM"
		v += " " + strings.ToUpper(m[5])
	}
	t, err := time.Parse(layout, v)
	if err != nil {
		return time.Time{}, false
	}
	return time.Date(1, 1, 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC), true
}

// monthTime matches a time with a month and day but no year: `Sep 20 09:10:48`, `Sep 20 09:10:48.075`.
var monthTime = regexp.MustCompile(`^([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)$`)

// parseMonthDay reads a time without a year; Read gives it Options.Year (or the first dated line's).
func parseMonthDay(s string) (time.Time, bool) {
	m := monthTime.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, false
	}
	layout := "Jan 2 15:04:05"
	if strings.Contains(m[3], ".") {
		layout += ".999999999"
	}
	t, err := time.Parse(layout, m[1]+" "+m[2]+" "+m[3])
	if err != nil {
		return time.Time{}, false
	}
	return time.Date(1, t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC), true
}

// portalTime reads the App Insights portal's displayed time, `5/10/2024, 12:34:56.789 PM` (UTC in
// an export whose column says [UTC]).
func portalTime(s string) (time.Time, bool) {
	for _, layout := range []string{"1/2/2006, 3:04:05.999999999 PM", "1/2/2006, 3:04:05 PM", "1/2/2006 3:04:05 PM", "1/2/2006 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// levelNames maps the level words of the formats to the normalised levels.
var levelNames = map[string]string{
	"trace": "Trace", "trce": "Trace",
	"debug": "Debug", "dbug": "Debug", "verbose": "Debug",
	"information": "Information", "info": "Information", "informational": "Information",
	"warning": "Warning", "warn": "Warning",
	"error": "Error", "fail": "Error", "err": "Error",
	"critical": "Critical", "crit": "Critical", "fatal": "Critical",
}

// normalizeLevel reads a level word (`Information`, `info`, `Verbose`, `warn`, ...).
func normalizeLevel(s string) (string, bool) {
	l, ok := levelNames[strings.ToLower(s)]
	return l, ok
}

// eventLevels are upstream's ToEventLevel numbers (LinuxEventGenerator.cs@89dc438:45-63):
// Critical=1, Error=2, Warning=3, Information=4, Debug and Trace=5 (Verbose); 0 is LogAlways.
var eventLevels = map[string]string{"1": "Critical", "2": "Error", "3": "Warning", "4": "Information", "5": "Debug", "0": "Information"}

func eventLevel(level string) int {
	switch level {
	case "Critical":
		return 1
	case "Error":
		return 2
	case "Warning":
		return 3
	case "Information":
		return 4
	case "Debug", "Trace":
		return 5
	}
	return 0
}

// severityLevels are App Insights' severityLevel values (Verbose=0 .. Critical=4); the host's
// Trace and Debug both land on Verbose.
var severityLevels = map[string]string{"0": "Debug", "1": "Information", "2": "Warning", "3": "Error", "4": "Critical",
	"Verbose": "Debug", "Information": "Information", "Warning": "Warning", "Error": "Error", "Critical": "Critical"}

func severityLevel(level string) int {
	switch level {
	case "Information":
		return 1
	case "Warning":
		return 2
	case "Error":
		return 3
	case "Critical":
		return 4
	}
	return 0
}
