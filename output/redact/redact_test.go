package redact

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strings"
	"testing"

	"github.com/syncsim/syncsim/scenarios"
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

// The three credentials issue 22 planted in a host log (a `code=` query value, a key inside a nested
// functionKeys object, a value after the word secretvalue), each in a log line, JSON, a YAML
// comment and JSON escaped inside a JSON string: masked where they stand, learnt, and masked again
// where the value appears alone later in the same output.
func TestRedactorPlantedCredentials(t *testing.T) {
	const (
		code   = "Pl4ntedC0deQuery-V4lue=="
		nested = "Pl4nted-nested-fk-V4lue=="
		secret = "Pl4nted-secretv4lue-xyz"
	)
	carriers := []struct{ name, text string }{
		{"log line", "2026-04-20T10:00:02.350Z pod-a7f3 Information Request starting HTTP/1.1 GET https://myapp.azurewebsites.net/api/HttpTrigger1?code=" + code + "&clientId=default\n" +
			"2026-04-20T10:00:02.360Z pod-a7f3 Debug Loaded keys functionKeys={HttpTrigger1: {default: " + nested + "}}\n" +
			"2026-04-20T10:00:02.370Z pod-a7f3 Debug Key vault secretvalue " + secret + "\n"},
		{"JSON", `{"url": "https://myapp.azurewebsites.net/api/HttpTrigger1?code=` + code + `&clientId=default",` +
			` "functionKeys": {"HttpTrigger1": {"default": "` + nested + `"}}, "secretvalue": "` + secret + `"}` + "\n"},
		{"YAML comment", "# GET /api/HttpTrigger1?code=" + code + "&clientId=default\n" +
			"  # functionKeys: {HttpTrigger1: {default: " + nested + "}}\n" +
			"  # secretvalue: " + secret + "\n"},
		{"escaped JSON", `"body": "{\"url\": \"/api/HttpTrigger1?code=` + code + `\", \"functionKeys\": [{\"name\": \"default\", \"value\": \"` + nested + `\"}], \"secretValue\": \"` + secret + `\"}"` + "\n"},
	}
	for _, c := range carriers {
		in := c.text + "later: " + code + " " + nested + " " + secret + "\n"
		got := New(nil).String(in)
		for _, v := range []string{code, nested, secret, "Pl4nted"} {
			if strings.Contains(got, v) {
				t.Errorf("%s: %q survives:\n%s", c.name, v, got)
			}
		}
		if !strings.HasSuffix(got, "later: [redacted] [redacted] [redacted]\n") {
			t.Errorf("%s: a learnt value is not masked where it appears again:\n%s", c.name, got)
		}
		for _, kept := range []string{"HttpTrigger1", "default"} {
			if !strings.Contains(got, kept) {
				t.Errorf("%s: the name %q is masked:\n%s", c.name, kept, got)
			}
		}
	}
}

// Every form of the Functions key parameter and of nested key objects, and the values after a
// secret-like word: masked values, kept names.
func TestRedactorKeysAndSecretWords(t *testing.T) {
	cases := []struct{ form, in, want string }{
		{"code", "GET /api/f?code=abcDEF123456xyz==&clientId=default", "GET /api/f?code=[redacted]&clientId=default"},
		{"code", "POST https://a.net/admin/host/synctriggers?Code=K3y-0123", "POST https://a.net/admin/host/synctriggers?Code=[redacted]"},
		{"code", "redirect=https%3A%2F%2Fa.net%2Fapi%2Ff%3Fcode%3Dk3y%2B0123%26x%3D1", "redirect=https%3A%2F%2Fa.net%2Fapi%2Ff%3Fcode%3D[redacted]%26x%3D1"},
		{"code", `"u": "/api/f\u003fcode=k3y-0123"`, `"u": "/api/f\u003fcode=[redacted]"`},
		{"code", "exit code=3; StatusCode=500 ErrorCode=AuthFailed", "exit code=3; StatusCode=500 ErrorCode=AuthFailed"},
		{"nested", `{"functionKeys": {"default": "fk-0123456789", "other": "fk-abcdefghij"}}`, `{"functionKeys": {"default": "[redacted]", "other": "[redacted]"}}`},
		{"nested", `{"functionKeys": {"Http1": {"default": "fk-0123456789"}}, "hostKeys": 2}`, `{"functionKeys": {"Http1": {"default": "[redacted]"}}, "hostKeys": 2}`},
		{"nested", `{"functionKeys": [{"name": "default", "value": "fk-0123456789", "encrypted": false}]}`, `{"functionKeys": [{"name": "default", "value": "[redacted]", "encrypted": false}]}`},
		{"nested", `{"masterKey": {"name": "master", "value": "mk-0123456789"}, "systemKeys": [{"name": "durabletask_extension", "value": "sk-0123456789"}]}`,
			`{"masterKey": {"name": "master", "value": "[redacted]"}, "systemKeys": [{"name": "durabletask_extension", "value": "[redacted]"}]}`},
		{"nested", `{"keys":[{"name":"default","value":"kv-0123456789"}],"links":[{"rel":"self","href":"https://a/admin/functions/f/keys"}]}`,
			`{"keys":[{"name":"default","value":"[redacted]"}],"links":[{"rel":"self","href":"https://a/admin/functions/f/keys"}]}`},
		{"nested", `"secrets": {"host": {"master": "m-0123456789", "function": {"default": "h-0123456789"}}, "function": []}`,
			`"secrets": {"host": {"master": "[redacted]", "function": {"default": "[redacted]"}}, "function": []}`},
		{"nested", `{"functionKeys": "{\"default\":\"fk-0123456789\"}"}`, `{"functionKeys": "{\"default\":\"[redacted]\"}"}`},
		{"nested", "systemKeys=[sk-0123456789, [redacted], sha256:00ff, 3]", "systemKeys=[[redacted], [redacted], sha256:00ff, 3]"},
		{"nested", `{"functionKeys": 2, "keys": []}`, `{"functionKeys": 2, "keys": []}`},
		{"word", "secretvalue: sv-0123 secretvalue = sv-4567", "secretvalue: [redacted] secretvalue = [redacted]"},
		{"word", `{"secretValue": "sv-89ab", "SECRET_VALUE": "sv-cdef", "token_value": "t-1"}`, `{"secretValue": "[redacted]", "SECRET_VALUE": "[redacted]", "token_value": "[redacted]"}`},
		{"word", "secretvalue Zm9vYmFyYmF6MDEyMzQ1", "secretvalue [redacted]"},
		{"word", "secret: s1 password = p2 apikey: a3 token=\"t4\"", "secret: [redacted] password = [redacted] apikey: [redacted] token=\"[redacted]\""},
		{"word", "defaultValue=3 maxvalue: 10 value: v", "defaultValue=3 maxvalue: 10 value: v"},
	}
	for _, tc := range cases {
		if got := New(nil).String(tc.in); got != tc.want {
			t.Errorf("%s: String(%q)\n got %q\nwant %q", tc.form, tc.in, got, tc.want)
		}
	}
}

