package host

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// testSite has a valid TOK-1 key (64 hex characters).
var testSite = Site{Name: "myapp", HostID: "myapp", EncryptionKey: strings.Repeat("ab", 32)}

func testFunctions() []Function {
	return []Function{
		{Name: "HttpTrigger1", Language: "node", Bindings: []Binding{{"type": "httpTrigger", "direction": "in", "name": "req"}}},
		{Name: "QueueTrigger1", Language: "node", Bindings: []Binding{{"type": "queueTrigger", "direction": "in", "name": "msg", "queueName": "q"}}},
	}
}

type rig struct {
	t       *testing.T
	m       *Machine
	keys    Keys
	secrets int // how many times the secrets were read
}

func newRig(t *testing.T, mode Mode, mutate func(*Config)) *rig {
	r := &rig{t: t, keys: Keys{Master: "master-key-value", Host: map[string]string{"default": "host-key-value"}}}
	cfg := Config{
		Site: testSite, Mode: mode, ContainerName: "pod-0001", FrontEndURL: "https://fe", MeshURL: "http://mesh/",
		Secrets: func() (Keys, int) { r.secrets++; return r.keys.Clone(), 1 },
		Rand:    rand.New(rand.NewPCG(1, 2)),
		// A minute's lease, so that a background timer at 30 s finds the lease granted at the start
		// still fresh without the tests playing the renewals (TestSYNC8BackgroundNeedsFreshLease does).
		LeaseDuration: time.Minute,
	}
	if mutate != nil {
		mutate(&cfg)
	}
	r.m = NewMachine(cfg)
	return r
}

// start runs the host and, when primary is set, grants it the primary lease: the lease timer the
// start set (LeaseRetry later) is fired at once.
func (r *rig) start(fns []Function, primary bool) []Effect {
	effs := r.m.HostStarted(t0, Loaded{Functions: fns, Revision: 1})
	if tm := only[SetTimer](r.t, effs[len(effs)-1:]); tm.Key != timerLease || tm.After != DefaultLeaseRetry {
		r.t.Fatalf("the start's last effect is %+v, want the lease timer %v later", tm, DefaultLeaseRetry)
	}
	effs = append(effs, r.m.Timer(t0, timerLease)...)
	call := only[BlobCall](r.t, effs)
	if call.Op != BlobAcquireLease {
		r.t.Fatalf("first storage call is %s, want an acquire of the primary lease", call.Op)
	}
	if primary {
		effs = append(effs, r.m.BlobDone(t0, call.ID, BlobResult{Status: 201, LeaseID: call.LeaseID})...)
	} else {
		effs = append(effs, r.m.BlobDone(t0, call.ID, BlobResult{Status: 409, Code: "LeaseAlreadyPresent"})...)
	}
	return effs
}

func all[T Effect](effs []Effect) []T {
	var out []T
	for _, e := range effs {
		if x, ok := e.(T); ok {
			out = append(out, x)
		}
	}
	return out
}

func only[T Effect](t *testing.T, effs []Effect) T {
	t.Helper()
	xs := all[T](effs)
	if len(xs) != 1 {
		t.Fatalf("want exactly one %T among %d effects, got %d: %+v", *new(T), len(effs), len(xs), effs)
	}
	return xs[0]
}

func none[T Effect](t *testing.T, effs []Effect) {
	t.Helper()
	if xs := all[T](effs); len(xs) != 0 {
		t.Fatalf("want no %T, got %+v", *new(T), xs)
	}
}

func ends(effs []Effect) []SpanEvent {
	var out []SpanEvent
	for _, s := range all[SpanEvent](effs) {
		if s.Phase == SpanEnd {
			out = append(out, s)
		}
	}
	return out
}

func hasLog(effs []Effect, text string) bool {
	for _, l := range all[Log](effs) {
		if l.Text == text {
			return true
		}
	}
	return false
}

func hasLogPrefix(effs []Effect, prefix string) bool {
	for _, l := range all[Log](effs) {
		if strings.HasPrefix(l.Text, prefix) {
			return true
		}
	}
	return false
}

