package world

import (
	"testing"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/scenarios"
)

// TestInstanceStartLimit: faults start instances the loader cannot count; the world refuses every
// start past limits.instance_starts and records the refusal.
func TestInstanceStartLimit(t *testing.T) {
	const src = "site: {name: app}\ncontent: {keys: {master: m}}\nmodes: [frontend]\nfaults_end: 30m\nsettle: 1m\n" +
		"faults:\n  profile:\n    - {fault: scale-out, params: {every: 1m}}\n"
	for _, tt := range []struct {
		limits        string
		created       int
		wantRefusals  bool
		wantLimitText string
	}{
		{"limits: {instance_starts: 3}\n", 3, true, "3"},
		{"", 0, false, ""}, // the default, 1,000, is far from the ~30 scale-outs
	} {
		sc, err := scenarios.Parse("starts.yaml", []byte(src+tt.limits))
		if err != nil {
			t.Fatal(err)
		}
		res := run(t, sc, host.ModeFrontend, 1, Options{})
		created, refused := 0, 0
		for _, r := range res.Trace.Records {
			switch r.Kind {
			case "instance.create":
				created++
			case "instance.refused":
				refused++
				if r.Get("limit") != tt.wantLimitText {
					t.Errorf("refusal names limit %q, want %q", r.Get("limit"), tt.wantLimitText)
				}
			}
		}
		if tt.wantRefusals && (created != tt.created || refused == 0) {
			t.Errorf("limits %q: %d instances created, %d refused; want %d and some refused", tt.limits, created, refused, tt.created)
		}
		if !tt.wantRefusals && (refused != 0 || created < 10) {
			t.Errorf("default limit: %d instances created, %d refused; want every scale-out to start one", created, refused)
		}
	}
}
