package host

import (
	"testing"
	"time"
)

var adminSite = Site{Name: "demo", HostID: "demo", EncryptionKey: testKeyHex}

// mustToken fails the test when issuing a token fails.
func mustToken(t *testing.T) func(string, error) string {
	return func(tok string, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
}

// MSG-3 / HOST-1: 405, 503, 401, 403 and 200 with exactly the payload a sync would publish now.
func TestServeTriggersMSG3(t *testing.T) {
	key, must := testKey(t), mustToken(t)
	platform := must(IssuePlatformToken(key, "demo", testNow, time.Hour))
	appService := must(IssueToken(key, TokenClaims{Issuer: IssuerAppService, Audience: adminSite.URL(), Expires: testNow.Add(time.Minute)}))
	siteIss := must(IssueToken(key, TokenClaims{Issuer: adminSite.URL(), Audience: adminSite.URL(), Expires: testNow.Add(time.Minute)}))
	feToken := must(IssueSiteToken(key, "demo", testNow))
	otherKey := must(IssuePlatformToken([]byte("another key"), "demo", testNow, time.Hour))
	expired := must(IssuePlatformToken(key, "demo", testNow.Add(-2*time.Hour), time.Hour))
	payload := BuildPayload(adminSite, demoFunctions(), demoKeys())

	get := func(h map[string]string) AdminRequest {
		return AdminRequest{Method: "GET", Path: PathTriggers, Headers: h}
	}
	tests := []struct {
		name    string
		site    Site
		req     AdminRequest
		running bool
		status  int
	}{
		{"POST is 405", adminSite, AdminRequest{Method: "POST", Path: PathTriggers, Headers: map[string]string{"x-ms-site-token": platform}}, true, 405},
		{"host not running is 503", adminSite, get(map[string]string{"x-ms-site-token": platform}), false, 503},
		{"no token is 401", adminSite, get(nil), true, 401},
		{"TOK-6 admin key alone is 401", adminSite, get(map[string]string{"x-functions-key": "m1"}), true, 401},
		{"wrong key is 401", adminSite, get(map[string]string{"x-ms-site-token": otherKey}), true, 401},
		{"expired is 401", adminSite, get(map[string]string{"x-ms-site-token": expired}), true, 401},
		{"TOK-3 token (FE audience) is 401", adminSite, get(map[string]string{"x-ms-site-token": feToken}), true, 401},
		{"garbage is 401", adminSite, get(map[string]string{"Authorization": "Bearer x.y.z"}), true, 401},
		{"no site key rejects every token", Site{Name: "demo", HostID: "demo"}, get(map[string]string{"x-ms-site-token": platform}), true, 401},
		{"unusable site key rejects every token", Site{Name: "demo", HostID: "demo", EncryptionKey: "!!"}, get(map[string]string{"x-ms-site-token": platform}), true, 401},
		{"appservice issuer is 403", adminSite, get(map[string]string{"x-ms-site-token": appService}), true, 403},
		{"site issuer is 403", adminSite, get(map[string]string{"x-ms-site-token": siteIss}), true, 403},
		{"TOK-4 site token is 200", adminSite, get(map[string]string{"x-ms-site-token": platform}), true, 200},
		{"TOK-4 bearer is 200", adminSite, get(map[string]string{"authorization": "Bearer " + platform}), true, 200},
		{"TOK-4 with admin key too is 200", adminSite, get(map[string]string{"X-MS-SITE-TOKEN": platform, "x-functions-key": "nope"}), true, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			built := 0
			resp := ServeTriggers(testNow, tt.site, tt.req, tt.running, func() Payload { built++; return payload })
			if resp.Status != tt.status {
				t.Fatalf("status %d, want %d", resp.Status, tt.status)
			}
			if tt.status != 200 {
				if built != 0 {
					t.Fatal("payload built for a rejected request")
				}
				if tt.status == 503 && string(resp.Body) != HostNotRunningText {
					t.Fatalf("503 body %q", resp.Body)
				}
				if tt.status != 503 && len(resp.Body) != 0 {
					t.Fatalf("rejection body %q", resp.Body)
				}
				return
			}
			if built != 1 || string(resp.Body) != string(payload.Body) || HashOf(resp.Body) != payload.Hash {
				t.Fatalf("HOST-1 body is not the payload (built %d times)", built)
			}
			if resp.Headers["Content-Type"] != "application/json" {
				t.Fatalf("Content-Type %q", resp.Headers["Content-Type"])
			}
		})
	}
}

