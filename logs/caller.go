package logs

import (
	"regexp"
	"strings"
)

// The caller's side of the admin API, with or without times:
//
//	2023-01-01T10:00:00.0000000Z ##[debug]...          Azure Pipelines (also ##[error], ##[section], no time)
//	[2023-01-01T10:00:00.000Z] Syncing triggers...     Core Tools (PublishFunctionAppAction.cs@3ee97a6:1590-1598)
//	<step title="Incoming Request" date="..." ...>     Kudu trace
//	2:31:01 PM myapp: Syncing triggers...              VS Code's output (a time of day, no date)
//	Syncing triggers...                                a known caller line, no time
var (
	pipelineLine = regexp.MustCompile(`^(?:(\d{4}-\d{2}-\d{2}T\S+)\s+)?##\[(\w+)\]\s?(.*)$`)
	coreToolLine = regexp.MustCompile(`^\[(\d{4}-\d{2}-\d{2}T[^\]]+)\]\s?(.*)$`)
	timedLine    = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2}))\s+(.*)$`)
	clockLine    = regexp.MustCompile(`^\[?(\d{1,2}:\d{2}:\d{2}(?:\.\d{1,9})?(?: ?[AaPp][Mm])?)\]?:?\s+(.*)$`)
	monthLine    = regexp.MustCompile(`^([A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)\s+(.*)$`)
	kuduStep     = regexp.MustCompile(`^\s*<step\b([^>]*?)(/?)>\s*(?:</step>\s*)?$`)
	kuduClose    = regexp.MustCompile(`^\s*</step>\s*$`)
	xmlMarkup    = regexp.MustCompile(`^\s*<(?:\?xml|/?trace\b|/?steps\b|!--.*?--)[^>]*>\s*$`)
	kuduBegin    = regexp.MustCompile(`^Begin Http(?:Post|Get|Put)\s+(\S+?),?(?:\s|$)`)
	kuduEnd      = regexp.MustCompile(`^End Http(?:Post|Get|Put), status: (\S+)`)
	xmlAttr      = regexp.MustCompile(`([\w:.-]+)="([^"]*)"`)
	siteLabel    = regexp.MustCompile(`^([\w.-]+): \S`)
)

// pipelineLevels are Azure Pipelines' logging command tags.
var pipelineLevels = map[string]string{"debug": "Debug", "error": "Error", "warning": "Warning",
	"section": "Information", "command": "Information", "group": "Information", "endgroup": "Information", "info": "Information"}

func parseCaller(rd *reader, line string) (Entry, string, bool) {
	if m := pipelineLine.FindStringSubmatch(line); m != nil {
		e := Entry{Level: pipelineLevels[strings.ToLower(m[2])], Message: m[3],
			Props: map[string]string{"tool": "azure-pipelines", "tag": m[2]}}
		if m[1] != "" {
			t, zoneless, ok := parseISO(m[1])
			if !ok {
				return Entry{}, "", false
			}
			e.At, e.Timed, e.Zoneless = t, true, zoneless
		}
		return e, "", true
	}
	if m := coreToolLine.FindStringSubmatch(line); m != nil {
		if t, zoneless, ok := parseISO(m[1]); ok {
			return Entry{At: t, Timed: true, Zoneless: zoneless, Message: m[2],
				Props: map[string]string{"tool": "core-tools"}}, "", true
		}
	}
	if strings.HasPrefix(strings.TrimSpace(line), "<") {
		return rd.kudu.parse(line)
	}
	if m := timedLine.FindStringSubmatch(line); m != nil {
		if t, zoneless, ok := parseISO(m[1]); ok {
			return Entry{At: t, Timed: true, Zoneless: zoneless, Message: m[2],
				Props: map[string]string{"tool": "timestamped"}}, "", true
		}
	}
	if m := clockLine.FindStringSubmatch(line); m != nil {
		if t, ok := parseClock(m[1]); ok {
			e := Entry{At: t, Timed: true, Dateless: true, Message: m[2], Props: map[string]string{"tool": "vscode"}}
			if s := siteLabel.FindStringSubmatch(m[2]); s != nil {
				e.Props["site"] = s[1]
			}
			return e, "", true
		}
	}
	if m := monthLine.FindStringSubmatch(line); m != nil {
		if t, ok := parseMonthDay(m[1]); ok {
			return Entry{At: t, Timed: true, Message: m[2], Props: map[string]string{propYearless: "1"}}, "", true
		}
	}
	msg := strings.TrimSpace(line)
	if rd.o.Format == FormatCaller || Classify("", "", msg).Side == SideCaller {
		return Entry{Message: msg}, "", true
	}
	return Entry{}, "", false
}

// kuduState follows the nesting of a Kudu trace's steps, so a response step (which names no url)
// is read against the request step it sits in.
type kuduState struct {
	open []map[string]string
	// begun is the url of the last `Begin HttpPost {url}` step, which its `End HttpPost, status: X`
	// step answers.
	begun string
}

