package world

import (
	"strings"
	"testing"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/plant"
)

// On a simulator run, each planted token or store bug fails the property that targets it, where the
// same scenario, mode and seed pass it on correct code.
func TestPlantedBugsFailTheirProperty(t *testing.T) {
	cases := []struct {
		name     string
		scenario string
		mode     host.Mode
		opts     Options
		prop     check.Property
		evidence string
	}{
		{"host audience by prefix", "scenarios/tokens.yaml", host.ModePlatform, Options{Plant: plant.Of(plant.AudiencePrefix)},
			check.PropP8, "accepted an invalid token"},
		{"front end ignores nbf", "scenarios/tokens.yaml", host.ModeFrontend, Options{Plant: plant.Of(plant.FrontEndIgnoresNotBefore)},
			check.PropP8, "endpoint frontend accepted an invalid token"},
		{"store loses every other write", "scenarios/smoke.yaml", host.ModeFrontend, Options{Plant: plant.Of(plant.StoreLosesEveryOtherWrite)},
			check.PropP2, "but the store then held"},
		{"store drops an equal revision", "scenarios/incidents/transient-empty-function-set.yaml", host.ModeFrontend,
			Options{Plant: plant.Of(plant.StoreDropsEqualRevision)}, check.PropP2, "but the store then held"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sc := load(t, c.scenario)
			clean := verdict(t, run(t, sc, c.mode, 1, Options{}), c.prop)
			if clean.Status != check.Pass || clean.Checked == 0 {
				t.Fatalf("correct code: %s %s checked=%d %v", c.prop.ID, clean.Status, clean.Checked, clean.Evidence)
			}
			bugged := verdict(t, run(t, sc, c.mode, 1, c.opts), c.prop)
			if bugged.Status != check.Fail || !strings.Contains(strings.Join(bugged.EvidenceText(), "\n"), c.evidence) {
				t.Fatalf("with the bug: %s %s %v", c.prop.ID, bugged.Status, bugged.Evidence)
			}
		})
	}
}

// Every token kind the fault forges is refused by the reference receivers, and the record holds the
// token's facts, never the token (P11): the scenario passes P8 and P11 with every kind fired.
func TestTokenFaultsEveryKindRefused(t *testing.T) {
	sc := load(t, "scenarios/tokens.yaml")
	for _, mode := range []host.Mode{host.ModeFrontend, host.ModePlatform} {
		res := run(t, sc, mode, 1, Options{})
		kinds := map[string]bool{}
		for _, r := range res.Trace.Records {
			if r.Kind == "fault.fire" && r.Get("fault") == "token-invalid" {
				kinds[r.Get("target")+"/"+r.Get("kind")] = true
			}
			if r.Kind == "token.check" && r.Has("fault") && r.Get("accepted") != "false" {
				t.Errorf("%s: forged token accepted: %s", mode, r)
			}
		}
		if len(kinds) != 22 {
			t.Errorf("%s: %d target/kind pairs fired, want 22: %v", mode, len(kinds), kinds)
		}
		for _, p := range []check.Property{check.PropP8, check.PropP11} {
			if v := p.Check(check.Input{Trace: res.Trace, Complete: true, Secrets: res.Secrets}); v.Status != check.Pass || v.Checked == 0 {
				t.Errorf("%s %s: %s checked=%d %v", mode, p.ID, v.Status, v.Checked, v.Evidence)
			}
		}
	}
}