// Redaction masks values only: words of prose and of fix hints, key names, key references, hashes
// and the mask itself stay as they are, also after a Redactor has learnt values from other lines.
func TestRedactorKeepsWords(t *testing.T) {
	r := New(nil)
	r.String(`{"functionKeys": [{"name": "default", "value": "fk-0123456789"}], "masterKey": {"name": "master", "value": "mk-0123456789"}}`)
	for _, in := range []string{
		"x.yaml:3:5: timeline[0].rotate_key.key: missing (fix: name the key: master, host.<name>, system.<name> or function.<function>.<name>)",
		"rotate_key: {key: host.default} key: function.Http1.default key: system.durabletask_extension key: master",
		"the key: default; the secret is rotated; the password was changed",
		"the secret value is rotated; secretvalue is set; keys: the host's and the functions'",
		"SyncTriggers hash (Last='36463dedc7e627f6805aa69838c48af9407d3a551fdd3e489c59ded3cda1b9dc', Current='aee43fd31b469dcad9345bca3607cdba')",
		"trace_hash=bd6fe462fddf62a0460 hash=301ec9c8e93a token: sha256:cf462ee6b9eacd34 key=sha256:00ff",
		"key: [redacted] secretvalue: [redacted] ?code=[redacted] {\"functionKeys\": {\"default\": \"[redacted]\"}}",
		"names: default master durabletask_extension",
	} {
		if got := r.String(in); got != in {
			t.Errorf("String(%q)\n got %q", in, got)
		}
	}
}

// The scenario loader's errors go to stderr through the one redaction: their fix hints, which name
// keys (`fix: name the key: master, host.<name>, ...`), come out word for word, also with the
// scenario's own secrets declared.
func TestRedactorKeepsFixHints(t *testing.T) {
	for _, doc := range []string{
		"site: {name: s}\ncontent:\n  keys: {master: hint-master-key-0001}\ntimeline:\n  - at: 1s\n    rotate_key: {value: v4lue-0001}\n",
		"site: {name: s}\ncontent:\n  keys: {master: hint-master-key-0001}\ntimeline:\n  - at: 1s\n    rotate_key: {key: mastr}\n",
		"site: {name: s}\ncontent:\n  keys: {master: hint-master-key-0001, host: {default: hint-host-key-0002}}\ntimeline:\n  - at: 1s\n    rotate_key: {key: hots.default}\n",
	} {
		_, err := scenarios.Parse("hint.yaml", []byte(doc))
		if err == nil {
			t.Fatalf("no error for\n%s", doc)
		}
		text := err.Error()
		if !strings.Contains(text, "fix: ") || !strings.Contains(text, "master") {
			t.Fatalf("the error names no key in its hint: %s", text)
		}
		r := New([]string{"hint-master-key-0001", "hint-host-key-0002", "v4lue-0001"})
		if got := r.String(text); got != text {
			t.Errorf("the redaction changes a fix hint:\n got %s\nwant %s", got, text)
		}
	}
}

// A key container that does not close on its line ends there: the next line is read as its own.
func TestContainerEndsAtLineEnd(t *testing.T) {
	in := "{\"functionKeys\": {\"default\": \"fk-0123456789\nnext line: default value here\n" +
		"{\\\"keys\\\": [\\\"k-0123456789\nsecond: plain words\n"
	want := "{\"functionKeys\": {\"default\": \"[redacted]\nnext line: default value here\n" +
		"{\\\"keys\\\": [\\\"[redacted]\nsecond: plain words\n"
	if got := New(nil).String(in); got != want {
		t.Errorf("String(%q)\n got %q\nwant %q", in, got, want)
	}
}