// SYNC-8: the background sync is armed 30 s after each host start.
func TestSYNC8BackgroundTimerArmedOnStart(t *testing.T) {
	r := newRig(t, ModeFrontend, nil)
	effs := r.start(testFunctions(), true)
	var found bool
	for _, st := range all[SetTimer](effs) {
		if st.Key == timerBackground && st.After == 30*time.Second {
			found = true
		}
	}
	if !found {
		t.Fatalf("no 30 s background timer in %+v", effs)
	}
}

// SYNC-8: only the primary runs the background sync.
func TestSYNC8BackgroundOnlyOnPrimary(t *testing.T) {
	r := newRig(t, ModeFrontend, nil)
	r.start(testFunctions(), false)
	effs := r.m.Timer(t0.Add(30*time.Second), timerBackground)
	none[SpanEvent](t, effs)
	none[Send](t, effs)

	p := newRig(t, ModeFrontend, nil)
	p.start(testFunctions(), true)
	effs = p.m.Timer(t0.Add(30*time.Second), timerBackground)
	if got := only[BlobCall](t, effs); got.Op != BlobExists || got.Blob != "synctriggers/myapp/last" {
		t.Fatalf("primary's background sync began with %+v, want Exists on the hash blob (BLOB-1, SYNC-5)", got)
	}
}

// SYNC-1: without WEBSITE_AUTH_ENCRYPTION_KEY the gate fails with the exact text and takes no lock.
func TestSYNC1GateFailsWithoutKey(t *testing.T) {
	r := newRig(t, ModeFrontend, func(c *Config) { c.Site.EncryptionKey = "" })
	r.start(testFunctions(), true)
	effs := r.m.Sync(t0, "keys")
	e := ends(effs)
	if len(e) != 1 || e[0].Success || e[0].Error != "Invalid environment for SyncTriggers operation." {
		t.Fatalf("gate result %+v", e)
	}
	for _, s := range all[SpanEvent](effs) {
		if s.Phase == SpanEnter {
			t.Fatal("the gate took the lock")
		}
	}
	none[Send](t, effs)
}

// SYNC-2: the per-instance lock is FIFO; a second call waits until the first span ends.
func TestSYNC2LockIsFIFO(t *testing.T) {
	r := newRig(t, ModeFrontend, nil)
	r.start(testFunctions(), true)
	first := r.m.Sync(t0, "a")
	send1 := only[Send](t, first)
	second := r.m.Sync(t0, "b")
	none[Send](t, second)
	third := r.m.Sync(t0, "c")
	none[Send](t, third)
	done := r.m.HTTPDone(t0, send1.ID, HTTPResult{Status: 200})
	enters := 0
	for _, s := range all[SpanEvent](done) {
		if s.Phase == SpanEnter {
			enters++
			if s.Origin != "b" {
				t.Fatalf("span %q entered before %q", s.Origin, "b")
			}
		}
	}
	if enters != 1 {
		t.Fatalf("want exactly the second call to enter, got %d enters", enters)
	}
}

// An Exclusive seam that takes no SYNC-2 lock (the no-lock mutant) lets spans overlap (what P3
// must catch).
func TestNoLockSeamLetsSpansOverlap(t *testing.T) {
	r := newRig(t, ModeFrontend, func(c *Config) { c.Seams.Exclusive = func(Mode) bool { return false } })
	r.start(testFunctions(), true)
	only[Send](t, r.m.Sync(t0, "a"))
	only[Send](t, r.m.Sync(t0, "b"))
}

// SYNC-3: every span clears the secrets cache, so a rotated key reaches the next payload.
func TestSYNC3SecretsReloadedPerSpan(t *testing.T) {
	r := newRig(t, ModeFrontend, nil)
	r.start(testFunctions(), true)
	s1 := only[Send](t, r.m.Sync(t0, "a"))
	r.m.HTTPDone(t0, s1.ID, HTTPResult{Status: 200})
	r.keys.Host["default"] = "rotated-value"
	s2 := only[Send](t, r.m.Sync(t0, "b"))
	if !strings.Contains(string(s2.Body), "rotated-value") || strings.Contains(string(s2.Body), "host-key-value") {
		t.Fatal("second payload does not carry the rotated key")
	}
	if r.secrets < 2 {
		t.Fatalf("secrets read %d times, want once per span", r.secrets)
	}
}

