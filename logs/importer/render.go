package importer

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/syncsim/syncsim/output/redact"
)

// render writes the story as a scenario (SCHEMA.md), its comments masked (maskComments). failing
// lists the properties the run fails in the story's mode (nil: not known yet, no expect section).
func (s *story) render(failing []string) []byte {
	var b bytes.Buffer
	s.header(&b, failing)
	fmt.Fprintf(&b, "name: %s\n", s.name)
	fmt.Fprintf(&b, "description: imported log, site %s in %s mode\n", s.site, s.mode)
	fmt.Fprintf(&b, "site:\n  name: %s\n", s.site)
	if s.hostID != "" {
		fmt.Fprintf(&b, "  host_id: %s\n", s.hostID)
	}
	s.content(&b)
	fmt.Fprintf(&b, "instances:\n  count: %d\n", s.count)
	s.timeline(&b)
	s.faults(&b)
	if s.retryBudget > 0 {
		fmt.Fprintf(&b, "mesh:\n  retry_budget: %s # the log's platform abandons its fetch after that long\n", duration(s.retryBudget))
	}
	fmt.Fprintf(&b, "settle: %s\n", duration(s.settle()))
	fmt.Fprintf(&b, "modes: [%s]\n", s.mode)
	if failing != nil {
		fmt.Fprintf(&b, "expect:\n  %s: [%s]\n", s.mode, strings.Join(failing, ", "))
	}
	return maskComments(b.Bytes())
}

// maskComments masks the credentials in the scenario's comment lines, the only lines that hold the
// log's free text (unknown lines, messages), with the one redaction (output/redact, PAY-4): by
// name, by structure, and every value learnt from any comment wherever it appears in another, also
// in an earlier one. The other lines are the importer's own YAML (names the log's patterns
// validated, placeholder keys) and are left as written: a mask would change what they mean.
func maskComments(out []byte) []byte {
	lines := bytes.SplitAfter(out, []byte("\n"))
	var text strings.Builder
	for _, l := range lines {
		if isComment(l) {
			text.Write(l)
		}
	}
	if text.Len() == 0 {
		return out
	}
	r := redact.New(nil)
	if len(r.Learn(text.String())) == 0 && !strings.Contains(text.String(), "eyJ") {
		return out
	}
	var b bytes.Buffer
	b.Grow(len(out))
	for _, l := range lines {
		if isComment(l) {
			b.WriteString(r.String(string(l)))
		} else {
			b.Write(l)
		}
	}
	return b.Bytes()
}

// isComment reports whether a rendered line is a YAML comment line.
func isComment(line []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeft(line, " "), []byte("#"))
}

// header is the comment block SCHEMA.md asks for: the source, the story, what was inferred, from
// which line, what is a default, and why the run fails.
func (s *story) header(b *bytes.Buffer, failing []string) {
	comment(b, "", "Imported from "+s.file+" by `simrun import`.")
	plot := "nothing the simulator plays"
	if len(s.plot) > 0 {
		plot = strings.Join(s.plot, "; ")
	}
	comment(b, "", "Story: site "+s.site+" in "+s.mode+" mode: "+plot+".")
	comment(b, "", "Inferred (from the log's lines), given by flag, or a default:")
	comment(b, "- ", s.set.Site.describe("site"))
	comment(b, "- ", s.set.HostID.describe("host id"))
	if s.set.Mode.Default() {
		comment(b, "- ", "mode frontend: a default, what shipped (the log shows no Site settings line and no mesh notification; set it with --mode)")
	} else {
		comment(b, "- ", s.set.Mode.describe("mode"))
	}
	if len(s.set.Instances) > 0 {
		comment(b, "- ", "instances the log names: "+strings.Join(s.set.Instances, ", ")+"; host lines naming none belong to "+s.set.Unnamed.Value+" ("+s.set.Unnamed.From+")")
	} else {
		comment(b, "- ", "the log names no instance: its host lines belong to "+s.set.Unnamed.Value+" ("+s.set.Unnamed.From+")")
	}
	clamped := ""
	if s.clamped > 0 {
		clamped = fmt.Sprintf("; %d earlier line(s) are placed at 0s", s.clamped)
	}
	if s.first != "" {
		comment(b, "- ", fmt.Sprintf("t=0 is %s, %s (instances.startup) before %s's host start, so that the simulator's first host start lines up with the log's%s.",
			s.start.Format(time.RFC3339Nano), duration(startup), s.first, clamped))
	} else {
		comment(b, "- ", fmt.Sprintf("t=0 is %s, %s (instances.startup) before the log's first line%s.", s.start.Format(time.RFC3339Nano), duration(startup), clamped))
	}
	comment(b, "- ", "the log does not show the site's content: the functions are a plausible default (one HTTP and one queue trigger) and each deploy adds a timer function, so that the content changes.")
	comment(b, "- ", "key values are placeholders made by the importer, never copied from the log; a rotation's new value comes from the run's seed.")
	comment(b, "- ", "syncs, hash reads and writes, mesh notifications and the platform's fetches are not scripted: the simulator's host (a background sync 30 s after each host start) and platform make them. Their log lines are comments below at their offsets.")
	for _, f := range s.scripted {
		comment(b, "- ", f.comment+": a delete-instance fault at after-hash-write (background syncs) from "+duration(f.after)+", since the log shows the deletion right after the hash write.")
	}
	for _, f := range s.profile {
		effect := f.effect
		if effect == "" {
			effect = "so that the simulator's call at that time fails as the logged one did"
		}
		comment(b, "- ", f.comment+fmt.Sprintf(" (p 1, from %s until %s), %s.", duration(f.after), duration(f.until), effect))
	}
	if len(s.otherSites) > 0 {
		comment(b, "- ", "other sites named in the log ("+strings.Join(s.otherSites, ", ")+") are ignored: the scenario is site "+s.site+".")
	}
	for _, n := range s.notes {
		comment(b, "- ", n+".")
	}
	for _, c := range s.cannot {
		comment(b, "- ", "the model cannot tell: "+c+".")
	}
	if failing != nil {
		ids := "nothing"
		if len(failing) > 0 {
			ids = strings.Join(failing, ", ")
		}
		comment(b, "- ", fmt.Sprintf("expect lists what `simrun run --raw --mode %s --seed 1` fails: %s.", s.mode, ids))
		for _, w := range s.why {
			comment(b, "", "  - "+w)
		}
	}
}

