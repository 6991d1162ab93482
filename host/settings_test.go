package host

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func endOf(effs []Effect) (SpanEvent, bool) {
	for _, e := range effs {
		if s, ok := e.(SpanEvent); ok && s.Phase == SpanEnd {
			return s, true
		}
	}
	return SpanEvent{}, false
}

func logAt(effs []Effect, level, text string) bool {
	for _, l := range all[Log](effs) {
		if l.Level == level && strings.Contains(l.Text, text) {
			return true
		}
	}
	return false
}

// TestNoStorage: SYNC-4's no-storage short-circuit for a background sync, foreground syncs publish
// without touching storage, and every instance is primary without a lease blob (#10686).
func TestNoStorage(t *testing.T) {
	r := newRig(t, ModeFrontend, func(c *Config) { c.NoStorage = true })
	effs := r.m.HostStarted(t0, Loaded{Functions: testFunctions(), Revision: 1})
	none[BlobCall](t, effs)
	if !r.m.Primary() {
		t.Fatal("an instance without storage is not primary")
	}
	effs = r.m.Timer(t0, timerBackground)
	none[BlobCall](t, effs)
	none[Send](t, effs)
	if end, ok := endOf(effs); !ok || !end.Success || end.Published {
		t.Fatalf("background sync without storage: end %+v (found %v), want success without a publish", end, ok)
	}
	if r.secrets != 0 {
		t.Fatalf("the short-circuit read the secrets %d times, want before the payload", r.secrets)
	}
	effs = r.m.Sync(t0, "keys")
	none[BlobCall](t, effs)
	send := only[Send](t, effs)
	effs = r.m.HTTPDone(t0, send.ID, HTTPResult{Status: 200})
	none[BlobCall](t, effs)
	if end, ok := endOf(effs); !ok || !end.Published {
		t.Fatalf("foreground sync without storage: end %+v, want published", end)
	}
}

// TestMeshStatusReadings: SYNC-7 on the mesh path, the model's reading (non-2xx fails) and
// upstream's (only a thrown call fails).
func TestMeshStatusReadings(t *testing.T) {
	cases := []struct {
		name       string
		thrownOnly bool
		status     int
		published  bool
		hashWrite  bool
	}{
		{"checked 500 fails", false, 500, false, false},
		{"thrown-only 500 published", true, 500, true, true},
		{"thrown-only transport error fails", true, 0, false, false},
		{"checked 200 published", false, 200, true, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, ModePlatform, func(cfg *Config) { cfg.MeshStatusThrownOnly = c.thrownOnly })
			r.start(testFunctions(), true)
			effs := r.m.Timer(t0, timerBackground)
			exists := only[BlobCall](t, effs)
			effs = r.m.BlobDone(t0, exists.ID, BlobResult{Status: 404})
			send := only[Send](t, effs)
			res := HTTPResult{Status: c.status}
			if c.status == 0 {
				res.Err = "connection reset"
			}
			effs = r.m.HTTPDone(t0, send.ID, res)
			if up := len(all[BlobCall](effs)) == 1; up != c.hashWrite {
				t.Fatalf("hash write %v, want %v: %+v", up, c.hashWrite, effs)
			}
			if c.hashWrite {
				up := only[BlobCall](t, effs)
				effs = r.m.BlobDone(t0, up.ID, BlobResult{Status: 201})
			}
			end, ok := endOf(effs)
			if !ok || end.Published != c.published || end.Success != c.published {
				t.Fatalf("end %+v, want published=%v", end, c.published)
			}
		})
	}
}

