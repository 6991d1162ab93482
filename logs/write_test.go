package logs

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

// roundTripEntries are entries of every side, with commas, quotes of one kind, brackets and a JSON
// content in their messages.
func roundTripEntries() []Entry {
	at := time.Date(2026, 4, 20, 10, 0, 2, 120_000_000, time.UTC)
	return []Entry{
		{At: at, Instance: "pod-a7f3", Level: "Information", Category: "Host.Startup",
			Message: "Starting Host (HostId=myapp, InstanceId=pod-a7f3, Version=4.1036.1.23224, ProcessId=1, AppDomainId=1, InDebugMode=False, InDiagnosticMode=False, FunctionsExtensionVersion=~4)"},
		{At: at.Add(5 * time.Second), Instance: "pod-a7f3", Level: "Information", Category: "Host.General",
			Message: "Host lock lease acquired by instance ID 'pod-a7f3'."},
		{At: at.Add(30*time.Second + 7*time.Microsecond), Instance: "pod-a7f3", Level: "Debug",
			Category: "Microsoft.Azure.WebJobs.Script.WebHost.Management.FunctionsSyncManager",
			Message:  "Making SyncTriggers request (RequestId=r1, Uri=https://myapp.azurewebsites.net/operations/settriggers, Content={'triggers': [], 'functions': []})."},
		{At: at.Add(31 * time.Second), Instance: "pod-a7f3", Level: "Error",
			Category: "Microsoft.Azure.WebJobs.Script.WebHost.Management.FunctionsSyncManager",
			Message:  "SyncTriggers operation failed.\nSystem.InvalidOperationException: boom, twice"},
		{At: at.Add(40 * time.Second), Instance: "platform", Level: "Warning", Category: "Syncsim.Platform",
			Message: "GET /admin/host/triggers failed (StatusCode=ServiceUnavailable); retrying"},
		{At: at.Add(41 * time.Second), Level: "Critical", Category: "Syncsim.World",
			Message: "Site settings (Site=myapp, HostId=myapp, Mode=additive, FUNCTIONS_NOTIFY_PLATFORM_ON_SYNC=true)"},
	}
}

// TestWriteReadRoundTrip writes entries in every format Write writes and reads them back: time,
// instance, level, category and message come back, and the catalogue reads them the same.
func TestWriteReadRoundTrip(t *testing.T) {
	for _, f := range Writable() {
		t.Run(string(f), func(t *testing.T) {
			in := roundTripEntries()
			var buf bytes.Buffer
			if err := Write(&buf, f, in); err != nil {
				t.Fatal(err)
			}
			l, err := Read("rt", &buf, Options{})
			if err != nil {
				t.Fatalf("Read: %v\n%s", err, buf.String())
			}
			if len(l.Entries) != len(in) {
				t.Fatalf("%d entries back, want %d:\n%s", len(l.Entries), len(in), buf.String())
			}
			for i, e := range l.Entries {
				w := in[i]
				if e.Format != f {
					t.Errorf("entry %d read as %s", i, e.Format)
				}
				if !e.Timed || !e.At.Equal(w.At) || e.Zoneless {
					t.Errorf("entry %d: time %v (timed %v, zoneless %v), want %v", i, e.At, e.Timed, e.Zoneless, w.At)
				}
				if e.Instance != w.Instance || e.Level != w.Level || e.Category != w.Category || e.Message != w.Message {
					t.Errorf("entry %d: got (%q %q %q %q), want (%q %q %q %q)", i, e.Instance, e.Level, e.Category, e.Message,
						w.Instance, w.Level, w.Category, w.Message)
				}
				if want := Classify(w.Category, w.Level, w.Message).Kind; e.Event.Kind != want || want == KindUnknown {
					t.Errorf("entry %d: kind %s, want %s (known)", i, e.Event.Kind, want)
				}
			}
		})
	}
}

