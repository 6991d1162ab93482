package redact

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
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

// Each form of the package doc, with lines that must be masked and lines that must not change.
func TestRedactorForms(t *testing.T) {
	const sharedKey = "Eby9vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
	cases := []struct {
		form     string
		in, want string
	}{
		// env-style assignments and flags
		{"env", "client_secret=abc123xyz", "client_secret=[redacted]"},
		{"env", "AzureWebJobsStorage__accountKey=Zm9vYmFy", "AzureWebJobsStorage__accountKey=[redacted]"},
		{"env", "export API_KEY=k-1 MY_TOKEN=t-2", "export API_KEY=[redacted] MY_TOKEN=[redacted]"},
		{"env", "access_token = 'tok tok'", "access_token = '[redacted]'"},
		{"env", "apikey=q1 x.sig=q2 api-key=q3 DB_PASSWORD=q4", "apikey=[redacted] x.sig=[redacted] api-key=[redacted] DB_PASSWORD=[redacted]"},
		{"env", "--account-key Zm9v --client-secret=s2", "--account-key [redacted] --client-secret=[redacted]"},
		{"env", "keyName=default hostKeys=3 key_vault_uri=https://v", "keyName=default hostKeys=3 key_vault_uri=https://v"},
		{"env", "StatusCode=503 Site=myapp", "StatusCode=503 Site=myapp"},
		{"env", "key=AIzaSyA-1_b key=drop@link/msg2.request/instance>mesh#1", "key=[redacted] key=drop@link/msg2.request/instance>mesh#1"},
		{"env", "--keys 3 --key-file f.txt", "--keys 3 --key-file f.txt"},
		{"env", "--key (or WEBSITE_AUTH_ENCRYPTION_KEY) is required; [--key K] --password words", "--key (or WEBSITE_AUTH_ENCRYPTION_KEY) is required; [--key K] --password words"},
		{"env", "token.check accepted=true token=present alg=HS256 sig=ok key=missing", "token.check accepted=true token=present alg=HS256 sig=ok key=missing"},
		// YAML and header-style `NAME: value`
		{"colon", "masterKey: hunter22", "masterKey: [redacted]"},
		{"colon", "x-functions-key: abcdef", "x-functions-key: [redacted]"},
		{"colon", "x-ms-site-token: s1 x-ms-tenant-token: s2", "x-ms-site-token: [redacted] x-ms-tenant-token: [redacted]"},
		{"colon", "hostKeys: 3 pass: 13 token: sha256:cf462ee6b9eacd34", "hostKeys: 3 pass: 13 token: sha256:cf462ee6b9eacd34"},
		{"colon", "Host key 'default' updated. Master key updated.", "Host key 'default' updated. Master key updated."},
		{"colon", "P11  MUST   xpass        checked=1278  secrets-redacted", "P11  MUST   xpass        checked=1278  secrets-redacted"},
		// JSON, also escaped inside a JSON string
		{"json", `{"masterKey": "m-1", "functionKeys": 2}`, `{"masterKey": "[redacted]", "functionKeys": 2}`},
		{"json", `{"password":"a\"b\\c","user":"u"}`, `{"password":"[redacted]","user":"u"}`},
		{"json", `"body": "{\"masterKey\": \"m-2\", \"name\": \"n\"}"`, `"body": "{\"masterKey\": \"[redacted]\", \"name\": \"n\"}"`},
		{"json", `{"pass": 13, "auth": {"type": "none"}, "secret": null}`, `{"pass": 13, "auth": {"type": "none"}, "secret": null}`},
		{"json", `{"keyName": "default", "monkeyId": "m"}`, `{"keyName": "default", "monkeyId": "m"}`},
		// Authorization headers, any scheme, and schemes anywhere
		{"header", "Authorization: Bearer opaque-token-1", "Authorization: Bearer [redacted]"},
		{"header", "Authorization: Basic dXNlcjpwYXNz", "Authorization: Basic [redacted]"},
		{"header", "Authorization: SharedKey acct1:c2lnbmF0dXJl", "Authorization: SharedKey acct1:[redacted]"},
		{"header", "authorization: Custom xyz", "authorization: Custom [redacted]"},
		{"header", `"Authorization": "Negotiate a b"`, `"Authorization": "Negotiate [redacted]"`},
		{"header", "proxy-authorization: raw-credential", "proxy-authorization: [redacted]"},
		{"header", "retrying with Bearer Abc0123456789", "retrying with Bearer [redacted]"},
		{"header", "Basic authentication failed; bearer tokens expire", "Basic authentication failed; bearer tokens expire"},
		{"header", "WWW-Authenticate: Bearer", "WWW-Authenticate: Bearer"},
		// URL-encoded, query strings and SAS
		{"url", "body=MasterKey%3Dm-3%26Site%3Dx", "body=MasterKey%3D[redacted]%26Site%3Dx"},
		{"url", "q=password%3dp-4%20rest", "q=password%3d[redacted]%20rest"},
		{"url", "GET /api/f?code=fk-5&name=n", "GET /api/f?code=[redacted]&name=n"},
		{"url", "ErrorCode=AuthFailed StatusCode=403 code=x", "ErrorCode=AuthFailed StatusCode=403 code=x"},
		{"sas", "https://a.blob/c?sv=2020-08-04&se=2026-01-01T00%3A00%3A00Z&sp=r&sig=s1g%2Bx%3D", "https://a.blob/c?sv=2020-08-04&se=2026-01-01T00%3A00%3A00Z&sp=r&sig=[redacted]"},
		{"sas", "https://a.blob/c?sv=2020-08-04&se=2026-01-01&sp=r", "https://a.blob/c?sv=2020-08-04&se=2026-01-01&sp=r"},
		// connection strings
		{"connection string", "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=" + sharedKey + ";EndpointSuffix=core.windows.net",
			"DefaultEndpointsProtocol=https;AccountName=a;AccountKey=[redacted];EndpointSuffix=core.windows.net"},
		{"connection string", "Endpoint=sb://n/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=sk-6",
			"Endpoint=sb://n/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=[redacted]"},
		{"connection string", "BlobEndpoint=https://a/;SharedAccessSignature=sv=2020&sig=s7", "BlobEndpoint=https://a/;SharedAccessSignature=[redacted]&sig=[redacted]"},
		{"connection string", "Server=db;User Id=u;Password=p8;Pwd=p9;Pass=p10", "Server=db;User Id=u;Password=[redacted];Pwd=[redacted];Pass=[redacted]"},
		{"connection string", "AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;",
			"AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"},
		// a blob after a credential name without a separator
		{"blob", "using key 0123456789abcdef0123456789abcdef now", "using key [redacted] now"},
		{"blob", "the key rotation happened", "the key rotation happened"},
		// JWT
		{"jwt", "tok eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtZXNoIn0.c2ln x", "tok [redacted] x"},
		{"jwt", "eyJ alone, a.b.c and eyJhbGci only", "eyJ alone, a.b.c and eyJhbGci only"},
	}
	for _, tc := range cases {
		if got := New(nil).String(tc.in); got != tc.want {
			t.Errorf("%s: String(%q)\n got %q\nwant %q", tc.form, tc.in, got, tc.want)
		}
	}
}