// SYNC-4: a background sync with no triggers publishes nothing and touches no blob.
func TestSYNC4EmptyBackgroundSkips(t *testing.T) {
	r := newRig(t, ModeFrontend, nil)
	r.start(nil, true)
	effs := r.m.Timer(t0.Add(30*time.Second), timerBackground)
	none[BlobCall](t, effs)
	none[Send](t, effs)
	if e := ends(effs); len(e) != 1 || !e[0].Success {
		t.Fatalf("want a successful end, got %+v", e)
	}
	if !hasLog(effs, "No functions found. Skipping Sync operation.") {
		t.Fatal("missing the skip log line")
	}
}

// A foreground sync does publish an empty payload (the #6822 and #11330 stories depend on it).
func TestForegroundPublishesEmptyPayload(t *testing.T) {
	r := newRig(t, ModeFrontend, nil)
	r.start(nil, true)
	s := only[Send](t, r.m.Sync(t0, "admin"))
	if !strings.HasPrefix(string(s.Body), `{"triggers":[]`) {
		t.Fatalf("body %s", s.Body)
	}
}

// backgroundTo runs a background sync up to the publish and returns the effects of the hash read.
func backgroundTo(t *testing.T, r *rig, exists BlobResult, download *BlobResult) []Effect {
	t.Helper()
	effs := r.m.Timer(t0.Add(30*time.Second), timerBackground)
	ex := only[BlobCall](t, effs)
	effs = r.m.BlobDone(t0, ex.ID, exists)
	if download == nil {
		return effs
	}
	dl := only[BlobCall](t, effs)
	if dl.Op != BlobDownload {
		t.Fatalf("after Exists came %s, want Download (BLOB-2)", dl.Op)
	}
	return r.m.BlobDone(t0, dl.ID, *download)
}

// SYNC-5: an equal hash skips the publish; a missing blob publishes; a read error counts as unchanged.
func TestSYNC5HashRead(t *testing.T) {
	p := BuildPayload(testSite, testFunctions(), Keys{Master: "master-key-value", Host: map[string]string{"default": "host-key-value"}})
	cases := []struct {
		name        string
		exists      BlobResult
		download    *BlobResult
		wantPublish bool
		wantLog     string
	}{
		// CheckHashAsync @89dc438 logs the hash pair only when the blob exists.
		{"missing blob means changed, without the hash line", BlobResult{Status: 404, Code: "BlobNotFound"}, nil, true, ""},
		{"equal hash skips", BlobResult{Status: 200}, &BlobResult{Status: 200, Data: []byte(p.Hash)}, false, "SyncTriggers hash (Last='" + p.Hash + "', Current='" + p.Hash + "')"},
		{"other hash publishes", BlobResult{Status: 200}, &BlobResult{Status: 200, Data: []byte("old")}, true, "SyncTriggers hash (Last='old', Current='" + p.Hash + "')"},
		{"exists error is unchanged", BlobResult{Status: 503}, nil, false, "Error checking SyncTriggers hash"},
		{"download error is unchanged", BlobResult{Status: 200}, &BlobResult{Status: 0}, false, "Error checking SyncTriggers hash"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, ModeFrontend, nil)
			r.start(testFunctions(), true)
			effs := backgroundTo(t, r, c.exists, c.download)
			if got := len(all[Send](effs)) == 1; got != c.wantPublish {
				t.Fatalf("published=%v, want %v: %+v", got, c.wantPublish, effs)
			}
			if c.wantLog != "" && !hasLog(effs, c.wantLog) {
				t.Fatalf("missing log %q in %+v", c.wantLog, all[Log](effs))
			}
			for _, l := range all[Log](effs) {
				if strings.HasPrefix(l.Text, "SyncTriggers hash (") && c.exists.Status == 404 {
					t.Fatalf("a missing blob logged %q", l.Text)
				}
			}
			if !c.wantPublish {
				if e := ends(effs); len(e) != 1 || !e[0].Success {
					t.Fatalf("a skipped background sync must succeed, got %+v", e)
				}
			}
		})
	}
}