// TestWriteFunctionLogsUpstream checks the line against upstream's field order and NormalizeString:
// double quotes become single quotes, the message's further lines become details, Trace is Verbose.
func TestWriteFunctionLogsUpstream(t *testing.T) {
	e := Entry{At: time.Date(2024, 10, 24, 14, 32, 17, 123456700, time.UTC), Instance: "C1", Level: "Trace", Category: "Host.General",
		Message: "He said \"no\"\nline two\nline three", Props: map[string]string{"appName": "myapp", "HostInstanceId": "hid"}}
	var buf bytes.Buffer
	if err := Write(&buf, FormatFunctionLogs, []Entry{e}); err != nil {
		t.Fatal(err)
	}
	want := `MS_FUNCTION_LOGS 5,,myapp,,,Host.General,"line two line three","He said 'no'",,2024-10-24T14:32:17.1234567Z,,"",,hid,,C1,,,,` + "\n"
	if buf.String() != want {
		t.Fatalf("wrote\n%s\nwant\n%s", buf.String(), want)
	}
	l := mustRead(t, buf.String(), Options{})
	if got := l.Entries[0]; got.Level != "Debug" || got.Message != "He said 'no'\nline two line three" {
		t.Errorf("read back level %q message %q", got.Level, got.Message)
	}
}

func TestWriteUnknownFormat(t *testing.T) {
	err := Write(&bytes.Buffer{}, FormatLogStream, roundTripEntries())
	if !errors.Is(err, ErrUnknownFormat) || !strings.Contains(err.Error(), "appinsights-json") {
		t.Errorf("err %v, want ErrUnknownFormat naming the formats Write writes", err)
	}
}

// FuzzRead: no input makes Read panic, and what it returns is bounded by its input.
func FuzzRead(f *testing.F) {
	f.Add([]byte("2026-04-20T10:00:02.120Z pod Information Host.Startup Host started (1ms)\n"))
	f.Add([]byte("MS_FUNCTION_LOGS 4,,a,,,Host.General,\"\",\"x, \"\"y\"\"\",1,2024-01-01T00:00:00Z,,\"\",,,,C,,,,\n"))
	f.Add([]byte("timestamp,message\n2024-01-01T00:00:00Z,\"Host started (1ms)\"\n"))
	f.Add([]byte(`{"tables":[{"columns":[{"name":"timestamp"},{"name":"message"}],"rows":[["2024-01-01T00:00:00Z","x"]]}]}`))
	f.Add([]byte("[{\"timestamp\":\"2024-01-01T00:00:00Z\",\"message\":\"Host started (1ms)\"}]"))
	f.Add([]byte("<step title=\"a\" date=\"2018-09-20T09:10:48.075\" url=\"/admin/host/synctriggers\">\n<step title=\"b\" statusCode=\"500\"/>\n</step>\n"))
	f.Add([]byte("Making SyncTriggers request (RequestId=1, Uri=u, Content={\n\"triggers\": [\n\n"))
	f.Add([]byte("11:59:58 PM a: Syncing triggers...\n12:00:01 AM a: Syncing triggers (Attempt 2/6)...\n##[debug]x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Read("fuzz", bytes.NewReader(data), Options{MaxBytes: 1 << 16, MaxLineBytes: 4096, MaxEntries: 1000})
		if err != nil {
			if !errors.Is(err, ErrLimit) && !errors.Is(err, ErrUnknownFormat) && !strings.Contains(err.Error(), "fix:") {
				t.Fatalf("error without a sentinel or a fix: %v", err)
			}
			return
		}
		if len(l.Entries) == 0 || len(l.Entries) > 1000 || len(l.Entries) > l.Lines {
			t.Fatalf("%d entries of %d lines", len(l.Entries), l.Lines)
		}
		size := 0
		for _, e := range l.Entries {
			size += len(e.Message)
			if e.Line < 1 || e.EndLine < e.Line || e.EndLine > l.Lines {
				t.Fatalf("entry lines %d-%d of %d", e.Line, e.EndLine, l.Lines)
			}
		}
		if size > 2*len(data)+64 {
			t.Fatalf("messages hold %d bytes of a %d-byte input", size, len(data))
		}
	})
}
