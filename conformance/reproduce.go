package conformance

import (
	"strings"
)

// Reproduce is the command line that runs one rule alone against the same endpoint as a run of t
// with env: `simrun conformance mesh --rule MESH-7` with t's endpoint flags (--mesh-url or
// --mesh-cmd, --site-listen, --site, the reference part's --defect, the front end's and host's
// URLs) and env's judging flags (--observe, --full, --strict). A key the user gave is written as
// "$KEY", never as itself (PAY-4); a generated key is left out, as the run generates another. A
// site name the site learned from the mesh's first fetch is written as --site.
func Reproduce(program string, t Target, env *Env, ruleID string) string {
	args := []string{program, "conformance", t.Kind, "--rule", ruleID}
	add := func(flag, value string) {
		if value != "" {
			args = append(args, flag, shellWord(value))
		}
	}
	switch t.Kind {
	case "mesh":
		add("--mesh-url", t.MeshURL)
		add("--mesh-cmd", t.MeshCmd)
		if t.SiteListen != "" && t.SiteListen != "127.0.0.1:0" {
			add("--site-listen", t.SiteListen)
		}
	case "frontend":
		add("--frontend-url", t.FrontEndURL)
		add("--frontend-readback", t.FrontEndReadback)
	case "host":
		add("--host-url", t.HostURL)
		add("--host-expected-hash", t.HostExpectedHash)
	}
	site := t.SiteName
	if env != nil && env.Site != nil {
		if name, ok := env.Site.Learned(); ok {
			site = name
		}
	}
	// A running mesh's site is learnt unless --site is given: an explicit one is kept.
	if site != "" && (site != DefaultSiteName || t.MeshURL != "" && !t.LearnSite) {
		add("--site", site)
	}
	if t.Key != "" {
		args = append(args, "--key", `"$KEY"`)
	}
	for _, d := range t.Defects {
		add("--defect", d)
	}
	if env != nil {
		if t.Kind == "mesh" && ruleID == "MESH-4" {
			if env.Full {
				args = append(args, "--full")
			} else if env.Observe > 0 && env.Observe != DefaultObserve {
				add("--observe", env.Observe.String())
			}
		}
		if env.Strict {
			args = append(args, "--strict")
		}
	}
	return strings.Join(args, " ")
}
