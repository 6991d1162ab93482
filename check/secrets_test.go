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
		// A scenario names keys by reference; only a value is a credential.
		{"rotate_key: {key: host.default}", nil},
		{"key: function.HttpTrigger.default", nil},
		{"key: host.default.extra", []string{"a value assigned to credential name key"}},
		{"key: master-value-0001", []string{"a value assigned to credential name key"}},
		{"key: abcdefgh", []string{"a value assigned to credential name key"}},
		// A word after the bare name key is prose or a hint, not a value.
		{"timeline[0].rotate_key.key: is required (fix: name the key: master, host.<name>)", nil},
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
	// The fields' names are the trace's vocabulary: only their values are judged by structure, and
	// on a run only the fields that carry outside text or stand for a secret (the log's text, the
	// fetch's token): token.check's token and sig are not among them.
	expect(t, SecretsRedacted(Input{Trace: clean}), Pass, 2)
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

// On a run, P11 judges the fields that carry outside text; the whole trace is judged when it leaves
// the process (JudgeTrace): a secret in a field the vocabulary builds (here a publish's hash) is
// found there, and a digest field holding anything but a digest fails the run at once.
func TestP11OnRunsAndOnTraces(t *testing.T) {
	secrets := []string{"master-key-0001"}
	inVocabulary := script(
		"instance/a log level=Information text=ok",
		"instance/a sync.publish span=1 hash=master-key-0001",
	)
	expect(t, SecretsRedacted(Input{Trace: inVocabulary, Secrets: secrets}), Pass, 1)
	ev := JudgeTrace(inVocabulary, secrets)
	if len(ev) != 2 || !strings.HasPrefix(ev[0].Text, "secret #1 appears in record #2 ") || len(ev[0].Records) != 1 || ev[0].Records[0] != 2 {
		t.Fatalf("JudgeTrace: %+v", ev)
	}
	if ev := JudgeTrace(script("instance/a log level=Information text=ok"), secrets); ev != nil {
		t.Fatalf("a clean trace: %+v", ev)
	}
	raw := script("mesh mesh.fetch fetch=1 attempt=1 token=opaque-value-0001")
	expect(t, SecretsRedacted(Input{Trace: raw}), Fail, 1, "a value other than its digest in field token appears in record #1 ")
	expect(t, SecretsRedacted(Input{Trace: script("mesh net.send msg=1 to=x kind=y body=sha256:0123456789abcdef")}), Pass, 1)
}

// A planted leak in any rendered output fails JudgeOutput, naming the output and the form, never the
// value; a clean output passes.
func TestJudgeOutputFindsPlantedLeaks(t *testing.T) {
	secrets := []string{"master-key-0001"}
	planted := map[string]string{
		"run.json":    `{"verdicts":[{"evidence":["bad key master-key-0001"]}]}`,
		"index.html":  `<td>token ` + testJWT + `</td>`,
		"stdout":      "P1 pass\nconnection AccountKey=c3RvcmFnZS1rZXk=;\n",
		"run.xml":     `<failure message="Authorization: Bearer abcdefghijklmnop"/>`,
		"trace.jsonl": `{"k":"text","v":"x-functions-key: hostkeyvalue0001"}`,
	}
	for name, text := range planted {
		err := JudgeOutput(name, []byte(text), secrets)
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: a planted leak passed: %v", name, err)
			continue
		}
		for _, v := range []string{"master-key-0001", "c3RvcmFnZS1rZXk", "abcdefghijklmnop", "hostkeyvalue0001", testJWT} {
			if strings.Contains(err.Error(), v) {
				t.Errorf("%s: the error quotes the value: %v", name, err)
			}
		}
	}
	if err := JudgeOutput("run.json", []byte(`{"key":"drop@link/a#3","token":"sha256:0123456789abcdef","n":3}`), secrets); err != nil {
		t.Fatalf("a clean output: %v", err)
	}
}