// A value learnt from a name match is masked wherever else it appears in the same text (also
// before the line it was learnt from) and in every later call; a declared value everywhere.
func TestRedactorLearnsValues(t *testing.T) {
	cases := []struct {
		name     string
		declared []string
		in, want string
	}{
		{"learnt, later line", nil, "client_secret=Zm9vYmFyYmF6\nretrying with Zm9vYmFyYmF6\n", "client_secret=[redacted]\nretrying with [redacted]\n"},
		{"learnt, earlier line", nil, "sending Zm9vYmFyYmF6\nkey: Zm9vYmFyYmF6\n", "sending [redacted]\nkey: [redacted]\n"},
		{"learnt, URL-decoded", nil, "sig=s1g%2Bx%2Fyz%3D then s1g+x/yz=", "sig=[redacted] then [redacted]"},
		{"short learnt value stays local", nil, "Pwd=abc then abc and abcd", "Pwd=[redacted] then abc and abcd"},
		{"declared", []string{"imported-master-key-0001"}, "master: imported-master-key-0001", "master: [redacted]"},
		{"declared, JSON-escaped", []string{"k<&>1"}, `"v": "k\u003c\u0026\u003e1"`, `"v": "[redacted]"`},
		{"declared absent", []string{"imported-master-key-0001"}, "master: (none)", "master: (none)"},
	}
	for _, tc := range cases {
		r := New(tc.declared)
		if got := r.String(tc.in); got != tc.want {
			t.Errorf("%s: String(%q)\n got %q\nwant %q", tc.name, tc.in, got, tc.want)
		}
	}
	r := New(nil)
	r.String("token=opaque-0123456789")
	if got := r.String("a later output names opaque-0123456789"); got != "a later output names [redacted]" {
		t.Errorf("a learnt value is not masked in a later call: %q", got)
	}
	r2 := New(nil)
	if got := r2.Learn("first {\"secret\": \"zzzzzzzz-1\"}"); len(got) != 1 || got[0] != "zzzzzzzz-1" {
		t.Errorf("Learn = %q", got)
	}
	if got := r2.String("zzzzzzzz-1"); got != Mask {
		t.Errorf("a value Learn found is not masked: %q", got)
	}
}

// Masking is idempotent and leaves JSON valid, so the --json, --matrix and trace writers can run it
// over their output.
func TestRedactorKeepsJSONValid(t *testing.T) {
	in := map[string]any{
		"masterKey": "m-1", "pass": 3, "nested": `{"password": "x"} Authorization: Bearer abcdefgh`,
		"url": "https://a/b?sig=s%2B&code=c", "token": "sha256:00ff",
	}
	data, _ := json.Marshal(in)
	r := New(nil)
	out := r.Bytes(data)
	var back map[string]any
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatalf("masked JSON does not parse: %v\n%s", err, out)
	}
	if back["masterKey"] != Mask || back["pass"] != float64(3) || back["token"] != "sha256:00ff" {
		t.Errorf("masked JSON: %s", out)
	}
	for _, leak := range []string{"m-1", `\"x\"`, "abcdefgh", "s%2B", "=c"} {
		if strings.Contains(string(out), leak) {
			t.Errorf("%q survives: %s", leak, out)
		}
	}
	if again := r.Bytes(out); string(again) != string(out) {
		t.Errorf("masking twice changes the text:\n%s\n%s", out, again)
	}
}