// MSG-4 / HOST-2 / TOK-6: the admin key or any valid TOK-5 token authorizes a foreground sync.
func TestAuthorizeSyncMSG4(t *testing.T) {
	key, must := testKey(t), mustToken(t)
	platform := must(IssuePlatformToken(key, "demo", testNow, time.Hour))
	appService := must(IssueToken(key, TokenClaims{Issuer: IssuerAppService, Audience: adminSite.URL(), Expires: testNow.Add(time.Minute)}))
	expired := must(IssuePlatformToken(key, "demo", testNow.Add(-2*time.Hour), time.Hour))
	keys := demoKeys()
	post := func(h map[string]string) AdminRequest {
		return AdminRequest{Method: "POST", Path: PathSyncTriggers, Headers: h}
	}
	tests := []struct {
		name   string
		keys   Keys
		req    AdminRequest
		status int
	}{
		{"GET is 405", keys, AdminRequest{Method: "GET", Path: PathSyncTriggers, Headers: map[string]string{"x-functions-key": "m1"}}, 405},
		{"TOK-6 admin key", keys, post(map[string]string{"x-functions-key": "m1"}), 0},
		{"TOK-6 admin key, any header case", keys, post(map[string]string{"X-Functions-Key": "m1"}), 0},
		{"wrong admin key", keys, post(map[string]string{"x-functions-key": "m2"}), 401},
		{"admin key prefix", keys, post(map[string]string{"x-functions-key": "m"}), 401},
		{"function key is not the admin key", keys, post(map[string]string{"x-functions-key": "f1"}), 401},
		{"empty master matches nothing", Keys{}, post(map[string]string{"x-functions-key": ""}), 401},
		{"nothing", keys, post(nil), 401},
		{"TOK-5 appservice token", keys, post(map[string]string{"x-ms-site-token": appService}), 0},
		{"TOK-5 platform bearer", keys, post(map[string]string{"Authorization": "Bearer " + platform}), 0},
		{"expired token", keys, post(map[string]string{"x-ms-site-token": expired}), 401},
		{"wrong key, valid token", keys, post(map[string]string{"x-functions-key": "zz", "x-ms-site-token": platform}), 0},
	}
	for _, tt := range tests {
		if got := AuthorizeSync(testNow, adminSite, tt.keys, tt.req); got != tt.status {
			t.Errorf("%s: status %d, want %d", tt.name, got, tt.status)
		}
	}
}

// TOK-6: the same admin-key request authorizes MSG-4 and is refused by MSG-3.
func TestAdminKeyScopeTOK6(t *testing.T) {
	h := map[string]string{"x-functions-key": "m1"}
	if got := AuthorizeSync(testNow, adminSite, demoKeys(), AdminRequest{Method: "POST", Path: PathSyncTriggers, Headers: h}); got != 0 {
		t.Errorf("MSG-4 with admin key: %d, want 0", got)
	}
	resp := ServeTriggers(testNow, adminSite, AdminRequest{Method: "GET", Path: PathTriggers, Headers: h}, true,
		func() Payload { return BuildPayload(adminSite, demoFunctions(), demoKeys()) })
	if resp.Status != 401 {
		t.Errorf("MSG-3 with admin key: %d, want 401", resp.Status)
	}
}

// MSG-4's answers.
func TestSyncResponseMSG4(t *testing.T) {
	tests := []struct {
		success bool
		errText string
		status  int
		body    string
	}{
		{true, "", 200, `{"status":"success"}`},
		{true, "ignored", 200, `{"status":"success"}`},
		{false, "SyncTriggers call failed (StatusCode=ServiceUnavailable).", 500, `{"status":"SyncTriggers call failed (StatusCode=ServiceUnavailable)."}`},
		{false, `say "hi" <now> & \`, 500, `{"status":"say \"hi\" <now> & \\"}`},
	}
	for _, tt := range tests {
		r := SyncResponse(tt.success, tt.errText)
		if r.Status != tt.status || string(r.Body) != tt.body || r.Headers["Content-Type"] != "application/json" {
			t.Errorf("SyncResponse(%v, %q) = %d %s %v", tt.success, tt.errText, r.Status, r.Body, r.Headers)
		}
	}
	if r := HostNotRunningResponse(); r.Status != 503 || string(r.Body) != "Function host is not running." {
		t.Errorf("HostNotRunningResponse = %d %q", r.Status, r.Body)
	}
}