// content is a plausible default (the log does not show it), with placeholder keys.
func (s *story) content(b *bytes.Buffer) {
	b.WriteString(`content:
  # Not in the log: a plausible default set of functions.
  functions:
    - name: HttpTrigger1
      bindings:
        - {type: httpTrigger, direction: in, name: req, authLevel: function, methods: [get, post]}
        - {type: http, direction: out, name: res}
    - name: QueueTrigger1
      bindings:
        - {type: queueTrigger, direction: in, name: msg, queueName: orders, connection: AzureWebJobsStorage}
  # Placeholders made by the importer.
  keys:
    master: imported-master-key-0001
`)
	n := 1
	keySet := func(kind string, names []string) {
		if len(names) == 0 {
			return
		}
		fmt.Fprintf(b, "    %s:\n", kind)
		for _, name := range names {
			n++
			fmt.Fprintf(b, "      %s: imported-%s-key-%04d\n", name, kind, n)
		}
	}
	keySet("host", s.hostKeys)
	keySet("system", s.systemKeys)
	n++
	fmt.Fprintf(b, "    functions:\n      HttpTrigger1: {default: imported-function-key-%04d}\n", n)
}

// timeline writes the actions with every log line as a comment at its place, in time order (the
// log's order for the same time).
func (s *story) timeline(b *bytes.Buffer) {
	items := slices.Clone(s.items)
	slices.SortStableFunc(items, func(a, c item) int { return cmp.Compare(a.at, c.at) })
	b.WriteString("# Offsets from t=0, the log's time and line in parentheses, then the instance.\ntimeline:\n")
	for _, it := range items {
		comment(b, "  ", it.comment)
		if it.action == nil {
			continue
		}
		fmt.Fprintf(b, "  - at: %s\n", duration(it.at))
		for _, l := range it.action {
			fmt.Fprintf(b, "    %s\n", l)
		}
	}
}

func (s *story) faults(b *bytes.Buffer) {
	if len(s.scripted) == 0 && len(s.profile) == 0 {
		return
	}
	b.WriteString("faults:\n")
	if len(s.scripted) > 0 {
		b.WriteString("  scripted:\n")
		for _, f := range s.scripted {
			comment(b, "    ", f.comment+".")
			fmt.Fprintf(b, "    - fault: delete-instance\n      point: after-hash-write\n      after: %s\n      background: true\n", duration(f.after))
		}
	}
	if len(s.profile) > 0 {
		b.WriteString("  profile:\n")
		for _, f := range s.profile {
			comment(b, "    ", f.comment+".")
			params := append(slices.Clone(f.params), "after: "+duration(f.after), "until: "+duration(f.until))
			fmt.Fprintf(b, "    - {fault: %s, params: {%s}}\n", f.fault, strings.Join(params, ", "))
		}
	}
	fmt.Fprintf(b, "faults_end: %s # just after the last fault\n", duration(s.faultsEnd))
}

// settle lasts until settleAfterLast past the log's last event, in whole minutes.
func (s *story) settle() time.Duration {
	start := max(s.faultsEnd, s.lastAt())
	d := max(s.lastEvent-start, 0) + settleAfterLast
	return (d + time.Minute - 1).Truncate(time.Minute)
}

// comment writes text as one YAML comment line; control characters cannot end the comment early.
func comment(b *bytes.Buffer, indent, text string) {
	if text == "" {
		return
	}
	text = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || r == 0x2028 || r == 0x2029 || r == 0x85 {
			return ' '
		}
		return r
	}, text)
	prefix := indent
	if strings.HasPrefix(indent, "- ") {
		prefix = "" // a list item of the header
		text = indent + text
	}
	fmt.Fprintf(b, "%s# %s\n", prefix, text)
}

// duration renders d as a Go duration without zero parts (1h5s, 59m57.88s, 250ms, 0s), to the
// millisecond.
func duration(d time.Duration) string {
	d = d.Round(time.Millisecond)
	if d <= 0 {
		return "0s"
	}
	if d < time.Second {
		return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
	}
	var out string
	if h := d / time.Hour; h > 0 {
		out += strconv.FormatInt(int64(h), 10) + "h"
		d -= h * time.Hour
	}
	if m := d / time.Minute; m > 0 {
		out += strconv.FormatInt(int64(m), 10) + "m"
		d -= m * time.Minute
	}
	if d > 0 {
		secs, ms := d/time.Second, (d%time.Second)/time.Millisecond
		out += strconv.FormatInt(int64(secs), 10)
		if ms > 0 {
			out += strings.TrimRight(fmt.Sprintf(".%03d", ms), "0")
		}
		out += "s"
	}
	return out
}