// SYNC-6 / MSG-1: the frontend publish carries the payload, a TOK-3 token and the fixed headers; the
// hash is written only after a 2xx, and only in a background sync.
func TestSYNC6FrontEndPublishAndHashWrite(t *testing.T) {
	r := newRig(t, ModeFrontend, nil)
	r.start(testFunctions(), true)
	effs := backgroundTo(t, r, BlobResult{Status: 404}, nil)
	s := only[Send](t, effs)
	if s.Target != TargetFrontEnd || s.URL != "https://fe/operations/settriggers" || s.Method != "POST" {
		t.Fatalf("send %+v", s)
	}
	if s.Headers["User-Agent"] != "AzureFunctionsRuntime" || s.Headers["Content-Type"] != "application/json; charset=utf-8" || s.Headers["X-ARR-LOG-ID"] == "" {
		t.Fatalf("headers %v", s.Headers)
	}
	key, _ := ParseKey(testSite.EncryptionKey)
	if _, err := ValidateFrontEndToken(key, "myapp", s.Headers["x-ms-site-token"], t0); err != nil {
		t.Fatalf("token: %v", err)
	}
	if s.Timeout != 100*time.Second {
		t.Fatalf("timeout %v, want 100 s (MSG-1)", s.Timeout)
	}
	effs = r.m.HTTPDone(t0, s.ID, HTTPResult{Status: 200})
	up := only[BlobCall](t, effs)
	if up.Op != BlobUpload || string(up.Data) != HashOf(s.Body) || up.IfNoneMatch != "" || up.LeaseID != "" {
		t.Fatalf("hash write %+v, want an unconditional upload of the payload's hash (BLOB-2)", up)
	}
	effs = r.m.BlobDone(t0, up.ID, BlobResult{Status: 201})
	if e := ends(effs); len(e) != 1 || !e[0].Success || !e[0].Published {
		t.Fatalf("end %+v", e)
	}
}

func TestSYNC6ForegroundNeverTouchesHash(t *testing.T) {
	r := newRig(t, ModeFrontend, nil)
	r.start(testFunctions(), true)
	effs := r.m.Sync(t0, "admin")
	none[BlobCall](t, effs)
	s := only[Send](t, effs)
	effs = r.m.HTTPDone(t0, s.ID, HTTPResult{Status: 200})
	none[BlobCall](t, effs)
	if e := ends(effs); len(e) != 1 || !e[0].Success {
		t.Fatalf("end %+v", e)
	}
}

// BLOB-2: a hash write error is logged and swallowed.
func TestBLOB2HashWriteErrorSwallowed(t *testing.T) {
	r := newRig(t, ModeFrontend, nil)
	r.start(testFunctions(), true)
	s := only[Send](t, backgroundTo(t, r, BlobResult{Status: 404}, nil))
	up := only[BlobCall](t, r.m.HTTPDone(t0, s.ID, HTTPResult{Status: 200}))
	effs := r.m.BlobDone(t0, up.ID, BlobResult{Status: 500})
	if !hasLog(effs, "Error updating SyncTriggers hash") {
		t.Fatal("write error not logged")
	}
	if e := ends(effs); len(e) != 1 || !e[0].Success {
		t.Fatalf("end %+v", e)
	}
}

// SYNC-6 / MSG-2: platform mode notifies the mesh instead, and the mesh's 2xx counts as published.
func TestSYNC6PlatformNotifiesMesh(t *testing.T) {
	r := newRig(t, ModePlatform, nil)
	r.start(testFunctions(), true)
	s := only[Send](t, backgroundTo(t, r, BlobResult{Status: 404}, nil))
	if s.Target != TargetMesh || s.URL != "http://mesh/" || string(s.Body) != "operation=update-triggers" ||
		s.Headers["fx-current-instance"] != "pod-0001" || s.Headers["Content-Type"] != "application/x-www-form-urlencoded" {
		t.Fatalf("MSG-2 %+v", s)
	}
	for k := range s.Headers {
		if strings.EqualFold(k, "x-ms-site-token") || strings.EqualFold(k, "Authorization") {
			t.Fatalf("MSG-2 carries an auth header %q", k)
		}
	}
	if s.Timeout != 30*time.Second {
		t.Fatalf("timeout %v", s.Timeout)
	}
	up := only[BlobCall](t, r.m.HTTPDone(t0, s.ID, HTTPResult{Status: 202}))
	if up.Op != BlobUpload {
		t.Fatalf("after the mesh's 2xx came %s, want the hash write", up.Op)
	}
}

