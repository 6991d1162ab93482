package check

import (
	"strings"
	"testing"
)

func TestP6BoundedFetches(t *testing.T) {
	cases := []struct {
		name    string
		lines   []string
		want    Status
		checked int
		ev      []string
	}{
		{"coalesced burst: one fetch", []string{
			"@0s mesh mesh.accept notification=1",
			"@0.2s mesh mesh.accept notification=2",
			"@0.9s mesh mesh.accept notification=3",
			"@1.15s mesh mesh.fetch fetch=1 attempt=1 cover=3",
		}, Pass, 1, nil},
		{"retries are not new rounds", []string{
			"@0s mesh mesh.accept notification=1",
			"@0.1s mesh mesh.accept notification=2",
			"@0.35s mesh mesh.fetch fetch=1 attempt=1 cover=2",
			"@0.5s mesh mesh.fetch fetch=2 attempt=2 cover=2",
			"@0.7s mesh mesh.fetch fetch=3 attempt=3 cover=2",
			"@0.9s mesh mesh.fetch fetch=4 attempt=4 cover=2",
		}, Pass, 1, nil},
		{"a fetch per notification", []string{
			"@0s mesh mesh.accept notification=1",
			"@0.01s mesh mesh.fetch fetch=1 attempt=1 cover=1",
			"@0.3s mesh mesh.accept notification=2",
			"@0.31s mesh mesh.fetch fetch=2 attempt=1 cover=2",
			"@0.6s mesh mesh.accept notification=3",
			"@0.61s mesh mesh.fetch fetch=3 attempt=1 cover=3",
		}, Fail, 1, []string{"burst of 3 notifications #1 ", "led to 3 fetches; the third: #6 "}},
		{"a late fetch still counts (2 s after the last accept)", []string{
			"@0s mesh mesh.accept notification=1",
			"@0.5s mesh mesh.accept notification=2",
			"@0.6s mesh mesh.fetch fetch=1 attempt=1 cover=2",
			"@1.0s mesh mesh.fetch fetch=2 attempt=1 cover=2",
			"@2.5s mesh mesh.fetch fetch=3 attempt=1 cover=2",
		}, Fail, 1, []string{"the third: #5 "}},
		{"the next burst's fetches are its own", []string{
			"@0s mesh mesh.accept notification=1",
			"@0.1s mesh mesh.accept notification=2",
			"@0.4s mesh mesh.fetch fetch=1 attempt=1 cover=2",
			"@1.5s mesh mesh.accept notification=3",
			"@1.6s mesh mesh.accept notification=4",
			"@1.9s mesh mesh.fetch fetch=2 attempt=1 cover=4",
			"@2.0s mesh mesh.fetch fetch=3 attempt=1 cover=4",
		}, Pass, 2, nil},
		{"lone notifications are no burst", []string{
			"@0s mesh mesh.accept notification=1",
			"@0.1s mesh mesh.fetch fetch=1 attempt=1 cover=1",
			"@5s mesh mesh.accept notification=2",
		}, Pass, 0, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expect(t, BoundedFetches(Input{Trace: script(c.lines...)}), c.want, c.checked, c.ev...)
		})
	}
}

const testJWT = "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl"

func TestP11SecretsRedacted(t *testing.T) {
	secrets := []string{"abc", "master-key-0001", "enc-key-deadbeef"}
	clean := script(
		"instance/a log level=Information text=sync_done",
		"mesh mesh.fetch fetch=1 attempt=1 token=sha256:0123456789abcdef",
	)
	// "abc" is shorter than 6 characters: ignored, though it appears in "abcdef".
	expect(t, SecretsRedacted(Input{Trace: clean, Secrets: secrets}), Pass, 2)
	leaky := script(
		"instance/a log level=Information text=ok",
		"instance/a log level=Error text=key=enc-key-deadbeef_rejected",
		"mesh mesh.fetch fetch=1 attempt=1 token="+testJWT,
	)
	v := SecretsRedacted(Input{Trace: leaky, Secrets: secrets})
	expect(t, v, Fail, 3, "secret #3 of the run's keys appears in record #2 ", "a JWT-shaped token appears in record #3 ")
	all := strings.Join(v.EvidenceText(), "\n")
	for _, s := range append(secrets[1:], testJWT, "eyJ") {
		if strings.Contains(all, s) {
			t.Fatalf("evidence quotes a secret: %q", v.Evidence)
		}
	}
}

func TestFindSecrets(t *testing.T) {
	secrets := []string{"master-key-0001", "short", "enc-key-deadbeef"}
	got := FindSecrets(`{"error":"bad key enc-key-deadbeef","token":"`+testJWT+`","x":"short"}`, secrets)
	if strings.Join(got, ",") != "secret #3,a JWT-shaped token" {
		t.Fatalf("found %q", got)
	}
	if got := FindSecrets("nothing here; alg none: eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.", secrets); len(got) != 1 {
		t.Fatalf("an unsigned JWT is a token too: %q", got)
	}
	if got := FindSecrets("hash 9f86d081884c7d65", secrets); len(got) != 0 {
		t.Fatalf("found %q in clean text", got)
	}
}

func TestEvidenceNeverQuotesSecrets(t *testing.T) {
	tr := spaced(script(
		"instance/a sync.call span=1 origin=keys",
		"instance/a sync.end span=1 origin=keys success=false error=key_master-key-0001_token_"+testJWT,
	))
	v := ErrorSurfaced(Input{Trace: tr, Secrets: []string{"master-key-0001"}})
	all := strings.Join(v.EvidenceText(), "\n")
	if v.Status != Fail || strings.Contains(all, "master-key-0001") || strings.Contains(all, "eyJ") ||
		!strings.Contains(all, "(secret #1)") || !strings.Contains(all, "(token)") {
		t.Fatalf("evidence %q", v.Evidence)
	}
}
