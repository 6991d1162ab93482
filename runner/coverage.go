package runner

import (
	"fmt"
	"io"

	"github.com/syncsim/syncsim/check"
)

// Coverage is one property's reach over an invocation's runs: in how many it examined at least one
// situation (checked > 0), and in how many it passed vacuously (checked = 0).
type Coverage struct {
	ID, Name        string
	Judged, Vacuous int
	Runs            int
}

// CoverageOf counts, per property of the catalogue in ID order, the runs that judged it.
func CoverageOf(results []*Result) []Coverage {
	var out []Coverage
	for _, p := range check.Catalogue() {
		c := Coverage{ID: p.ID, Name: p.Name, Runs: len(results)}
		for _, r := range results {
			for _, v := range r.Verdicts {
				if v.ID != p.ID {
					continue
				}
				if v.Checked > 0 {
					c.Judged++
				} else if v.Status == check.Pass {
					c.Vacuous++
				}
			}
		}
		out = append(out, c)
	}
	return out
}

// CoverageGate decides whether the coverage gate applies: when the invocation ran more than one
// scenario file (a directory, or several files), in the simulator. One scenario file is a focused run
// whose vacuous properties are expected; a live run judges fewer properties by design (P12, and the
// lease properties have no lease records there).
func CoverageGate(scenarioFiles int, live bool) bool { return scenarioFiles > 1 && !live }

// PrintCoverage writes one line per property ("coverage P7   judged 3/47 runs, vacuous 44") and,
// when gate is set, names every property vacuous in all runs; it returns the properties that never
// judged anything.
func PrintCoverage(w io.Writer, cov []Coverage, gate bool) (never []string) {
	if len(cov) == 0 || cov[0].Runs == 0 {
		return nil
	}
	fmt.Fprintln(w)
	for _, c := range cov {
		fmt.Fprintf(w, "coverage %-4s judged %d/%d runs, vacuous %d  %s\n", c.ID, c.Judged, c.Runs, c.Vacuous, c.Name)
		if c.Judged == 0 {
			never = append(never, c.ID)
		}
	}
	if !gate {
		return never
	}
	for _, c := range cov {
		if c.Judged == 0 {
			fmt.Fprintf(w, "coverage gate: %s %s examined nothing in any of the %d runs (add a scenario that exercises it)\n", c.ID, c.Name, c.Runs)
		}
	}
	return never
}
