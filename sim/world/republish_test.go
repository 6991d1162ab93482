package world

import (
	"strings"
	"testing"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/scenarios/faults"
)

// #9255 on a simulator run: with the payload-nondeterminism fault every build serializes the same
// payload in other text, so host starts republish it. P18 fails for that reason; P1 passes (the store
// holds the expected payload semantically) and says only the text differs. Without the fault both
// pass, P18 having examined the same rewrites.
func TestPayloadNondeterminismFailsP18NotP1(t *testing.T) {
	spec, err := faults.Parse("payload-nondeterminism:p=1")
	if err != nil {
		t.Fatal(err)
	}
	sc := load(t, "scenarios/smoke.yaml")
	for _, mode := range host.ModesOfRecord() {
		t.Run(mode.String(), func(t *testing.T) {
			clean := run(t, sc, mode, 1, Options{})
			if v := verdict(t, clean, check.PropP18); v.Status != check.Pass || v.Checked == 0 {
				t.Fatalf("correct code: P18 %s checked=%d %v", v.Status, v.Checked, v.Evidence)
			}
			faulted := run(t, sc, mode, 1, Options{Faults: []faults.Spec{spec}})
			p18 := verdict(t, faulted, check.PropP18)
			if p18.Status != check.Fail || !strings.Contains(strings.Join(p18.EvidenceText(), "\n"), "the same payload in other text") {
				t.Fatalf("with #9255: P18 %s %v", p18.Status, p18.Evidence)
			}
			p1 := verdict(t, faulted, check.PropP1)
			if p1.Status != check.Pass || !strings.Contains(strings.Join(p1.EvidenceText(), "\n"), "only the text differs") {
				t.Fatalf("with #9255: P1 %s %v", p1.Status, p1.Evidence)
			}
		})
	}
}
