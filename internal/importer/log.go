package importer

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
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

// readLog reads every line of r. It fails only when r cannot be read.
func readLog(r io.Reader) (entries []entry, lines int, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for sc.Scan() {
		lines++
		text := strings.TrimRight(sc.Text(), "\r")
		trimmed := strings.TrimSpace(text)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		entries = append(entries, parseLine(lines, text))
	}
	return entries, lines, sc.Err()
}

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
