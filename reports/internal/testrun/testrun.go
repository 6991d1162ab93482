// Package testrun makes the runs the report writers' tests render: a sweep over the smoke scenario
// and PR #11690's incident, and single runs, from the repository root. Tests only.
package testrun

import (
	"path/filepath"
	"runtime"
	"testing"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/runner"
	"github.com/syncsim/syncsim/runner/sweep"
	"github.com/syncsim/syncsim/scenarios"
)

// Scenarios are the paths the tests sweep, relative to the repository root.
var Scenarios = []string{"scenarios/smoke.yaml", "scenarios/incidents/worker-deleted-before-fetch.yaml"}

// Secret is the planted host master key of scenarios/smoke.yaml (P11).
const Secret = "s3cr3t-master-0000"

// FakeJWT is a JWT-shaped token tests plant in evidence.
const FakeJWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJtZXNoIiwiZXhwIjoxfQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ"

// Root makes the test run in the repository root, so scenario paths are the ones the CLI prints.
func Root(t testing.TB) {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	t.Chdir(filepath.Join(filepath.Dir(file), "..", "..", ".."))
}

// Sweep sweeps Scenarios over seeds from-to in each scenario's modes.
func Sweep(t testing.TB, from, to uint64) (*sweep.Report, []*scenarios.Scenario) {
	t.Helper()
	Root(t)
	scs, err := scenarios.LoadAll(Scenarios...)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := sweep.Sweep(sweep.Config{Scenarios: scs, Seeds: sweep.Range{From: from, To: to}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rep, scs
}

// Run makes one run (with its trace) of a scenario path in a mode.
func Run(t testing.TB, path string, mode host.Mode, seed uint64, raw bool) *runner.Result {
	t.Helper()
	Root(t)
	sc, err := scenarios.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := runner.RunOne(sc, mode, seed, runner.Options{Raw: raw})
	if err != nil {
		t.Fatal(err)
	}
	return res
}
