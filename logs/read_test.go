package logs

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func mustRead(t *testing.T, text string, o Options) *Log {
	t.Helper()
	l, err := Read("t.log", strings.NewReader(text), o)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return l
}

// entryWant is what a test expects of one entry ("" / zero fields are not checked, except Kind).
type entryWant struct {
	line, end int
	format    Format
	at        string
	instance  string
	level     string
	category  string
	message   string
	kind      Kind
	args      map[string]string
}

func checkEntries(t *testing.T, l *Log, want []entryWant) {
	t.Helper()
	if len(l.Entries) != len(want) {
		var got []string
		for _, e := range l.Entries {
			got = append(got, renderEntry(e))
		}
		t.Fatalf("got %d entries, want %d:\n%s", len(l.Entries), len(want), strings.Join(got, "\n"))
	}
	for i, w := range want {
		e := l.Entries[i]
		if w.line != 0 && (e.Line != w.line || e.EndLine != w.end) {
			t.Errorf("entry %d: lines %d-%d, want %d-%d", i, e.Line, e.EndLine, w.line, w.end)
		}
		if w.format != "" && e.Format != w.format {
			t.Errorf("entry %d: format %s, want %s", i, e.Format, w.format)
		}
		if w.at != "" {
			got := "-"
			if e.Timed {
				got = e.At.Format(time.RFC3339Nano)
			}
			if got != w.at {
				t.Errorf("entry %d: time %s, want %s", i, got, w.at)
			}
		}
		if w.instance != "" && e.Instance != w.instance {
			t.Errorf("entry %d: instance %q, want %q", i, e.Instance, w.instance)
		}
		if w.level != "" && e.Level != w.level {
			t.Errorf("entry %d: level %q, want %q", i, e.Level, w.level)
		}
		if w.category != "" && e.Category != w.category {
			t.Errorf("entry %d: category %q, want %q", i, e.Category, w.category)
		}
		if w.message != "" && e.Message != w.message {
			t.Errorf("entry %d: message %q, want %q", i, e.Message, w.message)
		}
		if e.Event.Kind != w.kind {
			t.Errorf("entry %d: kind %s, want %s (message %q)", i, e.Event.Kind, w.kind, e.Message)
		}
		for k, v := range w.args {
			if e.Event.Args[k] != v {
				t.Errorf("entry %d: arg %s=%q, want %q (args %v)", i, k, e.Event.Args[k], v, e.Event.Args)
			}
		}
	}
}

func TestReadSyncsim(t *testing.T) {
	l := mustRead(t, `# comment
2026-04-20T10:00:02.120Z pod-a7f3 Information Host.Startup Host started (412ms)
2026-04-20T10:00:32.125Z pod-a7f3 Debug Initiating background SyncTriggers operation
2026-04-20T10:00:32.400Z pod-a7f3 Information Syncsim.World Instance deleted (scale in to 0)
2026-04-20T10:00:33Z platform Warning Syncsim.Platform GET /admin/host/triggers failed (StatusCode=ServiceUnavailable); retrying
`, Options{})
	checkEntries(t, l, []entryWant{
		{line: 2, end: 2, format: FormatSyncsim, at: "2026-04-20T10:00:02.12Z", instance: "pod-a7f3", level: "Information", category: "Host.Startup", message: "Host started (412ms)", kind: KindHostStarted, args: map[string]string{"ms": "412"}},
		{line: 3, end: 3, category: "", message: "Initiating background SyncTriggers operation", kind: KindBackgroundStart},
		{category: "Syncsim.World", kind: KindInstanceDeleted, args: map[string]string{"reason": "scale in to 0"}},
		{instance: "platform", level: "Warning", kind: KindFetchFailed, args: map[string]string{"status": "ServiceUnavailable"}},
	})
	if l.Entries[1].Category != "" {
		t.Errorf("a line without a category took %q", l.Entries[1].Category)
	}
	if len(l.Skipped) != 1 || l.Skipped[0] != (Skip{Line: 1, Reason: "comment"}) {
		t.Errorf("skipped %v, want line 1 as a comment", l.Skipped)
	}
}

