package system_test

import (
	"errors"
	"os"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/conformance"
	"github.com/syncsim/syncsim/runner"
)

// TestSystem runs live runs of smoke and the worker-deleted incident in both modes of record and
// expects the simulator's verdicts.
func TestSystem(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "conformance: system")
}

// failing is what the simulator says fails, per scenario and mode: smoke passes everything; the
// incident breaks P1 and P4 in platform mode (PR #11690's edge case) and nothing in frontend mode.
var failing = map[string]map[string][]string{
	"scenarios/smoke.yaml":                                 {"frontend": nil, "platform": nil},
	"scenarios/incidents/worker-deleted-before-fetch.yaml": {"frontend": nil, "platform": {"P1", "P4"}},
}

// properties are the ones the system suite asserts (P12 is judged only in the simulator; P13, a
// latency bound, is reported but not asserted on a live run's wall-clock timing).
var properties = []string{"P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9", "P10", "P11"}

var _ = Describe("conformance system", Ordered, Label("system"), func() {
	results := map[string]*runner.Result{}

	BeforeAll(func(ctx SpecContext) {
		rs, err := conformance.RunSystem(ctx, conformance.SystemOptions{AzuriteProvider: "npm", Log: GinkgoWriter})
		if errors.Is(err, conformance.ErrNoAzurite) && os.Getenv("CI") != "true" {
			Skip("Azurite is not installed: " + err.Error())
		}
		Expect(err).NotTo(HaveOccurred())
		for _, r := range rs {
			results[r.Scenario+" "+r.Mode] = r
		}
	}, NodeTimeout(5*time.Minute))

	for _, c := range conformance.SystemCases() {
		for _, id := range properties {
			mode := c.Mode.String()
			want := check.Pass
			for _, f := range failing[c.Scenario][mode] {
				if f == id {
					want = check.Fail
				}
			}
			It(id+" "+string(want)+" on "+c.Scenario+" in "+mode+" mode (live)", Label(id, mode), func() {
				r := results[c.Scenario+" "+mode]
				Expect(r).NotTo(BeNil(), "no live run of %s in %s mode", c.Scenario, mode)
				v := verdictOf(r, id)
				// The scenario's expectations turn an expected failure into xfail; the simulator's
				// verdict is the raw one.
				got := v.Status
				if got == check.XFail {
					got = check.Fail
				}
				if got == check.XPass {
					got = check.Pass
				}
				Expect(got).To(Equal(want), "%s on %s (%s): %s\n%v", id, c.Scenario, mode, v.Status, v.Evidence)
				if want == check.Pass && id == "P1" {
					Expect(v.Checked).To(BeNumerically(">", 0), "P1 examined nothing")
				}
			})
		}
	}
})

func verdictOf(r *runner.Result, id string) check.Verdict {
	for _, v := range r.Verdicts {
		if v.ID == id {
			return v
		}
	}
	Fail("no verdict " + id + " in the run of " + r.Scenario + " (" + r.Mode + ")")
	return check.Verdict{}
}