// SYNC-7: the failure texts, exactly; a failed publish writes no hash.
func TestSYNC7FailureTexts(t *testing.T) {
	cases := []struct {
		mode Mode
		res  HTTPResult
		want string
	}{
		{ModeFrontend, HTTPResult{Status: 503}, "SyncTriggers call failed (StatusCode=ServiceUnavailable)."},
		{ModeFrontend, HTTPResult{Status: 429}, "SyncTriggers call failed (StatusCode=TooManyRequests)."},
		{ModeFrontend, HTTPResult{Status: 500}, "SyncTriggers call failed (StatusCode=InternalServerError)."},
		{ModeFrontend, HTTPResult{Err: "timeout"}, "SyncTriggers operation failed."},
		{ModePlatform, HTTPResult{Status: 500}, "Failed to notify triggers changed."},
		{ModePlatform, HTTPResult{Err: "refused"}, "Failed to notify triggers changed."},
	}
	for _, c := range cases {
		t.Run(c.mode.String()+"/"+c.want, func(t *testing.T) {
			r := newRig(t, c.mode, nil)
			r.start(testFunctions(), true)
			s := only[Send](t, backgroundTo(t, r, BlobResult{Status: 404}, nil))
			effs := r.m.HTTPDone(t0, s.ID, c.res)
			none[BlobCall](t, effs)
			e := ends(effs)
			if len(e) != 1 || e[0].Success || e[0].Error != c.want {
				t.Fatalf("end %+v, want error %q", e, c.want)
			}
		})
	}
}

// MSG-4: a sync through the admin API answers 200 {"status":"success"} or 500 with the error text;
// without a running host it waits 30 s and answers 503.
func TestMSG4AdminSync(t *testing.T) {
	r := newRig(t, ModeFrontend, nil)
	r.start(testFunctions(), true)
	req := AdminRequest{Method: "POST", Path: PathSyncTriggers, Headers: map[string]string{"x-functions-key": "master-key-value"}}
	s := only[Send](t, r.m.Admin(t0, 7, req))
	resp := only[Respond](t, r.m.HTTPDone(t0, s.ID, HTTPResult{Status: 503}))
	if resp.ReqID != 7 || resp.Response.Status != 500 || !strings.Contains(string(resp.Response.Body), "ServiceUnavailable") {
		t.Fatalf("response %+v %s", resp, resp.Response.Body)
	}

	stopped := newRig(t, ModeFrontend, nil)
	stopped.start(testFunctions(), true)
	stopped.m.HostStopping(t0)
	effs := stopped.m.Admin(t0, 8, req)
	none[Send](t, effs)
	wait := only[SetTimer](t, effs)
	if wait.After != 30*time.Second {
		t.Fatalf("admin wait %v", wait.After)
	}
	resp = only[Respond](t, stopped.m.Timer(t0.Add(30*time.Second), wait.Key))
	if resp.Response.Status != 503 {
		t.Fatalf("status %d, want 503", resp.Response.Status)
	}
}

// MSG-4 waits for a host that starts within the 30 s.
func TestMSG4WaitsForHostStart(t *testing.T) {
	r := newRig(t, ModeFrontend, nil)
	r.start(testFunctions(), true)
	r.m.HostStopping(t0)
	req := AdminRequest{Method: "POST", Path: PathSyncTriggers, Headers: map[string]string{"x-functions-key": "master-key-value"}}
	none[Send](t, r.m.Admin(t0, 9, req))
	effs := r.m.HostStarted(t0.Add(2*time.Second), Loaded{Functions: testFunctions(), Revision: 2})
	only[Send](t, effs)
}

