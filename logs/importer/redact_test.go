package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/syncsim/syncsim/output/redact"
)

// secretValues reads testdata/host-log-secrets.values: every credential host-log-secrets.log holds.
func secretValues(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "host-log-secrets.values"))
	if err != nil {
		t.Fatal(err)
	}
	values := strings.Fields(string(data))
	if len(values) < 20 {
		t.Fatalf("only %d values", len(values))
	}
	return values
}

// PAY-4: an imported scenario keeps the log's unknown lines as comments, with every credential
// masked (each form of output/redact, and a learnt value where it appears again), and the rest of
// each line as it was.
func TestImportMasksCredentials(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "host-log-secrets.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := Import("host-log-secrets.log", f)
	if err != nil {
		t.Fatal(err)
	}
	yaml := string(res.YAML)
	for _, v := range secretValues(t) {
		if strings.Contains(yaml, v) {
			t.Errorf("the scenario holds the log's credential %q", v)
		}
	}
	if res.Unknown != 18 || !res.Reproduced {
		t.Errorf("unknown %d (want 18), reproduced %v: the credentials' lines change the story", res.Unknown, res.Reproduced)
	}
	for _, kept := range []string{
		"# unknown line 8: Warm-up probe answered after [redacted] was loaded",
		"Retrying the sync with [redacted] after a 401",
		"client_secret=[redacted] api_key=[redacted] access_token=[redacted]",
		`{"masterKey": "[redacted]", "functionKeys": 2, "hostKeys": 1}`,
		`\"name\": \"default\"`,
		"Authorization: SharedKey myappstorage:[redacted]",
		"Authorization: Bearer [redacted]",
		"MasterKey%3D[redacted]%26Site%3Dmyapp",
		"AccountName=myappstorage;AccountKey=[redacted];EndpointSuffix=core.windows.net",
		"User ID=app;Password=[redacted];Pwd=[redacted];Pass=[redacted]",
		"sv=2022-11-02&se=2026-04-21T00%3A00%3A00Z&sp=r&sig=[redacted]",
		"?code=[redacted]&name=n",
		"AzureWebJobsSecretStorageKeyVaultUri=https://vault.example/ hostKeys=2 keyName=default",
	} {
		if !strings.Contains(yaml, kept) {
			t.Errorf("the scenario does not hold %q", kept)
		}
	}
}

// maskComments masks comment lines only: the YAML the importer writes itself is left as written.
func TestMaskCommentsLeavesYAML(t *testing.T) {
	cases := []struct{ in, want string }{
		{"# a: password=p4ssw0rd-1\nkeys:\n  master: imported-master-key-0001\n", "# a: password=[redacted]\nkeys:\n  master: imported-master-key-0001\n"},
		{"timeline:\n  - at: 1s\n    rotate_key: {key: host.default}\n", "timeline:\n  - at: 1s\n    rotate_key: {key: host.default}\n"},
		{"  # seen p4ssw0rd-2\n  # token: p4ssw0rd-2\nname: x\n", "  # seen " + redact.Mask + "\n  # token: " + redact.Mask + "\nname: x\n"},
	}
	for _, tc := range cases {
		if got := string(maskComments([]byte(tc.in))); got != tc.want {
			t.Errorf("maskComments(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}
