package logs

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// App Insights and Log Analytics exports of `traces` (and of the workspace table AppTraces). The
// columns come in any order; these are the names each field goes by.
var (
	timeColumns     = []string{"timestamp", "timestamp [utc]", "timegenerated", "timegenerated [utc]", "time", "time [utc]"}
	messageColumns  = []string{"message"}
	severityColumns = []string{"severitylevel"}
	instanceColumns = []string{"cloud_roleinstance", "approleinstance"}
	dimsColumns     = []string{"customdimensions", "properties"}
	// otherColumns are kept in Props when present.
	otherColumns = map[string]string{"cloud_rolename": "cloud_RoleName", "approlename": "AppRoleName",
		"operation_name": "operation_Name", "operation_id": "operation_Id", "itemtype": "itemType"}
)

// aiRow is one row of an export: its columns by lower-cased name, and the line it starts on.
type aiRow struct {
	line, endLine int
	cols          map[string]any
	// utc says the time column's header carries [UTC].
	utc bool
}

func column(cols map[string]any, names []string) (any, bool) {
	for _, n := range names {
		if v, ok := cols[n]; ok && v != nil {
			return v, true
		}
	}
	return nil, false
}

func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// isExportRow says whether a row has the columns of a `traces` export.
func isExportRow(cols map[string]any) bool {
	_, t := column(cols, timeColumns)
	_, m := column(cols, messageColumns)
	return t && m
}

// entry turns an export's row into an entry: customDimensions' LogLevel wins over severityLevel,
// its Category is the entry's, HostInstanceId and prop__* go to Props.
func (row aiRow) entry(f Format) Entry {
	e := Entry{Format: f, Line: row.line, EndLine: row.endLine, Props: map[string]string{}}
	if v, ok := column(row.cols, timeColumns); ok {
		s := text(v)
		if t, zoneless, ok := parseISO(strings.Replace(s, " ", "T", 1)); ok {
			e.At, e.Timed, e.Zoneless = t, true, zoneless && !row.utc
		} else if t, ok := portalTime(s); ok {
			e.At, e.Timed, e.Zoneless = t, true, !row.utc
		}
	}
	if v, ok := column(row.cols, messageColumns); ok {
		e.Message = strings.ReplaceAll(text(v), "\r\n", "\n")
	}
	if v, ok := column(row.cols, severityColumns); ok {
		e.Level = severityLevels[text(v)]
	}
	if v, ok := column(row.cols, instanceColumns); ok {
		e.Instance = text(v)
	}
	for k, name := range otherColumns {
		if v, ok := row.cols[k]; ok && text(v) != "" {
			e.Props[name] = text(v)
		}
	}
	if v, ok := column(row.cols, dimsColumns); ok {
		dims := dimensions(v)
		if c := text(dims["Category"]); c != "" {
			e.Category = c
		}
		if l, ok := normalizeLevel(text(dims["LogLevel"])); ok {
			e.Level = l
		}
		keys := make([]string, 0, len(dims))
		for k := range dims {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if k == "Category" || k == "LogLevel" {
				continue
			}
			if v := text(dims[k]); v != "" {
				e.Props[k] = v
			}
		}
	}
	if len(e.Props) == 0 {
		e.Props = nil
	}
	return e
}

// dimensions reads customDimensions, an object or (in CSV, and in some JSON exports) a string
// holding one.
func dimensions(v any) map[string]any {
	switch x := v.(type) {
	case map[string]any:
		return x
	case string:
		d := json.NewDecoder(strings.NewReader(x))
		d.UseNumber()
		var m map[string]any
		if d.Decode(&m) == nil {
			return m
		}
	}
	return nil
}

// csvHeader reads a CSV header row naming a time and a message column.
func csvHeader(line string) ([]string, bool) {
	if !strings.Contains(line, ",") {
		return nil, false
	}
	rec, err := csv.NewReader(strings.NewReader(line)).Read()
	if err != nil {
		return nil, false
	}
	cols := map[string]any{}
	for _, c := range rec {
		cols[strings.ToLower(strings.TrimSpace(c))] = ""
	}
	if !isExportRow(cols) {
		return nil, false
	}
	return rec, true
}

