package meshhttp

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/syncsim/syncsim/host"
)

// FuzzMeshNotify: the mesh's form handler (MSG-2, MESH-7, MESH-9) never answers 5xx to a client's
// mistake, answers 2xx only to a well-formed update-triggers notification, and 400 to any body that
// is not a form with an operation.
func FuzzMeshNotify(f *testing.F) {
	f.Add("POST", "application/x-www-form-urlencoded", []byte("operation=update-triggers"))
	f.Add("POST", "application/x-www-form-urlencoded", []byte("operation=update-triggers&hash=abc"))
	f.Add("POST", "application/x-www-form-urlencoded; charset=utf-8", []byte("operation=%zz"))
	f.Add("POST", "application/json", []byte(`{"operation":"update-triggers"}`))
	f.Add("POST", "", []byte(""))
	f.Add("GET", "application/x-www-form-urlencoded", []byte("operation=update-triggers"))
	f.Add("POST", "application/x-www-form-urlencoded", []byte("operation=\xff"))
	// The site never answers: fetches fail at once and are retried slowly, so the fuzzer sends only
	// notifications and nothing here waits for the network.
	m := NewMesh(MeshConfig{Site: testSite, SiteURL: "http://127.0.0.1:1", Debounce: time.Hour, RetryBudget: time.Second})
	f.Cleanup(func() { m.Close() })
	f.Fuzz(func(t *testing.T, method, contentType string, body []byte) {
		if method != "GET" && method != "POST" && method != "PUT" {
			method = "POST"
		}
		req := httptest.NewRequest(method, "/", bytes.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		w := httptest.NewRecorder()
		m.ServeHTTP(w, req)
		switch {
		case w.Code >= 500:
			t.Fatalf("%s %q %q: %d", method, contentType, body, w.Code)
		case w.Code < 300 && (method != "POST" || !wellFormed(body)):
			t.Fatalf("%s %q %q accepted: %d", method, contentType, body, w.Code)
		}
	})
}

// FuzzFrontEndSetTriggers: the front end's JSON handler (MSG-1, FE-1..3) never answers 5xx to a
// client's mistake and stores a body only when it is JSON and its token is valid.
func FuzzFrontEndSetTriggers(f *testing.F) {
	key, _ := host.ParseKey(testSite.EncryptionKey)
	f.Add(true, "application/json; charset=utf-8", []byte(`{"triggers":[],"hostId":"myapp"}`))
	f.Add(false, "application/json", []byte(`{"triggers":[]}`))
	f.Add(true, "application/json", []byte(`{"triggers":`))
	f.Add(true, "text/plain", []byte(`hello`))
	f.Add(true, "", []byte("\"\xff\""))
	fe := NewFrontEnd(FrontEndConfig{Site: testSite})
	f.Cleanup(func() { fe.Close() })
	f.Fuzz(func(t *testing.T, withToken bool, contentType string, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/operations/settriggers", bytes.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if withToken {
			tok, err := host.IssueSiteToken(key, testSite.Name, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("x-ms-site-token", tok)
		}
		w := httptest.NewRecorder()
		fe.ServeHTTP(w, req)
		switch {
		case w.Code >= 500:
			t.Fatalf("%q %q: %d", contentType, body, w.Code)
		case w.Code < 300 && (!withToken || !json.Valid(body)):
			t.Fatalf("stored without a valid token or JSON (token %v, %q): %d", withToken, body, w.Code)
		}
	})
}

// wellFormed reports whether a body is a form whose operation is update-triggers.
func wellFormed(body []byte) bool {
	form, err := url.ParseQuery(string(body))
	return err == nil && form.Get("operation") == "update-triggers"
}
