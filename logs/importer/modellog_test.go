package importer_test

import (
	"bytes"
	"testing"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/logs/importer"
	"github.com/syncsim/syncsim/logs/validate"
	"github.com/syncsim/syncsim/runner"
	"github.com/syncsim/syncsim/scenarios"
)

// The model's own log (a simulator run rendered by validate.HostLog) imports to a scenario of the
// same site and mode, read from its Site settings line, with the instances its host starts name and
// its sync lines read as events.
func TestModelLogImports(t *testing.T) {
	sc, err := scenarios.Load("../../scenarios/smoke.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range host.ModesOfRecord() {
		r, err := runner.RunOne(sc, m, 1, runner.Options{Raw: true})
		if err != nil {
			t.Fatal(err)
		}
		res, err := importer.Import("smoke.log", bytes.NewReader(validate.HostLog(r.Trace.Records)))
		if err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		if res.Mode != m.String() || res.Site != sc.Site.Name || !res.Settings.Mode.Inferred() || res.Events < 10 || len(res.Settings.Instances) == 0 {
			t.Errorf("%s: mode %s (%s), site %s, %d events, instances %v", m, res.Mode, res.Settings.Mode.From, res.Site, res.Events, res.Settings.Instances)
		}
		if _, err := scenarios.Parse(res.Name+".yaml", res.YAML); err != nil {
			t.Errorf("%s: %v", m, err)
		}
	}
}