// TOK-6: the admin key does not authorize MSG-3; MSG-3 is served with a TOK-4 token and its body is the
// payload a sync would publish now.
func TestMSG3ServedWithPlatformToken(t *testing.T) {
	r := newRig(t, ModePlatform, nil)
	r.start(testFunctions(), true)
	keyed := only[Respond](t, r.m.Admin(t0, 1, AdminRequest{Method: "GET", Path: PathTriggers, Headers: map[string]string{"x-functions-key": "master-key-value"}}))
	if keyed.Response.Status != 401 {
		t.Fatalf("admin key on MSG-3: %d, want 401", keyed.Response.Status)
	}
	key, _ := ParseKey(testSite.EncryptionKey)
	tok, err := IssuePlatformToken(key, "myapp", t0, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	resp := only[Respond](t, r.m.Admin(t0, 2, AdminRequest{Method: "GET", Path: PathTriggers, Headers: map[string]string{"x-ms-site-token": tok}}))
	want := BuildPayload(testSite, testFunctions(), r.keys)
	if resp.Response.Status != 200 || string(resp.Response.Body) != string(want.Body) {
		t.Fatalf("MSG-3 %d %s", resp.Response.Status, resp.Response.Body)
	}
}

// The primary lease: a missing lock blob is created, then acquired; a failed renewal loses the primary.
func TestPrimaryLeaseLoop(t *testing.T) {
	r := newRig(t, ModeFrontend, nil)
	effs := r.m.HostStarted(t0, Loaded{Functions: testFunctions(), Revision: 1})
	none[BlobCall](t, effs)
	acq := only[BlobCall](t, r.m.Timer(t0.Add(5*time.Second), timerLease))
	create := only[BlobCall](t, r.m.BlobDone(t0, acq.ID, BlobResult{Status: 404, Code: "BlobNotFound"}))
	if create.Op != BlobUpload || create.IfNoneMatch != "*" || create.Blob != "locks/myapp/host" {
		t.Fatalf("create %+v", create)
	}
	// The lock manager acquires right after creating the blob, in the same attempt.
	acq2 := only[BlobCall](t, r.m.BlobDone(t0.Add(5*time.Second), create.ID, BlobResult{Status: 201}))
	if r.m.Primary() || acq2.Op != BlobAcquireLease || acq2.LeaseID != acq.LeaseID {
		t.Fatalf("after creating the lock blob: primary %v, call %+v", r.m.Primary(), acq2)
	}
	none[BlobCall](t, r.m.Timer(t0.Add(10*time.Second), timerLease))
	acquired := r.m.BlobDone(t0.Add(10*time.Second), acq2.ID, BlobResult{Status: 201})
	only[PrimaryChanged](t, acquired)
	// PrimaryHostCoordinator: once acquired, the timer runs at the renewal interval (12 s).
	if tm := only[SetTimer](t, acquired); tm.Key != timerLease || tm.After != DefaultLeaseRenew {
		t.Fatalf("after the acquire the lease timer is %+v, want %v", tm, DefaultLeaseRenew)
	}
	if !hasLog(acquired, "Host lock lease acquired by instance ID 'pod-0001'.") {
		t.Fatalf("no acquire line in %+v", acquired)
	}
	renew := only[BlobCall](t, r.m.Timer(t0.Add(22*time.Second), timerLease))
	if renew.Op != BlobRenewLease || renew.LeaseID != acq2.LeaseID {
		t.Fatalf("renew %+v", renew)
	}
	// The renewal comes back late and refused: another host acquired the lease meanwhile.
	effs = r.m.BlobDone(t0.Add(22*time.Second+300*time.Millisecond), renew.ID, BlobResult{Status: 409, Code: "LeaseIdMismatchWithLeaseOperation"})
	lost := only[PrimaryChanged](t, effs)
	if lost.Primary || r.m.Primary() {
		t.Fatal("a failed renewal kept the primary")
	}
	// PrimaryHostCoordinator.cs@f79ea0b:134-139: the reason names the last successful renewal (here
	// the acquire, sent at 5 s and completed at 10 s) and how long ago it completed.
	want := "Failed to renew host lock lease: Another host has acquired the lease. The last successful renewal completed at 2026-01-01T00:00:10Z (12300 milliseconds ago) with a duration of 5000 milliseconds."
	if !hasLog(effs, want) {
		t.Fatalf("want %q in %+v", want, effs)
	}
	if tm := only[SetTimer](t, effs); tm.After != DefaultLeaseRetry {
		t.Fatalf("after losing the lease the timer is %+v, want acquisition every %v", tm, DefaultLeaseRetry)
	}
}

// An acquisition that throws (a storage error, no answer) is logged at Debug with the exception as
// the reason (PrimaryHostCoordinator.cs@f79ea0b:174-177); one refused because another instance holds
// the lease is not logged.
func TestLeaseAcquireFailures(t *testing.T) {
	r := newRig(t, ModeFrontend, nil)
	r.m.HostStarted(t0, Loaded{Functions: testFunctions(), Revision: 1})
	acq := only[BlobCall](t, r.m.Timer(t0.Add(5*time.Second), timerLease))
	none[Log](t, r.m.BlobDone(t0.Add(5*time.Second), acq.ID, BlobResult{Status: 409, Code: "LeaseAlreadyPresent"}))
	acq = only[BlobCall](t, r.m.Timer(t0.Add(10*time.Second), timerLease))
	l := only[Log](t, r.m.BlobDone(t0.Add(10*time.Second), acq.ID, BlobResult{Status: 503, Code: "ServerBusy"}))
	if l.Level != "Debug" || l.Category != CategoryGeneral ||
		l.Text != "Host instance 'pod-0001' failed to acquire host lock lease: Azure.RequestFailedException: Status: 503, ErrorCode: ServerBusy" {
		t.Fatalf("log %+v", l)
	}
	if r.m.Primary() {
		t.Fatal("a failed acquisition made the instance primary")
	}
}

// netRoundTrip is .NET's "yyyy-MM-ddTHH:mm:ss.FFFZ": trailing zeros of the fraction dropped.
func TestNetRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		ms   int
		want string
	}{{0, "2026-01-01T00:00:00Z"}, {500, "2026-01-01T00:00:00.5Z"}, {120, "2026-01-01T00:00:00.12Z"}, {7, "2026-01-01T00:00:00.007Z"}} {
		if got := netRoundTrip(t0.Add(time.Duration(tc.ms) * time.Millisecond)); got != tc.want {
			t.Errorf("%d ms: %q, want %q", tc.ms, got, tc.want)
		}
	}
}

