package site

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/trace"
)

var (
	t0       = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	testSite = host.Site{Name: "myapp", HostID: "myapp", EncryptionKey: strings.Repeat("ab", 32)}
)

// calls is a fake driver's log: each record it was asked to write and each call it got, one line each.
type calls struct{ lines []string }

func (c *calls) Record(party string, e trace.Event) {
	c.lines = append(c.lines, trace.Record{Party: party, Kind: e.Kind, Fields: e.Fields}.String()[len("#0 00:00:00.000 "):])
}

func (c *calls) add(format string, args ...any) {
	c.lines = append(c.lines, fmt.Sprintf(format, args...))
}

// fakeHost is a recording HostEnv; a fault point named "die" deletes the instance.
type fakeHost struct {
	calls
	dead bool
	skew time.Duration
}

func (f *fakeHost) Now() time.Time                           { return t0 }
func (f *fakeHost) HostNow() time.Time                       { return t0.Add(f.skew) }
func (f *fakeHost) Alive() bool                              { return !f.dead }
func (f *fakeHost) SetTimer(key string, after time.Duration) { f.add("set-timer %s %s", key, after) }
func (f *fakeHost) CancelTimer(key string)                   { f.add("cancel-timer %s", key) }
func (f *fakeHost) Send(s host.Send)                         { f.add("send %d %s", s.ID, s.Target) }
func (f *fakeHost) Blob(c host.BlobCall)                     { f.add("blob %d %s %s", c.ID, c.Op, c.Blob) }
func (f *fakeHost) Respond(r host.Respond)                   { f.add("respond %d %d", r.ReqID, r.Response.Status) }
func (f *fakeHost) Point(p host.Point) {
	f.add("point %s", p.Name)
	if p.Name == "die" {
		f.dead = true
	}
}

func newMachine() *host.Machine {
	return host.NewMachine(host.Config{Site: testSite, Mode: host.ModeFrontend, ContainerName: "pod-a",
		FrontEndURL: "https://fe", MeshURL: "http://mesh/",
		Secrets: func() (host.Keys, int) { return host.Keys{Master: "master-key-value"}, 1 },
		Rand:    rand.New(rand.NewPCG(1, 2)), PlaceholderGuard: true})
}