// readCSV reads a CSV export whose header is line start (0-based).
func (rd *reader) readCSV(start int, header []string) error {
	doc := strings.Join(rd.lines[start:], "\n")
	cr := csv.NewReader(strings.NewReader(doc))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	utc := false
	names := make([]string, len(header))
	for i, h := range header {
		names[i] = strings.ToLower(strings.TrimSpace(h))
		if strings.Contains(names[i], "[utc]") && containsName(timeColumns, names[i]) {
			utc = true
		}
	}
	if _, err := cr.Read(); err != nil {
		return rd.csvError(start+1, err)
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			return rd.csvError(start+line, err)
		}
		size := 0
		for _, f := range rec {
			size += len(f)
		}
		if size > rd.o.MaxLineBytes {
			return fmt.Errorf("%s:%d: %w: the row is longer than %d bytes (fix: cut the row, or raise the line limit)", rd.name, start+line, ErrLimit, rd.o.MaxLineBytes)
		}
		lastLine, _ := cr.FieldPos(len(rec) - 1)
		row := aiRow{line: start + line, endLine: start + lastLine + strings.Count(rec[len(rec)-1], "\n"), cols: map[string]any{}, utc: utc}
		for i, v := range rec {
			if i < len(names) {
				row.cols[names[i]] = v
			}
		}
		if err := rd.addRow(row, FormatAppInsightsCSV); err != nil {
			return err
		}
	}
}

func containsName(names []string, n string) bool {
	for _, x := range names {
		if x == n {
			return true
		}
	}
	return false
}

func (rd *reader) csvError(line int, err error) error {
	return fmt.Errorf("%s:%d: logs: appinsights-csv: %v (fix: export the query's result again as CSV, unedited)", rd.name, line, err)
}

func (rd *reader) addRow(row aiRow, f Format) error {
	if len(rd.log.Entries) >= rd.o.MaxEntries {
		return fmt.Errorf("%s:%d: %w: more than %d entries (fix: cut the export to the incident's window, or raise the entry limit)", rd.name, row.line, ErrLimit, rd.o.MaxEntries)
	}
	e := row.entry(f)
	if e.Zoneless && rd.firstZoneless == 0 {
		rd.firstZoneless = e.Line
	}
	e.Event = Classify(e.Category, e.Level, e.Message)
	rd.log.Entries = append(rd.log.Entries, e)
	return nil
}

// readJSON reads a JSON export starting at line start (0-based): the portal's array of row objects,
// or the REST API's / `az monitor app-insights query`'s {"tables":[{"columns":[...],"rows":[[...]]}]}.
// ok is false when the document is not one.
func (rd *reader) readJSON(start int) (ok bool, err error) {
	doc := strings.Join(rd.lines[start:], "\n")
	lineAt := lineIndex(doc, start)
	d := json.NewDecoder(strings.NewReader(doc))
	d.UseNumber()
	tok, err := d.Token()
	if err != nil {
		return false, nil
	}
	var rows []aiRow
	switch tok {
	case json.Delim('['):
		rows, ok = objectRows(d, doc, lineAt)
	case json.Delim('{'):
		rows, ok = tableRows(d, doc, lineAt)
	}
	if !ok || len(rows) == 0 || !isExportRow(rows[0].cols) {
		return false, nil
	}
	for _, row := range rows {
		if err := rd.addRow(row, FormatAppInsightsJSON); err != nil {
			return true, err
		}
	}
	return true, nil
}

// lineIndex returns the function giving the file's line number of an offset of doc (doc's first
// line being the file's line start+1).
func lineIndex(doc string, start int) func(off int64) int {
	var starts []int
	starts = append(starts, 0)
	for i := 0; i < len(doc); i++ {
		if doc[i] == '\n' {
			starts = append(starts, i+1)
		}
	}
	return func(off int64) int {
		// Skip the separator and spaces the decoder's offset still points at.
		for int(off) < len(doc) && strings.IndexByte(", \t\r\n", doc[off]) >= 0 {
			off++
		}
		return start + sort.Search(len(starts), func(i int) bool { return starts[i] > int(off) })
	}
}

func objectRows(d *json.Decoder, doc string, lineAt func(int64) int) ([]aiRow, bool) {
	var rows []aiRow
	for d.More() {
		first := lineAt(d.InputOffset())
		var obj map[string]any
		if err := d.Decode(&obj); err != nil || obj == nil {
			return nil, false
		}
		rows = append(rows, aiRow{line: first, endLine: lineAt(d.InputOffset() - 1), cols: lower(obj), utc: hasUTCKey(obj)})
	}
	return rows, true
}