func TestReadFunctionLogsFields(t *testing.T) {
	const head = "MS_FUNCTION_LOGS "
	tests := []struct {
		name, line string
		want       entryWant
	}{
		{"quoted message with commas",
			head + `4,sub,myapp,,,Host.General,"","Host lock lease acquired by instance ID 'abc', again, and again",4.1,2024-10-24T14:32:22.6010000Z,,"",,hid,,CONTAINER1,stamp,tenant,myapp,`,
			entryWant{at: "2024-10-24T14:32:22.601Z", instance: "CONTAINER1", level: "Information", category: "Host.General",
				message: "Host lock lease acquired by instance ID 'abc', again, and again", kind: KindLeaseAcquired, args: map[string]string{"instance": "abc"}}},
		{"escaped quotes inside a quoted field",
			head + `5,sub,myapp,,,Microsoft.Azure.WebJobs.Script.WebHost.Management.FunctionsSyncManager,"","Making SyncTriggers request (RequestId=1, Uri=https://x/operations/settriggers, Content={\"triggers\": [], \"functions\": []}).",4.1,2024-10-24T14:32:47.5700000Z,,"",,hid,,C2,s,t,myapp,`,
			entryWant{level: "Debug", instance: "C2", message: `Making SyncTriggers request (RequestId=1, Uri=https://x/operations/settriggers, Content={"triggers": [], "functions": []}).`,
				kind: KindFrontEndRequest, args: map[string]string{"triggers": "0", "requestId": "1"}}},
		{"doubled quotes and a quote followed by text",
			head + `2,sub,myapp,,,Host.General,"","He said ""no"", then "left" early",4.1,2024-10-24T14:32:47.5700000Z,,"",,hid,,C3,s,t,myapp,`,
			entryWant{level: "Error", message: `He said "no", then "left" early`, kind: KindUnknown}},
		{"fields shipped through JSON (\\\")",
			`2024-10-24T14:33:23Z ` + head + `1,,myapp,,,Host.Startup,\"\",\"Host started (5ms)\",4.1,2024-10-24T14:33:23.0000000Z,,\"\",,hid,,C4,s,t,myapp,`,
			entryWant{level: "Critical", instance: "C4", message: "Host started (5ms)", kind: KindHostStarted}},
		{"older host: fields up to the timestamp",
			head + `3,sub,myapp,,,Host.General,"","Failed to renew host lock lease: Another host has acquired the lease. The last successful renewal completed at 2018-09-20T09:10:36.019Z (12132 milliseconds ago) with a duration of 207 milliseconds.",2.0.1,2018-09-20T09:10:48.1520000Z`,
			entryWant{level: "Warning", instance: "-", kind: KindLeaseRenewFailed, args: map[string]string{"ms": "12132", "reason": "Another host has acquired the lease"}}},
		{"exception fields join the message",
			head + `2,sub,myapp,,,Microsoft.Azure.WebJobs.Script.WebHost.Management.FunctionsSyncManager,"","SyncTriggers operation failed.",4.1,2024-10-24T14:32:47.5700000Z,Microsoft.WindowsAzure.Storage.StorageException,"This request is not authorized to perform this operation.",,hid,,C5,s,t,myapp,`,
			entryWant{kind: KindSyncFailed, args: map[string]string{"storage": "refused", "status": "403", "exception": "Microsoft.WindowsAzure.Storage.StorageException"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := mustRead(t, tt.line+"\n", Options{})
			w := tt.want
			w.format = FormatFunctionLogs
			if w.instance == "-" {
				w.instance = ""
				if l.Entries[0].Instance != "" {
					t.Errorf("instance %q, want none", l.Entries[0].Instance)
				}
			}
			checkEntries(t, l, []entryWant{w})
		})
	}
}

func TestReadLogStreamZoneless(t *testing.T) {
	l := mustRead(t, `2018-09-20T09:10:48.075 [Error] Failed to renew host lock lease: Another host has acquired the lease. The last successful renewal completed at 2018-09-20T09:10:36.019Z (12132 milliseconds ago) with a duration of 207 milliseconds.
2018-09-20 09:10:49.000 +02:00 [Information] Host started (10ms)
2018-09-20T09:10:50  PID[6412] Verbose Initiating background SyncTriggers operation
info: Host.Startup[401]
      Starting Host (HostId=myapp, InstanceId=abc, Version=4.1, ProcessId=1, AppDomainId=1, InDebugMode=False, InDiagnosticMode=False, FunctionsExtensionVersion=~4)
`, Options{})
	checkEntries(t, l, []entryWant{
		{line: 1, end: 1, format: FormatLogStream, at: "2018-09-20T09:10:48.075Z", level: "Error", kind: KindLeaseRenewFailed, args: map[string]string{"ms": "12132"}},
		{at: "2018-09-20T07:10:49Z", level: "Information", kind: KindHostStarted},
		{at: "2018-09-20T09:10:50Z", level: "Debug", kind: KindBackgroundStart},
		{line: 4, end: 5, format: FormatLogStream, at: "-", level: "Information", category: "Host.Startup", kind: KindHostStarting, args: map[string]string{"hostId": "myapp"}},
	})
	if !l.Entries[0].Zoneless || l.Entries[1].Zoneless || !l.Entries[2].Zoneless {
		t.Errorf("zoneless flags %v %v %v, want true false true", l.Entries[0].Zoneless, l.Entries[1].Zoneless, l.Entries[2].Zoneless)
	}
	if len(l.Notes) == 0 || !strings.Contains(l.Notes[0], "without a zone taken as UTC (first at line 1)") {
		t.Errorf("notes %q: want the zoneless note naming line 1", l.Notes)
	}
}

func TestReadCaller(t *testing.T) {
	l := mustRead(t, `##[debug]Calling sync triggers
2023-01-01T10:00:00.0000000Z ##[error]Error calling sync triggers (InternalServerError).
[2023-01-01T10:00:01.000Z] Syncing triggers...
Retry: 2 of 5
11:59:58 PM myapp: Syncing triggers (Attempt 2/6)...
12:00:03 AM myapp: Syncing triggers (Attempt 3/6)...
<step title="Incoming Request" date="2018-09-20T09:10:48.075" instance="f713f0" url="/admin/host/synctriggers" method="POST" type="request">
  <step title="Outgoing response" date="2018-09-20T09:10:49.000" type="response" statusCode="503" />
</step>
`, Options{Date: time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)})
	checkEntries(t, l, []entryWant{
		{line: 1, end: 1, format: FormatCaller, at: "-", level: "Debug", message: "Calling sync triggers", kind: KindUnknown},
		{at: "2023-01-01T10:00:00Z", level: "Error", kind: KindCallerFailed, args: map[string]string{"status": "InternalServerError"}},
		{at: "2023-01-01T10:00:01Z", kind: KindCallerSyncing},
		{at: "-", kind: KindCallerSyncing, args: map[string]string{"attempt": "2", "of": "5"}},
		{at: "2023-01-01T23:59:58Z", kind: KindCallerSyncing, args: map[string]string{"attempt": "2", "of": "6"}},
		{at: "2023-01-02T00:00:03Z", kind: KindCallerSyncing, args: map[string]string{"attempt": "3"}},
		{at: "2018-09-20T09:10:48.075Z", instance: "f713f0", kind: KindCallerRequest, args: map[string]string{"uri": "/admin/host/synctriggers"}},
		{at: "2018-09-20T09:10:49Z", instance: "f713f0", kind: KindCallerFailed, args: map[string]string{"status": "503", "uri": "/admin/host/synctriggers"}},
	})
	for _, s := range l.Skipped {
		if s.Line == 1 {
			t.Errorf("##[debug] line skipped as %q", s.Reason)
		}
	}
	if !l.Entries[4].Dateless {
		t.Error("a time of day was not marked Dateless")
	}
}