// parse reads one line of a Kudu trace: a `<step ...>` element becomes an entry; a closing tag or
// other markup is no entry (reason "markup").
func (k *kuduState) parse(line string) (Entry, string, bool) {
	if kuduClose.MatchString(line) {
		if len(k.open) > 0 {
			k.open = k.open[:len(k.open)-1]
		}
		return Entry{}, "markup", false
	}
	if xmlMarkup.MatchString(line) {
		return Entry{}, "markup", false
	}
	m := kuduStep.FindStringSubmatch(line)
	if m == nil {
		return Entry{}, "", false
	}
	attrs := map[string]string{}
	for _, a := range xmlAttr.FindAllStringSubmatch(m[1], -1) {
		attrs[a[1]] = xmlUnescape(a[2])
	}
	if attrs["title"] == "" {
		return Entry{}, "", false
	}
	selfClosing := m[2] == "/" || strings.Contains(line, "</step>")
	if m := kuduBegin.FindStringSubmatch(attrs["title"]); m != nil {
		attrs["url"], k.begun = m[1], m[1]
	}
	if m := kuduEnd.FindStringSubmatch(attrs["title"]); m != nil && k.begun != "" {
		attrs["url"], attrs["statusCode"] = k.begun, m[1]
		k.begun = ""
	}
	if attrs["url"] == "" {
		for i := len(k.open) - 1; i >= 0; i-- {
			if u := k.open[i]["url"]; u != "" {
				attrs["url"] = u
				attrs["inheritedUrl"] = "true"
				break
			}
		}
	}
	if attrs["instance"] == "" {
		for i := len(k.open) - 1; i >= 0; i-- {
			if in := k.open[i]["instance"]; in != "" {
				attrs["instance"] = in
				break
			}
		}
	}
	if !selfClosing && len(k.open) < 256 {
		k.open = append(k.open, attrs)
	}
	e := Entry{Message: strings.TrimSpace(line), Instance: attrs["instance"], Props: map[string]string{"tool": "kudu"}}
	for _, name := range []string{"title", "url", "method", "statusCode", "statusText", "type", "elapsed"} {
		if attrs[name] != "" {
			e.Props[name] = attrs[name]
		}
	}
	if d := attrs["date"]; d != "" {
		if t, zoneless, ok := parseISO(d); ok {
			e.At, e.Timed, e.Zoneless = t, true, zoneless
		}
	}
	e.Event = kuduEvent(attrs)
	return e, "", true
}

// kuduEvent reads a Kudu step: one naming admin/host/synctriggers (or the ARM syncfunctiontriggers
// operation) is the caller's request; with a status it succeeded (2xx) or failed.
func kuduEvent(attrs map[string]string) Event {
	u := strings.ToLower(attrs["url"])
	if attrs["inheritedUrl"] != "" && attrs["statusCode"] == "" {
		// A step inside a request that answers nothing is the request's work, not a request.
		return Event{Kind: KindUnknown, Side: SideUnknown}
	}
	if !strings.Contains(u, "synctriggers") && !strings.Contains(u, "syncfunctiontriggers") {
		return Event{Kind: KindUnknown, Side: SideUnknown}
	}
	ev := Event{Kind: KindCallerRequest, Side: SideCaller, Template: `<step title="..." date="..." url=".../admin/host/synctriggers" ... statusCode="...">`,
		Source: srcKudu, Args: map[string]string{"uri": attrs["url"]}}
	if site := siteOfURL(attrs["url"]); site != "" {
		ev.Args["site"] = site
	}
	if s := attrs["statusCode"]; s != "" {
		ev.Args["status"] = s
		if n, ok := StatusCode(s); ok {
			switch {
			case n >= 200 && n < 300:
				ev.Kind = KindCallerSucceeded
			case n >= 400:
				ev.Kind = KindCallerFailed
			}
		}
	}
	return ev
}

// siteOfURL is the site a URL names: the first label of its host (myapp of myapp.azurewebsites.net).
func siteOfURL(u string) string {
	_, rest, ok := strings.Cut(u, "://")
	if !ok {
		return ""
	}
	host, _, _ := strings.Cut(rest, "/")
	label, _, _ := strings.Cut(host, ".")
	if label == "" || label == "management" || strings.Contains(label, ":") || label == "localhost" {
		return ""
	}
	return label
}

func xmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`, "&apos;", "'").Replace(s)
}

// parsePlain reads a message pasted alone, with no time: placed only when the catalogue knows it
// (or it starts an exception's text), unless the format is forced.
func parsePlain(rd *reader, line string) (Entry, string, bool) {
	msg := strings.TrimSpace(line)
	if rd.o.Format == FormatPlain || Known(msg) || IsExceptionHead(msg) {
		return Entry{Message: msg}, "", true
	}
	return Entry{}, "", false
}