func expect(t *testing.T, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// Every host effect is either recorded (in the machine's order, by the instance's party) or handed
// to the driver, and a Send is recorded as sync.publish before it leaves.
func TestHostPerformRecordsAndCalls(t *testing.T) {
	env := &fakeHost{}
	h := NewHost(newMachine(), "instance/pod-a", testSite, env)
	h.Perform([]host.Effect{
		host.SpanEvent{Span: 3, Phase: host.SpanCall, Origin: "admin", ReqID: 4},
		host.Log{Level: "Information", Category: host.CategoryModel, Text: "Syncing triggers"},
		host.SetTimer{Key: "background", After: 30 * time.Second},
		host.CancelTimer{Key: "renew"},
		host.SpanEvent{Span: 3, Phase: host.SpanEnter, Origin: "admin", Hash: "h1"},
		host.HashRead{Span: 3, Last: "", Current: "h1"},
		host.Send{ID: 7, Target: host.TargetMesh, Body: []byte("abc"), Span: 3, Hash: "h1", Triggers: 2, Timeout: time.Second},
		host.BlobCall{ID: 8, Op: host.BlobUpload, Blob: "hash"},
		host.HashWritten{Hash: "h1"},
		host.PrimaryChanged{Primary: true},
		host.Point{Name: "after-publish", Span: 3},
		host.Respond{ReqID: 4, Response: host.AdminResponse{Status: 200}},
		host.SpanEvent{Span: 3, Phase: host.SpanEnd, Origin: "admin", Success: false, Hash: "h1", Error: "boom"},
	})
	expect(t, env.lines,
		"instance/pod-a sync.call span=3 background=false origin=admin request=4",
		"instance/pod-a log level=Information category=Syncsim.Host text=\"Syncing triggers\"",
		"set-timer background 30s",
		"cancel-timer renew",
		"instance/pod-a sync.enter span=3 background=false origin=admin hash=h1",
		"instance/pod-a sync.hashread span=3 last=\"\" current=h1",
		"instance/pod-a sync.publish span=3 background=false target=mesh hash=h1 triggers=2 bytes=3",
		"send 7 mesh",
		"blob 8 upload hash",
		"instance/pod-a hash.written hash=h1",
		"instance/pod-a primary primary=true",
		"instance/pod-a sync.point point=after-publish span=3 background=false",
		"point after-publish",
		"respond 4 200",
		"instance/pod-a sync.end span=3 background=false origin=admin success=false published=false hash=h1 error=boom",
	)
}

// A fault point that deletes the instance drops every effect after it (host/effects.go), and the
// point itself is recorded before the driver fires its faults.
func TestHostDeletedAtPointDropsLaterEffects(t *testing.T) {
	env := &fakeHost{}
	h := NewHost(newMachine(), "instance/pod-a", testSite, env)
	h.Perform([]host.Effect{
		host.Log{Level: "Information", Category: host.CategoryModel, Text: "before"},
		host.Point{Name: "die", Span: 1, Background: true},
		host.Send{ID: 2, Target: host.TargetFrontEnd},
		host.Log{Level: "Information", Category: host.CategoryModel, Text: "after"},
		host.Respond{ReqID: 1},
	})
	expect(t, env.lines,
		"instance/pod-a log level=Information category=Syncsim.Host text=before",
		"instance/pod-a sync.point point=die span=1 background=true",
		"point die",
	)
	env.lines = nil
	h.Perform([]host.Effect{host.Log{Level: "Information", Category: host.CategoryModel, Text: "later"}})
	expect(t, env.lines)
}

// http.result names the span and target of the send it answers; a timeout records http.timeout
// first, then the result with the timeout's text.
func TestHostHTTPTimeoutAndResult(t *testing.T) {
	env := &fakeHost{}
	h := NewHost(newMachine(), "instance/pod-a", testSite, env)
	h.Perform([]host.Effect{
		host.Send{ID: 5, Target: host.TargetFrontEnd, Span: 2, Timeout: 100 * time.Second},
		host.Send{ID: 6, Target: host.TargetMesh, Span: 9, Timeout: time.Second},
	})
	env.lines = nil
	h.HTTPTimeout(5)
	h.HTTPDone(6, host.HTTPResult{Status: 202})
	expect(t, env.lines,
		"instance/pod-a http.timeout id=5 to=frontend",
		"instance/pod-a http.result id=5 span=2 target=frontend status=0 error=\"timeout after 1m40s\"",
		"instance/pod-a http.result id=6 span=9 target=mesh status=202",
	)
	env.lines = nil
	h.BlobTimeout(11, host.BlobDownload)
	expect(t, env.lines, "instance/pod-a blob.timeout id=11 op=download")
}

// The host's admin requests: MSG-3 to a host that is not running is answered 503 before the token is
// read (no token.check); a MSG-4 with the admin key is not a token's; a MSG-4 with a token is checked
// on the true clock, not the instance's skewed one; the key API syncs, then answers 200.
func TestHostAdminTokenChecks(t *testing.T) {
	env := &fakeHost{skew: time.Hour}
	h := NewHost(newMachine(), "instance/pod-a", testSite, env)
	h.Admin(1, host.AdminRequest{Method: "GET", Path: host.PathTriggers}, "")
	expect(t, env.lines, "instance/pod-a sync.point point=mid-fetch span=0 background=false", "point mid-fetch", "respond 1 503")

	env.lines = nil
	h.Admin(2, host.AdminRequest{Method: "POST", Path: host.PathSyncTriggers, Headers: map[string]string{"x-functions-key": "k"}}, "")
	for _, l := range env.lines {
		if strings.Contains(l, "token.check") {
			t.Fatalf("MSG-4 with the admin key got a token check: %s", l)
		}
	}

	env.lines = nil
	h.Admin(3, host.AdminRequest{Method: "POST", Path: host.PathSyncTriggers, Headers: map[string]string{"x-ms-site-token": "not-a-jwt"}}, "fault@msg4#1")
	want := "instance/pod-a token.check endpoint=msg4 site=myapp sender=client accepted=false now=1767225600.000 form=malformed fault=fault@msg4#1"
	if len(env.lines) == 0 || env.lines[0] != want {
		t.Fatalf("got %q, want first %q", env.lines, want)
	}

	env.lines = nil
	h.PutKey(4)
	if n := len(env.lines); n == 0 || env.lines[n-1] != "respond 4 200" {
		t.Fatalf("key API: %q", env.lines)
	}
}

// The storage record: blob.write keeps the hash blob's value only for a real successful write.
func TestStorageEvent(t *testing.T) {
	hashBlob := host.HashBlobName(testSite.HostID)
	up := host.BlobCall{ID: 3, Op: host.BlobUpload, Blob: hashBlob, Data: []byte("h1")}
	for _, c := range []struct {
		call    host.BlobCall
		res     host.BlobResult
		faulted bool
		want    string
	}{
		{up, host.BlobResult{Status: 201}, false, "blob.write id=3 op=upload blob=" + hashBlob + " status=201 value=h1"},
		{up, host.BlobResult{Status: 201}, true, "blob.op id=3 op=upload blob=" + hashBlob + " status=201 faulted=true"},
		{up, host.BlobResult{Status: 503, Code: "ServerBusy"}, true, "blob.op id=3 op=upload blob=" + hashBlob + " status=503 code=ServerBusy faulted=true"},
		{host.BlobCall{ID: 4, Op: host.BlobDownload, Blob: hashBlob}, host.BlobResult{Status: 404, Code: "BlobNotFound"}, false,
			"blob.op id=4 op=download blob=" + hashBlob + " status=404 code=BlobNotFound"},
	} {
		var got calls
		got.Record("storage", StorageEvent(testSite.HostID, c.call, c.res, c.faulted))
		expect(t, got.lines, "storage "+c.want)
	}
}