func TestReadYearless(t *testing.T) {
	l := mustRead(t, "Sep 20 09:10:48 Syncing triggers...\n", Options{Year: 2019})
	checkEntries(t, l, []entryWant{{at: "2019-09-20T09:10:48Z", kind: KindCallerSyncing}})
	l = mustRead(t, "Sep 20 09:10:48 Syncing triggers...\n", Options{})
	if len(l.Notes) == 0 || !strings.Contains(l.Notes[0], "--year") {
		t.Errorf("notes %q: want the note asking for --year", l.Notes)
	}
}

func TestReadContinuations(t *testing.T) {
	l := mustRead(t, `2024-10-24T14:32:47.570 [Debug] Making SyncTriggers request (RequestId=r1, Uri=https://myapp.azurewebsites.net/operations/settriggers, Content={
  "triggers": [],

  "functions": []
}).
2024-10-24T14:32:48.000 [Error] SyncTriggers operation failed.
System.InvalidOperationException: boom
 ---> System.NullReferenceException: Object reference not set to an instance of an object.
   at Foo.Bar()
   --- End of inner exception stack trace ---
   at Baz.Qux()
this line is nobody's
System.NullReferenceException: Object reference not set to an instance of an object.
   at Foo.Bar()
`, Options{})
	checkEntries(t, l, []entryWant{
		{line: 1, end: 5, kind: KindFrontEndRequest, args: map[string]string{"triggers": "0", "requestId": "r1"}},
		{line: 6, end: 11, kind: KindSyncFailed, args: map[string]string{"exception": "System.InvalidOperationException"}},
		{line: 13, end: 14, format: FormatPlain, at: "-", kind: KindException, args: map[string]string{"type": "System.NullReferenceException"}},
	})
	found := false
	for _, s := range l.Skipped {
		if s.Line == 12 {
			found = s.Reason == "unplaced: other text"
		}
	}
	if !found {
		t.Errorf("line 12 not skipped as unplaced text: %v", l.Skipped)
	}
}

