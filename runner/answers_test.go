package runner

import (
	"testing"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/trace"
)

// A MSG-4 answer names the sync span that gave it (client.response's instance and span), so that
// P9 judges what a caller was told about a failed sync (SYNC-7: 500 with the span's text), and counts
// it. In error-surfaced.yaml every admin call falls in the fault window: some answers come from failed
// spans in every mode of record.
func TestAnswersNameTheirSpan(t *testing.T) {
	sc := loadScenario(t, "scenarios/error-surfaced.yaml")
	for _, mode := range []host.Mode{host.ModeFrontend, host.ModePlatform, host.ModeAdditive} {
		res, err := RunOne(sc, mode, 1, Options{})
		if err != nil {
			t.Fatal(err)
		}
		withSpan := 0
		for i := range res.Trace.Records {
			r := &res.Trace.Records[i]
			if r.Kind != trace.KindClientResponse {
				continue
			}
			a, err := trace.AsClientResponse(*r)
			if err != nil {
				t.Fatal(err)
			}
			if a.Span != 0 {
				withSpan++
			}
		}
		if withSpan == 0 {
			t.Errorf("%s: no client.response names the span that answered it", mode)
		}
		failedSpans := 0
		for i := range res.Trace.Records {
			r := &res.Trace.Records[i]
			if r.Kind != trace.KindSyncEnd {
				continue
			}
			e, err := trace.AsSyncEnd(*r)
			if err != nil {
				t.Fatal(err)
			}
			if !e.Success {
				failedSpans++
			}
		}
		for _, v := range res.Verdicts {
			if v.ID == check.PropP9.ID && v.Checked <= failedSpans {
				t.Errorf("%s: P9 checked %d, want more than the %d failed spans (their MSG-4 answers too)", mode, v.Checked, failedSpans)
			}
		}
	}
}