func lower(obj map[string]any) map[string]any {
	m := make(map[string]any, len(obj))
	for k, v := range obj {
		m[strings.ToLower(k)] = v
	}
	return m
}

func hasUTCKey(obj map[string]any) bool {
	for k := range obj {
		if strings.Contains(strings.ToLower(k), "[utc]") {
			return true
		}
	}
	return false
}

// tableRows reads {"tables":[{"name":...,"columns":[{"name":..,"type":..}],"rows":[[...]]}]}.
func tableRows(d *json.Decoder, doc string, lineAt func(int64) int) ([]aiRow, bool) {
	var out []aiRow
	found := false
	for d.More() {
		key, err := d.Token()
		if err != nil {
			return nil, false
		}
		if key != "tables" {
			var skip json.RawMessage
			if d.Decode(&skip) != nil {
				return nil, false
			}
			continue
		}
		found = true
		if t, err := d.Token(); err != nil || t != json.Delim('[') {
			return nil, false
		}
		for d.More() {
			rows, ok := table(d, lineAt)
			if !ok {
				return nil, false
			}
			out = append(out, rows...)
		}
		if _, err := d.Token(); err != nil {
			return nil, false
		}
	}
	return out, found
}

// table reads one table object: its columns and rows, in either order.
func table(d *json.Decoder, lineAt func(int64) int) ([]aiRow, bool) {
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return nil, false
	}
	var names []string
	type raw struct {
		line, end int
		vals      []any
	}
	var rows []raw
	for d.More() {
		key, err := d.Token()
		if err != nil {
			return nil, false
		}
		switch key {
		case "columns":
			var cols []struct {
				Name       string `json:"name"`
				ColumnName string `json:"ColumnName"`
			}
			if d.Decode(&cols) != nil {
				return nil, false
			}
			for _, c := range cols {
				names = append(names, strings.ToLower(c.Name+c.ColumnName))
			}
		case "rows":
			if t, err := d.Token(); err != nil || t != json.Delim('[') {
				return nil, false
			}
			for d.More() {
				first := lineAt(d.InputOffset())
				var vals []any
				if d.Decode(&vals) != nil {
					return nil, false
				}
				rows = append(rows, raw{first, lineAt(d.InputOffset() - 1), vals})
			}
			if _, err := d.Token(); err != nil {
				return nil, false
			}
		default:
			var skip json.RawMessage
			if d.Decode(&skip) != nil {
				return nil, false
			}
		}
	}
	if _, err := d.Token(); err != nil {
		return nil, false
	}
	out := make([]aiRow, 0, len(rows))
	for _, r := range rows {
		cols := map[string]any{}
		for i, v := range r.vals {
			if i < len(names) {
				cols[names[i]] = v
			}
		}
		out = append(out, aiRow{line: r.line, endLine: r.end, cols: cols})
	}
	return out, true
}

// writeAppInsightsJSON writes entries as the portal's JSON export of `traces`: an array of rows
// with timestamp, message, severityLevel, itemType, cloud_RoleInstance and customDimensions
// (Category, LogLevel, and the entry's Props).
func writeAppInsightsJSON(w io.Writer, entries []Entry) error {
	var b bytes.Buffer
	b.WriteString("[\n")
	for i, e := range entries {
		dims := map[string]string{}
		for k, v := range e.Props {
			if !strings.HasPrefix(k, "\x00") {
				dims[k] = v
			}
		}
		if e.Category != "" {
			dims["Category"] = e.Category
		}
		if e.Level != "" {
			dims["LogLevel"] = e.Level
		}
		row := struct {
			Timestamp        string            `json:"timestamp"`
			Message          string            `json:"message"`
			SeverityLevel    int               `json:"severityLevel"`
			ItemType         string            `json:"itemType"`
			CloudRoleInstace string            `json:"cloud_RoleInstance"`
			CustomDimensions map[string]string `json:"customDimensions"`
		}{e.At.UTC().Format("2006-01-02T15:04:05.0000000Z"), e.Message, severityLevel(e.Level), "trace", e.Instance, dims}
		line, err := json.Marshal(row)
		if err != nil {
			return fmt.Errorf("logs: appinsights-json: entry %d: %w", i+1, err)
		}
		b.WriteString("  ")
		b.Write(line)
		if i < len(entries)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("]\n")
	_, err := w.Write(b.Bytes())
	return err
}