func TestReadMixedFormats(t *testing.T) {
	l := mustRead(t, `2024-10-24T14:31:58.1234567Z ##[section]Starting: Deploy
2024-10-24T14:32:47.990 [Debug] SyncTriggers call failed (StatusCode=BadRequest).
MS_FUNCTION_LOGS 4,,myapp,,,Host.Startup,"","Host started (5ms)",4.1,2024-10-24T14:33:23.0000000Z,,"",,hid,,C4,s,t,myapp,
2026-04-20T10:00:02.120Z pod-a7f3 Information Host.Startup Job host started
Host lock lease acquired by instance ID 'abc'.
`, Options{})
	checkEntries(t, l, []entryWant{
		{format: FormatCaller, kind: KindUnknown},
		{format: FormatLogStream, kind: KindFrontEndFailed, args: map[string]string{"status": "BadRequest"}},
		{format: FormatFunctionLogs, kind: KindHostStarted},
		{format: FormatSyncsim, kind: KindHostInit},
		{format: FormatPlain, kind: KindLeaseAcquired},
	})
	for _, f := range []Format{FormatCaller, FormatLogStream, FormatFunctionLogs, FormatSyncsim, FormatPlain} {
		if l.Formats[f] != 1 {
			t.Errorf("Formats[%s] = %d, want 1", f, l.Formats[f])
		}
	}
}

