package logs

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// realSource is the first line of a real excerpt: `# <owner>/<repo>#<number>: <url>`.
var realSource = regexp.MustCompile(`^# [\w.-]+/[\w.-]+#\d+: https://github\.com/\S+$`)

var rewrite = flag.Bool("rewrite", false, "rewrite the golden files of testdata/real and testdata/synthetic")

// render is the golden rendering of a log: the formats and counts, the notes, then one line per
// entry: line range, format, time or "-", instance, level, category, kind, args.
func render(l *Log) string {
	var b strings.Builder
	var formats []string
	for f, n := range l.Formats {
		formats = append(formats, fmt.Sprintf("%s=%d", f, n))
	}
	sort.Strings(formats)
	fmt.Fprintf(&b, "formats: %s\n", strings.Join(formats, " "))
	fmt.Fprintf(&b, "entries: %d of %d lines\n", len(l.Entries), l.Lines)
	reasons := map[string]int{}
	for _, s := range l.Skipped {
		reasons[s.Reason]++
	}
	var rs []string
	for r, n := range reasons {
		rs = append(rs, fmt.Sprintf("%s=%d", r, n))
	}
	sort.Strings(rs)
	fmt.Fprintf(&b, "skipped: %s\n", strings.Join(rs, " "))
	for _, n := range l.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	for _, e := range l.Entries {
		b.WriteString(renderEntry(e))
		b.WriteByte('\n')
	}
	return b.String()
}

func renderEntry(e Entry) string {
	at := "-"
	if e.Timed {
		at = e.At.Format(time.RFC3339Nano)
		if e.Dateless {
			at = "dateless:" + at
		}
		if e.Zoneless {
			at += "(zoneless)"
		}
	}
	var args []string
	for k, v := range e.Event.Args {
		v = strings.ReplaceAll(v, "\n", `\n`)
		if len(v) > 60 {
			v = v[:60] + "..."
		}
		args = append(args, k+"="+v)
	}
	sort.Strings(args)
	return fmt.Sprintf("L%d-%d %s %s %s %s %s %s %s", e.Line, e.EndLine, e.Format, at, orDash(e.Instance),
		orDash(e.Level), orDash(e.Category), e.Event.Kind, strings.Join(args, " "))
}

// TestCorpus reads every excerpt of testdata/real (kept verbatim from public issues) and
// testdata/synthetic (built from upstream code) and compares what Read makes of it with its golden
// file (-rewrite regenerates them). Every real excerpt must give at least one kind the catalogue
// knows, and every file must start with the comment naming its source.
func TestCorpus(t *testing.T) {
	for _, dir := range []string{"testdata/real", "testdata/synthetic"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.log"))
		if err != nil {
			t.Fatal(err)
		}
		if dir == "testdata/real" && len(files) < 10 {
			t.Errorf("%s holds %d excerpts, want at least 10", dir, len(files))
		}
		for _, path := range files {
			t.Run(path, func(t *testing.T) {
				data, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				first, _, _ := strings.Cut(string(data), "\n")
				switch {
				case dir == "testdata/real" && !realSource.MatchString(first):
					t.Errorf("first line %q: want `# <repo>#<number>: <url>`", first)
				case dir == "testdata/synthetic" && !strings.Contains(strings.ToLower(first), "synthetic"):
					t.Errorf("first line %q: want a comment saying the excerpt is synthetic", first)
				}
				l, err := Read(path, strings.NewReader(string(data)), Options{})
				if err != nil {
					t.Fatal(err)
				}
				got := render(l)
				golden := strings.TrimSuffix(path, ".log") + ".golden"
				if *rewrite {
					if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (fix: go test ./logs -rewrite)", err)
				}
				if got != string(want) {
					t.Errorf("%s differs from what Read makes of %s:\n--- got\n%s--- want\n%s", golden, path, got, want)
				}
				known := 0
				for _, e := range l.Entries {
					if e.Event.Kind != KindUnknown {
						known++
					}
				}
				if dir == "testdata/real" && known == 0 {
					t.Errorf("%s: no entry of a kind the catalogue knows", path)
				}
			})
		}
	}
}