func TestCredentialNames(t *testing.T) {
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"AzureWebJobsStorage__accountKey", true}, {"client_secret", true}, {"api-key", true}, {"x.sig", true},
		{"APIKey", true}, {"APIKEY", true}, {"key1", true}, {"SAS_TOKEN", true}, {"Pwd", true}, {"passwd", true},
		{"SharedAccessSignature", true}, {"credentials", true}, {"OAuth", true}, {"monkey", true},
		{"keyName", false}, {"hostKeys", false}, {"key_vault_uri", false}, {"sasUrl", false}, {"passes", false},
		{"status", false}, {"k", false}, {"--", false}, {"123", false},
	} {
		if got := isCredentialName(tc.name); got != tc.want {
			t.Errorf("isCredentialName(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// The Writer masks line by line, keeps what it learnt for later lines, flushes a last partial
// line, and masks a line split over several writes.
func TestWriterMasksLines(t *testing.T) {
	var out strings.Builder
	w := NewWriter(&out, nil)
	for _, chunk := range []string{"api_key=abc", "defgh12\rprogress 1/2\r", "later abcdefgh12\n", "Authorization: Bearer xyz"} {
		if n, err := w.Write([]byte(chunk)); err != nil || n != len(chunk) {
			t.Fatalf("Write(%q) = %d, %v", chunk, n, err)
		}
	}
	if strings.Contains(out.String(), "Authorization") {
		t.Errorf("a line without a line end was written before Flush: %q", out.String())
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "api_key=[redacted]\rprogress 1/2\rlater [redacted]\nAuthorization: Bearer [redacted]"
	if out.String() != want {
		t.Errorf("written %q\nwant    %q", out.String(), want)
	}
	if w.Unwrap() != &out {
		t.Error("Unwrap does not return the underlying writer")
	}
}

// A line longer than MaxPending is written in pieces: memory stays bounded.
func TestWriterBoundsPending(t *testing.T) {
	var out strings.Builder
	w := NewWriter(&out, nil)
	w.Write([]byte(strings.Repeat("x", 3*MaxPending+5)))
	if len(w.pending) >= MaxPending || out.Len() != 3*MaxPending {
		t.Errorf("pending %d, written %d", len(w.pending), out.Len())
	}
}

// No input makes the scanner panic, loop or grow its output beyond the masks it adds.
func FuzzString(f *testing.F) {
	for _, s := range []string{"a=b", `"k\"`, "key", "Authorization:", "Bearer ", "%3D", "x%3", `\"`, "sig=%2", "key \t", "--key"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := New(nil).String(s)
		if len(out) > len(s)+len(Mask)*(len(s)+1) {
			t.Fatalf("output grew from %d to %d bytes", len(s), len(out))
		}
		if again := New(nil).String(out); len(again) > len(out)+len(Mask)*(len(out)+1) {
			t.Fatal("second pass grew")
		}
	})
}

// BenchmarkString masks a report-sized text (about 1 MiB of trace-like lines, some with credentials).
func BenchmarkString(b *testing.B) {
	var sb strings.Builder
	for sb.Len() < 1<<20 {
		sb.WriteString("00:00:02.006515  storage  net.deliver msg=2 from=instance/pod-4943 kind=blob.request id=1 op=acquire-lease blob=locks/myapp/host\n")
		sb.WriteString(`{"k": "token", "v": "sha256:cf462ee6b9eacd34"}, {"masterKey": "m-0123456789"} AccountKey=Zm9vYmFyYmF6;sig=abc%2B` + "\n")
	}
	text := sb.String()
	r := New([]string{"s3cr3t-master-0000", "imported-master-key-0001"})
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.String(text)
	}
}

// TestDeclareFindsTheWriter: secrets declared after the output is set up are masked from then on,
// through a chain of wrapping writers; a plain writer has no redactor to declare to.
func TestDeclareFindsTheWriter(t *testing.T) {
	var b strings.Builder
	w := NewWriter(&b, nil)
	wrapped := struct{ unwrapper }{unwrapper{w}}
	if !Declare(wrapped, "plain-declared-value") {
		t.Fatal("Declare did not find the Writer behind the wrapper")
	}
	fmt.Fprintln(w, "a line holding plain-declared-value in the open")
	if strings.Contains(b.String(), "plain-declared-value") {
		t.Fatalf("declared value not masked: %q", b.String())
	}
	if Declare(&strings.Builder{}, "x-value-123") {
		t.Fatal("Declare reported a redactor behind a plain writer")
	}
}

type unwrapper struct{ w io.Writer }

func (u unwrapper) Write(p []byte) (int, error) { return u.w.Write(p) }
func (u unwrapper) Unwrap() io.Writer           { return u.w }