// SYNC-8 and PROTOCOL.md section 1 "primary": a primary whose renewals got no answer for as long as
// the lease lasts does not run the background sync (storage may have granted the lease to another
// instance by then); it drops the primary role instead, with upstream's renewal-failure line.
// Counted from the sending of the last renewal that succeeded, so the boundary (exactly 15 s later)
// is already expired. The rig acquires at 0 s; renewals go out every 12 s (12 and 24 s).
func TestSYNC8BackgroundNeedsFreshLease(t *testing.T) {
	for _, tc := range []struct {
		name      string
		answered  int // how many of the renewals at 12 and 24 s succeed before one gets no answer
		at        time.Duration
		wantSync  bool
		wantStale bool
	}{
		{"every renewal answered", 2, 30 * time.Second, true, false},
		{"last success sent at 12 s", 1, 26 * time.Second, true, false},
		{"last success sent at 12 s: expired at 27 s exactly", 1, 27 * time.Second, false, true},
		{"no renewal answered since the acquire", 0, 30 * time.Second, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, ModeFrontend, func(c *Config) { c.LeaseDuration = DefaultLeaseDuration })
			r.start(testFunctions(), true)
			for i := 1; i <= 2; i++ {
				at := t0.Add(time.Duration(i) * DefaultLeaseRenew)
				calls := all[BlobCall](r.m.Timer(at, timerLease))
				if i > tc.answered+1 {
					// The unanswered renewal keeps the lease loop busy: no new call.
					if len(calls) != 0 {
						t.Fatalf("lease tick %d sent %+v while a renewal was in flight", i, calls)
					}
					continue
				}
				if len(calls) != 1 || calls[0].Op != BlobRenewLease {
					t.Fatalf("lease tick %d: %+v, want one renewal", i, calls)
				}
				if i <= tc.answered {
					r.m.BlobDone(at, calls[0].ID, BlobResult{Status: 200, LeaseID: calls[0].LeaseID})
				}
			}
			effs := r.m.Timer(t0.Add(tc.at), timerBackground)
			synced := len(all[BlobCall](effs)) > 0
			if synced != tc.wantSync {
				t.Fatalf("background sync started=%v, want %v (effects %+v)", synced, tc.wantSync, effs)
			}
			changes := all[PrimaryChanged](effs)
			if stale := len(changes) == 1 && !changes[0].Primary; stale != tc.wantStale || r.m.Primary() == tc.wantStale {
				t.Fatalf("primary dropped=%v (still primary: %v), want dropped=%v", stale, r.m.Primary(), tc.wantStale)
			}
			if tc.wantStale && !hasLogPrefix(effs, "Failed to renew host lock lease: Another host has acquired the lease.") {
				t.Fatalf("no renewal-failure line in %+v", effs)
			}
		})
	}
}