func TestReadNoTimes(t *testing.T) {
	l := mustRead(t, "Syncing triggers...\nSyncing triggers...\nError calling sync triggers (BadRequest).\n", Options{})
	for i, e := range l.Entries {
		if e.Timed || e.Line != i+1 {
			t.Errorf("entry %d: timed %v line %d, want untimed in line order", i, e.Timed, e.Line)
		}
	}
	if len(l.Entries) != 3 {
		t.Errorf("%d entries, want 3", len(l.Entries))
	}
}

func TestReadForcedFormat(t *testing.T) {
	text := "2018-09-20T09:10:48.075 [Error] Host started (5ms)\nsomething only a person knows\n"
	l := mustRead(t, text, Options{Format: FormatPlain})
	checkEntries(t, l, []entryWant{
		{format: FormatPlain, at: "-", message: "2018-09-20T09:10:48.075 [Error] Host started (5ms)", kind: KindUnknown},
		{format: FormatPlain, message: "something only a person knows", kind: KindUnknown},
	})
	_, err := Read("t.log", strings.NewReader(text), Options{Format: FormatSyncsim})
	if !errors.Is(err, ErrUnknownFormat) || !strings.Contains(err.Error(), "t.log:1:") || !strings.Contains(err.Error(), "format syncsim") {
		t.Errorf("forced syncsim on a log stream: %v, want ErrUnknownFormat naming line 1 and the format", err)
	}
	if _, err := Read("t.log", strings.NewReader(text), Options{Format: "nope"}); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("an unknown forced format: %v, want ErrUnknownFormat", err)
	}
}

func TestReadUnknownFormat(t *testing.T) {
	_, err := Read("x.log", strings.NewReader("# notes\nfoo bar\nbaz\n"), Options{})
	if !errors.Is(err, ErrUnknownFormat) {
		t.Fatalf("err %v, want ErrUnknownFormat", err)
	}
	msg := err.Error()
	for _, want := range []string{"x.log:2:", `"foo bar"`, "fix:"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	for _, f := range Formats() {
		if !strings.Contains(msg, string(f)) {
			t.Errorf("error %q does not name format %s", msg, f)
		}
	}
	if _, err := Read("e.log", strings.NewReader(""), Options{}); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("an empty log: %v, want ErrUnknownFormat", err)
	}
}

func TestReadLimits(t *testing.T) {
	line := "Syncing triggers...\n"
	tests := []struct {
		name, text, where string
		o                 Options
	}{
		{"bytes", strings.Repeat(line, 10), "t.log:3:", Options{MaxBytes: int64(2*len(line) + 5)}},
		{"line bytes", line + strings.Repeat("x", 100) + "\n", "t.log:2:", Options{MaxLineBytes: 50}},
		{"entries", strings.Repeat(line, 10), "t.log:4:", Options{MaxEntries: 3}},
		{"csv row", "timestamp,message\n2024-01-01T00:00:00Z," + strings.Repeat("y", 100) + "\n", "t.log:2:", Options{MaxLineBytes: 50}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read("t.log", strings.NewReader(tt.text), tt.o)
			if !errors.Is(err, ErrLimit) {
				t.Fatalf("err %v, want ErrLimit", err)
			}
			if !strings.HasPrefix(err.Error(), tt.where) || !strings.Contains(err.Error(), "(fix: ") {
				t.Errorf("err %q: want it to start with %q and give a fix", err, tt.where)
			}
		})
	}
	// A stream longer than the limit is not read past it.
	r := &countingReader{r: strings.NewReader(strings.Repeat(line, 1000))}
	if _, err := Read("t.log", r, Options{MaxBytes: 100}); !errors.Is(err, ErrLimit) || r.n > 4096 {
		t.Errorf("err %v after reading %d bytes; want ErrLimit after little more than the limit", err, r.n)
	}
}

