package logs

import (
	"regexp"
	"strconv"
	"strings"
)

// The MS_FUNCTION_LOGS line, as LinuxContainerEventGenerator.LogFunctionTraceEvent writes it
// (src/WebJobs.Script.WebHost/Diagnostics/LinuxContainerEventGenerator.cs@89dc438:110):
//
//	MS_FUNCTION_LOGS {level},{subscriptionId},{appName},{functionName},{eventName},{source},
//	"{details}","{summary}",{hostVersion},{timestamp},{exceptionType},"{exceptionMessage}",
//	{functionInvocationId},{hostInstanceId},{activityId},{containerName},{stampName},{tenantId},
//	{runtimeSiteName},{slotName}
//
// level is ToEventLevel's number (LinuxEventGenerator.cs@89dc438:45-63), source the logger category,
// summary the formatted message (SystemLogger.cs@89dc438:155,181), timestamp DateTime.ToString("O")
// (LinuxEventGenerator.cs@89dc438:12). The three quoted fields pass NormalizeString
// (LinuxEventGenerator.cs@89dc438:20-38): newlines become spaces and `"` becomes `'`, so upstream's
// quoted fields hold commas but no quote. Shipped through JSON, the quotes arrive escaped (`\"`);
// both read.
const functionLogsPrefix = "MS_FUNCTION_LOGS "

// The field positions of the line (after the prefix).
const (
	flLevel = iota
	flSubscription
	flApp
	flFunction
	flEventName
	flCategory
	flDetails
	flSummary
	flHostVersion
	flTimestamp
	flExceptionType
	flExceptionMessage
	flInvocationID
	flHostInstanceID
	flActivityID
	flContainer
	flStamp
	flTenant
	flRuntimeSite
	flSlot
	flCount
)

// functionLogsProps name the fields kept in Entry.Props.
var functionLogsProps = map[int]string{
	flSubscription: "subscriptionId", flApp: "appName", flFunction: "functionName", flEventName: "eventName",
	flDetails: "details", flHostVersion: "hostVersion", flExceptionType: "exceptionType",
	flExceptionMessage: "exceptionMessage", flInvocationID: "functionInvocationId",
	flHostInstanceID: "HostInstanceId", flActivityID: "activityId", flStamp: "stampName",
	flTenant: "tenantId", flRuntimeSite: "runtimeSiteName", flSlot: "slotName",
}

// functionLogsQuoted are the fields upstream wraps in quotes.
var functionLogsQuoted = map[int]bool{flDetails: true, flSummary: true, flExceptionMessage: true}

// parseFunctionLogs reads an MS_FUNCTION_LOGS line; text before the prefix (a `docker logs -t` or
// kubectl time) is ignored. The line needs the fields up to the timestamp; older hosts wrote fewer
// trailing fields.
//
// Linux App Service writes the same event, without the prefix and with the host name after the
// subscription and no container field, to functionslogsv2.log (LinuxAppServiceEventGenerator.cs@89dc438:54-63);
// such a line reads too, its host name in Props.
func parseFunctionLogs(_ *reader, line string) (Entry, string, bool) {
	var fields []string
	var ok bool
	hostName := ""
	if i := strings.Index(line, functionLogsPrefix); i >= 0 {
		fields, ok = splitFunctionLogs(line[i+len(functionLogsPrefix):])
	} else if m := appServiceLogsHead.FindStringSubmatch(line); m != nil {
		// Drop the host name so that the fields fall where the container line has them.
		hostName = m[2]
		fields, ok = splitFunctionLogs(m[1] + line[len(m[0]):])
		if ok && len(fields) > flActivityID+1 {
			ok = false
		}
	}
	if !ok || len(fields) <= flTimestamp {
		return Entry{}, "", false
	}
	level, ok := eventLevels[fields[flLevel]]
	if !ok {
		return Entry{}, "", false
	}
	e := Entry{Level: level, Category: fields[flCategory], Message: fields[flSummary], Props: map[string]string{}}
	if t, zoneless, ok := parseISO(fields[flTimestamp]); ok {
		e.At, e.Timed, e.Zoneless = t, true, zoneless
	}
	if len(fields) > flContainer {
		e.Instance = fields[flContainer]
	}
	for k, name := range functionLogsProps {
		if k < len(fields) && fields[k] != "" {
			e.Props[name] = fields[k]
		}
	}
	// The exception rides in its own fields; the catalogue reads it under the message.
	switch {
	case e.Props["details"] != "":
		e.Message += "\n" + e.Props["details"]
	case e.Props["exceptionType"] != "":
		e.Message += "\n" + e.Props["exceptionType"] + ": " + e.Props["exceptionMessage"]
	}
	if hostName != "" {
		e.Props["hostName"] = hostName
	}
	if len(e.Props) == 0 {
		e.Props = nil
	}
	return e, "", true
}

