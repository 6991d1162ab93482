package logs

import (
	"fmt"
	"strings"
)

// Formats lists the formats Read knows, in the order detection tries them for a line (after the App
// Insights documents, which are whole files).
func Formats() []Format {
	return []Format{FormatSyncsim, FormatFunctionLogs, FormatAppInsightsCSV, FormatAppInsightsJSON,
		FormatLogStream, FormatCaller, FormatPlain}
}

// formatAliases are other spellings people use for a format.
var formatAliases = map[string]Format{
	"ms_function_logs": FormatFunctionLogs, "functionlogs": FormatFunctionLogs, "function-logs": FormatFunctionLogs,
	"appinsights": FormatAppInsightsJSON, "log-stream": FormatLogStream, "functionslogs": FormatLogStream,
	"core-tools": FormatCaller, "pipelines": FormatCaller, "kudu": FormatCaller, "vscode": FormatCaller,
}

// ParseFormat reads a format's name (`--format`), case-insensitively; an unknown name is an error
// naming the formats known.
func ParseFormat(s string) (Format, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	for _, f := range Formats() {
		if string(f) == v {
			return f, nil
		}
	}
	if f, ok := formatAliases[v]; ok {
		return f, nil
	}
	names := make([]string, 0, len(Formats()))
	for _, f := range Formats() {
		names = append(names, string(f))
	}
	return "", fmt.Errorf("%w: %q is no format (fix: name one of %s)", ErrUnknownFormat, s, strings.Join(names, ", "))
}

// Writable lists the formats Write writes.
func Writable() []Format {
	return []Format{FormatSyncsim, FormatFunctionLogs, FormatAppInsightsJSON}
}
