package suites

import (
	"context"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/conformance"
)

// Modes are the sync modes (PROTOCOL.md section 7) whose platform part a suite's rules concern;
// they become spec labels.
var Modes = map[string][]string{
	"mesh":     {"platform"},
	"frontend": {"frontend", "additive"},
	"host":     {"frontend", "platform", "additive"},
}

// Target is the endpoint the environment names for a kind, and whether one was named.
func Target(kind string) (conformance.Target, bool) {
	t := conformance.Target{Kind: kind, Key: os.Getenv("SYNCSIM_KEY"), SiteName: os.Getenv("SYNCSIM_SITE")}
	switch kind {
	case "mesh":
		t.MeshURL, t.SiteListen = os.Getenv("SYNCSIM_MESH_URL"), os.Getenv("SYNCSIM_SITE_LISTEN")
		return t, t.MeshURL != ""
	case "frontend":
		t.FrontEndURL, t.FrontEndReadback = os.Getenv("SYNCSIM_FRONTEND_URL"), os.Getenv("SYNCSIM_FRONTEND_READBACK")
		return t, t.FrontEndURL != ""
	case "host":
		t.HostURL, t.HostExpectedHash = os.Getenv("SYNCSIM_HOST_URL"), os.Getenv("SYNCSIM_HOST_EXPECTED_HASH")
		return t, t.HostURL != ""
	}
	return t, false
}

// tune applies the environment's timing and strictness to an Env.
func tune(env *conformance.Env) {
	env.Observe = conformance.DefaultObserve
	if d, err := time.ParseDuration(os.Getenv("SYNCSIM_OBSERVE")); err == nil && d > 0 {
		env.Observe = d
	}
	env.Full = os.Getenv("SYNCSIM_FULL") == "true"
	env.Strict = os.Getenv("SYNCSIM_STRICT") == "true"
}

// DescribeRules declares one spec per rule of a kind ("mesh", "frontend", "host").
func DescribeRules(kind string, rules []conformance.Rule) bool {
	// Disruptive rules last, as conformance.Run orders them, for a shared endpoint.
	sort.SliceStable(rules, func(a, b int) bool { return !rules[a].Disruptive && rules[b].Disruptive })
	target, external := Target(kind)
	return ginkgo.Describe("conformance "+kind, ginkgo.Ordered, func() {
		var shared *conformance.Prepared
		if external {
			ginkgo.BeforeAll(func(ctx ginkgo.SpecContext) {
				p, err := conformance.Prepare(ctx, target)
				gomega.Expect(err).NotTo(gomega.HaveOccurred())
				for _, n := range p.Notes {
					ginkgo.GinkgoWriter.Println(n)
				}
				tune(p.Env)
				shared = p
				ginkgo.DeferCleanup(p.Close)
			})
		}
		for _, r := range rules {
			labels := append([]string{r.ID, string(r.Level)}, Modes[kind]...)
			ginkgo.It(r.ID+": "+r.Title, ginkgo.Label(labels...), func(ctx ginkgo.SpecContext) {
				env := envFor(ctx, shared, target)
				Judge(r.Run(ctx, env), env.Strict)
			}, ginkgo.SpecTimeout(timeout(r)))
		}
	})
}

// envFor is the shared endpoint's Env, or a fresh reference part for this spec alone.
func envFor(ctx context.Context, shared *conformance.Prepared, target conformance.Target) *conformance.Env {
	if shared != nil {
		return shared.Env
	}
	p, err := conformance.Prepare(ctx, target)
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	ginkgo.DeferCleanup(p.Close)
	tune(p.Env)
	return p.Env
}

func timeout(r conformance.Rule) time.Duration {
	if r.Disruptive {
		return conformance.RetryRequirement + 5*time.Minute
	}
	return 5 * time.Minute
}

// Judge asserts a verdict: a gating rule must pass, an inconclusive one is skipped with its
// reason, a non-gating failure (SHOULD without strict, MAY) is reported and passes.
func Judge(v check.Verdict, strict bool) {
	evidence := strings.Join(v.EvidenceText(), "\n")
	ginkgo.AddReportEntry(v.ID+" "+string(v.Status), ginkgo.ReportEntryVisibilityFailureOrVerbose,
		struct {
			Status   check.Status
			Checked  int
			Evidence []string
		}{v.Status, v.Checked, v.EvidenceText()})
	switch {
	case v.Status == check.Inconclusive:
		ginkgo.Skip(v.ID + " inconclusive: " + evidence)
	case !conformance.Gates(v.Level, strict):
		if v.Status == check.Fail {
			ginkgo.GinkgoWriter.Printf("%s %s failed (not gating):\n%s\n", v.ID, v.Level, evidence)
		}
	default:
		gomega.Expect(v.Status).To(gomega.Equal(check.Pass), "%s %s:\n%s", v.ID, v.Level, evidence)
	}
}
