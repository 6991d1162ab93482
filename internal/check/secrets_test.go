package check

import (
	"strings"
	"testing"
)

// P11 finds a credential by structure too (PAY-4): each form once, never quoting the value, and
// nothing in masked or digest-only text.
func TestFindSecretsByStructure(t *testing.T) {
	cases := []struct {
		text string
		want []string
	}{
		{"AzureWebJobsStorage__accountKey=c2VjcmV0", []string{"a value assigned to credential name AzureWebJobsStorage__accountKey"}},
		{`{"masterKey": "m-1", "client_secret": "s-2"}`, []string{"a value assigned to credential name masterKey", "a value assigned to credential name client_secret"}},
		{`{\"masterKey\": \"m-1\"}`, []string{"a value assigned to credential name masterKey"}},
		{"body=MasterKey%3Dm-3%26x", []string{"a value assigned to credential name MasterKey"}},
		{"AccountName=a;AccountKey=k==;Password=p;Pwd=q", []string{"a value assigned to credential name AccountKey", "a value assigned to credential name Password", "a value assigned to credential name Pwd"}},
		{"?sv=2020&se=2026&sig=abc%2B", []string{"a value assigned to credential name sig"}},
		{"x-functions-key: fk-1 x-ms-site-token: st-2", []string{"a value assigned to credential name x-functions-key", "a value assigned to credential name x-ms-site-token"}},
		{"Authorization: SharedKey acct:c2ln", []string{"credentials after an authorization scheme"}},
		{"Authorization: Bearer opaque", []string{"credentials after an authorization scheme"}},
		{"then Bearer abcd-1234-efgh", []string{"credentials after an authorization scheme"}},
		// not credentials
		{"Authorization: Bearer [redacted] AccountKey=[redacted]; \"masterKey\": \"[redacted]\"", nil},
		{"mesh.fetch fetch=1 attempt=1 token=sha256:0123456789abcdef", nil},
		{`{"pass": 13, "hostKeys": 2, "keyName": "default", "secret": null}`, nil},
		{"Basic authentication failed; Host key 'default' updated", nil},
		{"AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;", nil},
		{"P11  MUST   pass         checked=1278  secrets-redacted", nil},
		{"frontend token.check accepted=true token=present alg=HS256 sig=ok", nil},
	}
	for _, tc := range cases {
		got := FindSecrets(tc.text, nil)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("FindSecrets(%q)\n got %q\nwant %q", tc.text, got, tc.want)
		}
	}
}

// A trace record that holds a credential by structure fails P11; the evidence names its form and
// record, not its value.
func TestP11CatchesStructuralLeak(t *testing.T) {
	clean := script(
		"instance/a log level=Information text=sync_done",
		"mesh mesh.fetch fetch=1 attempt=1 token=sha256:0123456789abcdef",
		"frontend token.check endpoint=frontend token=opaque-name-of-a-state sig=ok",
	)
	// The fields' names are the trace's vocabulary: only their values are judged by structure.
	expect(t, SecretsRedacted(Input{Trace: clean}), Pass, 3)
	leaky := script(
		"instance/a log level=Information text=ok",
		"instance/a log level=Error text=AccountKey=c3RvcmFnZS1rZXk=",
	)
	v := SecretsRedacted(Input{Trace: leaky})
	expect(t, v, Fail, 2, "a value assigned to credential name AccountKey appears in record #2 ")
	if strings.Contains(strings.Join(v.EvidenceText(), "\n"), "c3RvcmFnZS1rZXk") {
		t.Fatalf("evidence quotes the credential: %q", v.Evidence)
	}
}
