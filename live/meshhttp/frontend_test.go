package meshhttp

import (
	"bytes"
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/syncsim/syncsim/host"
)

func startFrontEnd(t *testing.T, defects ...string) string {
	t.Helper()
	url, stop, err := NewFrontEnd(FrontEndConfig{Site: testSite, Defects: defects}).Serve("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return url
}

const jsonType = "application/json; charset=utf-8"

func siteToken(t *testing.T) map[string]string {
	t.Helper()
	tok, err := host.IssueSiteToken(testKey(t), testSite.Name, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{"x-ms-site-token": tok}
}

func setTriggers(t *testing.T, url string, body []byte, headers map[string]string) int {
	t.Helper()
	status, _ := do(t, "POST", url+PathSetTriggers, jsonType, body, headers)
	return status
}

func readBack(t *testing.T, url string) (int, []byte) {
	t.Helper()
	return do(t, "GET", url+PathSetTriggers, "", nil, nil)
}

// badTokens are FE-2's cases: each must be answered 401 or 403.
func badTokens(t *testing.T) map[string]map[string]string {
	key, now := testKey(t), time.Now()
	site := "https://" + testSite.Name + ".azurewebsites.net"
	sign := func(k []byte, c host.TokenClaims) map[string]string {
		tok, err := host.IssueToken(k, c)
		if err != nil {
			t.Fatal(err)
		}
		return map[string]string{"x-ms-site-token": tok}
	}
	valid := host.TokenClaims{Issuer: site, Audience: host.IssuerAppService, IssuedAt: now, NotBefore: now, Expires: now.Add(5 * time.Minute)}
	expired, notYet, wrongIss, wrongAud := valid, valid, valid, valid
	expired.IssuedAt, expired.NotBefore, expired.Expires = now.Add(-20*time.Minute), now.Add(-20*time.Minute), now.Add(-10*time.Minute)
	notYet.NotBefore = now.Add(10 * time.Minute)
	wrongIss.Issuer = host.IssuerLegion
	wrongAud.Audience = site
	enc := base64.RawURLEncoding.EncodeToString
	none := enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." +
		enc([]byte(`{"aud":"`+host.IssuerAppService+`","exp":`+strconv.FormatInt(now.Add(time.Minute).Unix(), 10)+`,"iss":"`+site+`"}`)) + "."
	return map[string]map[string]string{
		"missing":        nil,
		"expired":        sign(key, expired),
		"not yet valid":  sign(key, notYet),
		"wrongly signed": sign(bytes.Repeat([]byte{7}, 32), valid),
		"alg none":       {"x-ms-site-token": none},
		"wrong issuer":   sign(key, wrongIss),
		"wrong audience": sign(key, wrongAud),
	}
}

var payload = []byte(`{"triggers":[{"type":"httpTrigger","functionName":"F"}],"hostId":"myapp"}`)

// FE-1 and FE-5: a valid MSG-1 is answered 200 and the read-back returns it; nothing stored: 404.
// reject-valid answers 500 and stores nothing.
func TestFrontEndAcceptsValid(t *testing.T) {
	for _, tt := range []struct {
		defect string
		want   int
	}{{"", 200}, {"reject-valid", 500}} {
		t.Run("defect="+tt.defect, func(t *testing.T) {
			noLeak(t)
			var defects []string
			if tt.defect != "" {
				defects = []string{tt.defect}
			}
			url := startFrontEnd(t, defects...)
			if status, _ := readBack(t, url); status != 404 {
				t.Errorf("read-back before any MSG-1: %d, want 404", status)
			}
			if got := setTriggers(t, url, payload, siteToken(t)); got != tt.want {
				t.Fatalf("valid MSG-1: %d, want %d", got, tt.want)
			}
			status, body := readBack(t, url)
			if tt.want == 200 && (status != 200 || !bytes.Equal(body, payload)) {
				t.Fatalf("read-back: %d %q, want 200 and the body", status, body)
			}
			if tt.want != 200 && status != 404 {
				t.Fatalf("read-back after a rejected MSG-1: %d, want 404", status)
			}
		})
	}
}

// FE-2: every bad token is refused with 401 or 403 and stores nothing; accept-bad-token takes them.
func TestFrontEndRefusesBadTokens(t *testing.T) {
	for _, defect := range []string{"", "accept-bad-token"} {
		t.Run("defect="+defect, func(t *testing.T) {
			noLeak(t)
			var defects []string
			if defect != "" {
				defects = []string{defect}
			}
			url := startFrontEnd(t, defects...)
			for name, headers := range badTokens(t) {
				got := setTriggers(t, url, payload, headers)
				refused := got == 401 || got == 403
				if refused != (defect == "") {
					t.Errorf("%s token: %d", name, got)
				}
			}
			status, _ := readBack(t, url)
			if (status == 404) != (defect == "") {
				t.Errorf("read-back after bad tokens: %d", status)
			}
		})
	}
}

// FE-3: a body that is not JSON is answered 400; accept-non-json answers 200.
func TestFrontEndRefusesNonJSON(t *testing.T) {
	for _, tt := range []struct {
		defect string
		want   int
	}{{"", 400}, {"accept-non-json", 200}} {
		t.Run("defect="+tt.defect, func(t *testing.T) {
			noLeak(t)
			var defects []string
			if tt.defect != "" {
				defects = []string{tt.defect}
			}
			url := startFrontEnd(t, defects...)
			for _, body := range []string{"", "not json", `{"triggers":[`, "operation=update-triggers"} {
				if got := setTriggers(t, url, []byte(body), siteToken(t)); got != tt.want {
					t.Errorf("body %q: %d, want %d", body, got, tt.want)
				}
			}
		})
	}
}

// FE-5: the stored payload is the last accepted body; store-rejected stores rejected ones too.
func TestFrontEndStoresOnlyAccepted(t *testing.T) {
	for _, defect := range []string{"", "store-rejected"} {
		t.Run("defect="+defect, func(t *testing.T) {
			noLeak(t)
			var defects []string
			if defect != "" {
				defects = []string{defect}
			}
			url := startFrontEnd(t, defects...)
			if got := setTriggers(t, url, payload, siteToken(t)); got != 200 {
				t.Fatalf("valid MSG-1: %d", got)
			}
			other := []byte(`{"triggers":[],"hostId":"other"}`)
			if got := setTriggers(t, url, other, nil); got != 401 {
				t.Fatalf("MSG-1 without a token: %d, want 401", got)
			}
			if got := setTriggers(t, url, []byte("not json"), siteToken(t)); got != 400 {
				t.Fatalf("MSG-1 not JSON: %d, want 400", got)
			}
			_, body := readBack(t, url)
			if bytes.Equal(body, payload) != (defect == "") {
				t.Fatalf("read-back %q after rejected requests", body)
			}
		})
	}
}

func TestFrontEndBodyLimit(t *testing.T) {
	noLeak(t)
	url := startFrontEnd(t)
	body := []byte(`{"pad":"` + strings.Repeat("x", MaxBody) + `"}`)
	if got := setTriggers(t, url, body, siteToken(t)); got != 413 {
		t.Fatalf("status %d, want 413", got)
	}
	if status, _ := readBack(t, url); status != 404 {
		t.Fatalf("read-back after a 413: %d, want 404", status)
	}
}