type countingReader struct {
	r interface{ Read([]byte) (int, error) }
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	if len(p) > 512 {
		p = p[:512]
	}
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestReadAppInsightsCSV(t *testing.T) {
	l := mustRead(t, `Message,TimeGenerated [UTC],SeverityLevel,Properties,AppRoleInstance
"SyncTriggers call failed (StatusCode=ServiceUnavailable).",2024-10-24T14:32:47.99Z,0,"{""Category"":""Microsoft.Azure.WebJobs.Script.WebHost.Management.FunctionsSyncManager"",""HostInstanceId"":""h1"",""prop__StatusCode"":""ServiceUnavailable""}",pod1
"Host started (5ms)",2024-10-24 14:33:00.5,2,"{""LogLevel"":""Critical""}",pod2
`, Options{})
	checkEntries(t, l, []entryWant{
		{line: 2, end: 2, format: FormatAppInsightsCSV, at: "2024-10-24T14:32:47.99Z", instance: "pod1", level: "Debug",
			category: "Microsoft.Azure.WebJobs.Script.WebHost.Management.FunctionsSyncManager", kind: KindFrontEndFailed, args: map[string]string{"status": "ServiceUnavailable"}},
		{line: 3, end: 3, at: "2024-10-24T14:33:00.5Z", instance: "pod2", level: "Critical", kind: KindHostStarted},
	})
	if got := l.Entries[0].Props["HostInstanceId"]; got != "h1" {
		t.Errorf("HostInstanceId %q, want h1", got)
	}
	if got := l.Entries[0].Props["prop__StatusCode"]; got != "ServiceUnavailable" {
		t.Errorf("prop__StatusCode %q, want ServiceUnavailable", got)
	}
	if l.Entries[1].Zoneless {
		t.Error("a time in a [UTC] column was marked zoneless")
	}
}

func TestReadAppInsightsJSONNotAnExport(t *testing.T) {
	// JSON that is no export is read line by line, and its lines are unknown.
	_, err := Read("t.json", strings.NewReader(`[{"a": 1}]`), Options{})
	if !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("err %v, want ErrUnknownFormat", err)
	}
	_, err = Read("t.json", strings.NewReader(`[{"a": 1}]`), Options{Format: FormatAppInsightsJSON})
	if !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("forced: err %v, want ErrUnknownFormat", err)
	}
}

func TestParseFormat(t *testing.T) {
	for _, f := range Formats() {
		got, err := ParseFormat(strings.ToUpper(string(f)))
		if err != nil || got != f {
			t.Errorf("ParseFormat(%q) = %q, %v", f, got, err)
		}
	}
	if got, err := ParseFormat("MS_FUNCTION_LOGS"); err != nil || got != FormatFunctionLogs {
		t.Errorf("ParseFormat(MS_FUNCTION_LOGS) = %q, %v", got, err)
	}
	_, err := ParseFormat("xml")
	if !errors.Is(err, ErrUnknownFormat) || !strings.Contains(err.Error(), "ms-function-logs") || !strings.Contains(err.Error(), `"xml"`) {
		t.Errorf("ParseFormat(xml) error %v: want ErrUnknownFormat naming the input and the formats", err)
	}
}

func TestReadAppServiceFunctionLogs(t *testing.T) {
	l := mustRead(t, `4,sub,myapp.azurewebsites.net,myapp,,,Host.General,"","Host lock lease acquired by instance ID 'abc'.",4.1,2024-10-24T14:32:22.6010000Z,,"",,hid,act`+"\n", Options{})
	checkEntries(t, l, []entryWant{{format: FormatFunctionLogs, at: "2024-10-24T14:32:22.601Z", level: "Information", category: "Host.General", kind: KindLeaseAcquired}})
	if l.Entries[0].Props["hostName"] != "myapp.azurewebsites.net" || l.Entries[0].Props["HostInstanceId"] != "hid" || l.Entries[0].Instance != "" {
		t.Errorf("props %v instance %q", l.Entries[0].Props, l.Entries[0].Instance)
	}
}
