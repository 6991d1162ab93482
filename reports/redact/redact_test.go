package redact

import (
	"encoding/json"
	"html/template"
	"strings"
	"testing"
)

func TestRedactorMasksSecretsAndTokens(t *testing.T) {
	r := New([]string{"s3cr3t-master-0000", "a<b&c\"d", "abc", ""})
	jwt := "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtZXNoIn0.c2lnbmF0dXJl"
	for _, tc := range []struct{ in, want string }{
		{"key s3cr3t-master-0000 used", "key [redacted] used"},
		{"bearer " + jwt + " end", "bearer [redacted] end"},
		{"none: eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "none: [redacted]"},
		{"abc is too short to mask", "abc is too short to mask"},
		{"escaped " + template.HTMLEscapeString("a<b&c\"d"), "escaped [redacted]"},
		{"raw a<b&c\"d", "raw [redacted]"},
	} {
		if got := r.String(tc.in); got != tc.want {
			t.Errorf("String(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	js, _ := json.Marshal("x a<b&c\"d y")
	if got := string(r.Bytes(js)); strings.Contains(got, "a\\u003cb") || !strings.Contains(got, Mask) {
		t.Errorf("JSON-escaped secret not masked: %s", got)
	}
	var zero *Redactor
	if got := zero.String(jwt); got != Mask {
		t.Errorf("a nil Redactor must still mask tokens, got %q", got)
	}
}