// functionLogsLine matches the fields after the prefix. The six leading and the trailing fields hold
// no comma; the quoted fields are found around the hostVersion,timestamp pair, the one place where a
// time follows a quoted field: details runs to the first `","`, summary to the last `",{version},{time},`,
// and exceptionMessage to the last quote. Q is `"`, or `\"` in a line shipped through JSON.
var (
	// appServiceLogsHead is the start of a functionslogsv2.log line: level, subscription, host name.
	appServiceLogsHead      = regexp.MustCompile(`^([0-6],[^,]*,)([^,]*),`)
	functionLogsLine        = functionLogsPattern(`"`)
	functionLogsLineEscaped = functionLogsPattern(`\\"`)
)

func functionLogsPattern(q string) *regexp.Regexp {
	return regexp.MustCompile(strings.ReplaceAll(`^([0-6]),([^,]*),([^,]*),([^,]*),([^,]*),([^,]*),(Q)(.*?)Q,Q(.*)Q,([^,"]*),(\d{4}-\d{2}-\d{2}T[^,"]*)(?:,([^,"]*),Q(.*)Q(?:,([^"]*))?)?\s*$`, "Q", q))
}

// splitFunctionLogs splits the line's fields (see functionLogsLine); quotes escaped inside a quoted
// field (`\"`, or CSV's `""`) are unescaped.
func splitFunctionLogs(s string) ([]string, bool) {
	m := functionLogsLineEscaped.FindStringSubmatch(s)
	if m == nil {
		m = functionLogsLine.FindStringSubmatch(s)
	}
	if m == nil {
		return nil, false
	}
	unescape := func(v string) string {
		if m[7] == `\"` {
			return strings.ReplaceAll(v, `\\\"`, `"`)
		}
		return strings.ReplaceAll(strings.ReplaceAll(v, `\"`, `"`), `""`, `"`)
	}
	fields := []string{m[1], m[2], m[3], m[4], m[5], m[6], unescape(m[8]), unescape(m[9]), m[10], m[11]}
	if m[12] != "" || m[13] != "" || m[14] != "" {
		fields = append(fields, m[12], unescape(m[13]))
		fields = append(fields, strings.Split(m[14], ",")...)
	}
	for i, f := range fields {
		if !functionLogsQuoted[i] {
			fields[i] = strings.TrimSpace(f)
		}
	}
	return fields, true
}

// normalizeString is upstream's NormalizeString (LinuxEventGenerator.cs@89dc438:20-38): newlines
// become spaces, `"` becomes `'`, and the value is wrapped in quotes.
func normalizeString(v string) string {
	v = strings.ReplaceAll(v, "\r\n", " ")
	v = strings.ReplaceAll(v, "\n", " ")
	v = strings.ReplaceAll(v, `"`, "'")
	return `"` + v + `"`
}

// writeFunctionLogs renders e as upstream writes it: the message's first line is the summary and
// its further lines the details; Props give the other fields. The instance is written as it is:
// upstream upper-cases CONTAINER_NAME when it reads it, which a model's instance name need not be.
func writeFunctionLogs(e Entry) string {
	summary, details, _ := strings.Cut(e.Message, "\n")
	if details == "" {
		details = e.Props["details"]
	}
	p := func(k string) string { return unquoted(e.Props[k]) }
	fields := []string{
		strconv.Itoa(eventLevel(e.Level)), p("subscriptionId"), p("appName"), p("functionName"), p("eventName"),
		unquoted(e.Category), normalizeString(details), normalizeString(summary), p("hostVersion"),
		e.At.UTC().Format("2006-01-02T15:04:05.0000000Z07:00"), p("exceptionType"),
		normalizeString(e.Props["exceptionMessage"]), p("functionInvocationId"), p("HostInstanceId"),
		p("activityId"), unquoted(e.Instance), p("stampName"), p("tenantId"), p("runtimeSiteName"), p("slotName"),
	}
	return functionLogsPrefix + strings.Join(fields, ",")
}

// unquoted keeps an unquoted field readable: upstream writes these fields raw, so a comma or quote
// in one would shift the fields after it.
func unquoted(s string) string {
	return strings.NewReplacer(",", ";", `"`, "'", "\n", " ", "\r", " ").Replace(s)
}