// TestOversizeFallbackLogLevel: a rejected minimal payload is logged at Error by default and only
// at Debug with upstream's fallback (#12035); a rejected full payload at Error either way.
func TestOversizeFallbackLogLevel(t *testing.T) {
	big := append(testFunctions(), Function{Name: "Big", Language: "node", Bindings: []Binding{
		{"type": "queueTrigger", "direction": "in", "name": "m", "padding": strings.Repeat("x", MaxPayloadLength+1)}}})
	cases := []struct {
		name     string
		fallback OversizeFallback
		fns      []Function
		level    string
	}{
		{"minimal, oversize", OversizeMinimal, big, "Error"},
		{"keeps-triggers, oversize", OversizeKeepsTriggers, big, "Debug"},
		{"keeps-triggers, small", OversizeKeepsTriggers, testFunctions(), "Error"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, ModeFrontend, func(cfg *Config) { cfg.OversizeFallback = c.fallback })
			r.start(c.fns, true)
			send := only[Send](t, r.m.Sync(t0, "keys"))
			effs := r.m.HTTPDone(t0, send.ID, HTTPResult{Status: 400})
			if !logAt(effs, c.level, "SyncTriggers call failed (StatusCode=BadRequest).") {
				t.Fatalf("no %s line for the rejection: %+v", c.level, all[Log](effs))
			}
		})
	}
}

// TestSecretsUnreadable: a storage that refuses the secrets fails a sync with SYNC-7's catch-all at
// Error and answers MSG-3 with 500 (#11796, #11782).
func TestSecretsUnreadable(t *testing.T) {
	why := "403 AuthorizationPermissionMismatch"
	r := newRig(t, ModeFrontend, func(c *Config) { c.SecretsError = func() string { return why } })
	r.start(testFunctions(), true)
	effs := r.m.Sync(t0, "keys")
	none[Send](t, effs)
	end, ok := endOf(effs)
	if !ok || end.Success || end.Error != ErrTextOperationFailed {
		t.Fatalf("end %+v, want %q", end, ErrTextOperationFailed)
	}
	if l := only[Log](t, effs); l.Level != "Error" || l.Text != ErrTextOperationFailed || !strings.Contains(l.Exception, why) {
		t.Fatalf("want upstream's Error line with the refusal as its exception: %+v", l)
	}
	effs = r.m.Admin(t0, 7, AdminRequest{Method: "GET", Path: PathTriggers, Headers: platformHeaders(t)})
	if resp := only[Respond](t, effs); resp.Response.Status != 500 || resp.Revision != 0 {
		t.Fatalf("MSG-3 answered %d (revision %d), want 500", resp.Response.Status, resp.Revision)
	}
	why = ""
	effs = r.m.Admin(t0, 8, AdminRequest{Method: "GET", Path: PathTriggers, Headers: platformHeaders(t)})
	if resp := only[Respond](t, effs); resp.Response.Status != 200 {
		t.Fatalf("MSG-3 after the refusal answered %d, want 200", resp.Response.Status)
	}
}

// TestGateContainerReady: SYNC-1 closes before the container's first host start and stays open
// through an in-place restart (WEBSITE_CONTAINER_READY, not the host's state).
func TestGateContainerReady(t *testing.T) {
	r := newRig(t, ModeFrontend, nil)
	effs := r.m.Sync(t0, "keys")
	if end, _ := endOf(effs); end.Error != ErrTextInvalidEnvironment {
		t.Fatalf("before the first start: end %+v, want the gate's failure", end)
	}
	r.start(testFunctions(), true)
	r.m.HostStopping(t0)
	effs = r.m.Sync(t0, "keys")
	if len(all[Send](effs)) != 1 {
		t.Fatalf("during an in-place restart the gate closed: %+v", effs)
	}
}

// TestPayloadKeysInMapOrder: a KeyOrder seam that draws (the payload-keys-in-map-order mutant) gives
// the same content different bytes across builds; the reference order never does (PAY-2).
func TestPayloadKeysInMapOrder(t *testing.T) {
	for _, bug := range []bool{false, true} {
		r := newRig(t, ModeFrontend, func(c *Config) {
			if bug {
				c.Seams.KeyOrder = func(r *rand.Rand) int { return r.IntN(4) }
			}
		})
		r.start(testFunctions(), true)
		hashes := map[string]bool{}
		for range 8 {
			p, _ := r.m.buildPayload()
			hashes[p.Hash] = true
		}
		if got := len(hashes) > 1; got != bug {
			t.Fatalf("bug %v: %d distinct hashes over 8 builds", bug, len(hashes))
		}
	}
}

func platformHeaders(t *testing.T) map[string]string {
	t.Helper()
	key, _ := ParseKey(testSite.EncryptionKey)
	tok, err := IssuePlatformToken(key, "myapp", t0, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{"x-ms-site-token": tok}
}
