package logs

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Write writes entries in format f: syncsim's own lines, MS_FUNCTION_LOGS lines (upstream's field
// order and quoting), or the portal's JSON export of `traces`. Read gives back each entry's time,
// instance, level, category and message, except where the format itself loses them: a syncsim
// message is one line, an MS_FUNCTION_LOGS line turns `"` into `'`, joins a message's third and
// further lines with spaces and writes Trace as Verbose (read back as Debug), as upstream does.
func Write(w io.Writer, f Format, entries []Entry) error {
	switch f {
	case FormatAppInsightsJSON:
		return writeAppInsightsJSON(w, entries)
	case FormatSyncsim, FormatFunctionLogs:
	default:
		names := make([]string, 0, 3)
		for _, x := range Writable() {
			names = append(names, string(x))
		}
		return fmt.Errorf("%w: Write does not write %q (fix: write one of %s)", ErrUnknownFormat, f, strings.Join(names, ", "))
	}
	bw := bufio.NewWriter(w)
	for _, e := range entries {
		var line string
		if f == FormatSyncsim {
			// A syncsim line is one line: a multi-line message keeps its lines under the first,
			// indented, as continuation lines that Read joins back.
			line = writeSyncsim(e)
			line = strings.ReplaceAll(line, "\n", "\n"+syncsimIndent)
		} else {
			line = writeFunctionLogs(e)
		}
		if _, err := bw.WriteString(line + "\n"); err != nil {
			return err
		}
	}
	return bw.Flush()
}
