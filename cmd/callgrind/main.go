// Command callgrind makes judged runs of one scenario, seeds 1..N, as `simrun sweep` or `simrun run`
// makes them, for instruction counts under valgrind: the per-run cost is the difference of the
// totals for two seed counts divided by their difference, so that start-up cancels out
// (scripts/callgrind does both and prints it; BENCHMARKS.md records the figures).
//
//	GOMAXPROCS=1 GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind \
//	    go run ./cmd/callgrind -path sweep -mode platform -seeds 20 scenarios/smoke.yaml
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/runner"
	"github.com/syncsim/syncsim/runner/sweep"
	"github.com/syncsim/syncsim/scenarios"
)

func main() {
	path := flag.String("path", "sweep", "whose runs: sweep (P12 on the sweep's sample) or run (every run twice)")
	mode := flag.String("mode", "platform", "the mode")
	seeds := flag.Int("seeds", 20, "make the runs of seeds 1..N")
	flag.Parse()
	if flag.NArg() != 1 || (*path != "sweep" && *path != "run") || *seeds < 1 {
		fmt.Fprintln(os.Stderr, "usage: callgrind [-path sweep|run] [-mode M] [-seeds N] SCENARIO")
		os.Exit(3)
	}
	sc, err := scenarios.Load(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "callgrind:", err)
		os.Exit(3)
	}
	m, err := host.ParseMode(*mode)
	if err != nil {
		fmt.Fprintln(os.Stderr, "callgrind:", err)
		os.Exit(3)
	}
	opts := runner.Options{}
	if *path == "sweep" {
		opts = sweep.RunOptions(sweep.Config{Seeds: sweep.Range{From: 1, To: uint64(*seeds)}})
	}
	events := 0
	for seed := uint64(1); seed <= uint64(*seeds); seed++ {
		r, err := runner.RunOne(sc, m, seed, opts)
		if err != nil {
			fmt.Fprintln(os.Stderr, "callgrind:", err)
			os.Exit(2)
		}
		events += r.EventCount
	}
	fmt.Printf("%d runs, %d events\n", *seeds, events)
}
