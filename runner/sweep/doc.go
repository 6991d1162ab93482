// Package sweep runs many seeds of many scenarios in every mode and folds the verdicts into the
// property x mode matrix (DESIGN.md "Properties": the matrix, with the smallest failing seed per
// cell, is a main output). Each run is runner.RunOne, single-threaded and deterministic; the sweep
// spreads the runs over a pool of goroutines and folds their results in seed order, so the report is
// the same whatever the number of workers or the order in which runs finish. P12 is judged on a
// Sample of the runs (RunOptions), not on every one. The one wall-clock read
// in syncsim's run path is here: Config.MaxTime stops dispatching new seeds when it runs out. A
// sweep's runs allocate much and keep little, so while it runs the collector runs less often, under a
// memory limit (gc.go).
//
//	scs, _ := scenarios.LoadAll("scenarios")
//	rep, err := sweep.Sweep(sweep.Config{Scenarios: scs, Seeds: sweep.Range{From: 1, To: 300}}, os.Stderr)
//	if err == nil {
//		rep.WriteText(os.Stdout)
//		os.Exit(rep.Exit)
//	}
//
// A long sweep can be split over machines: Config.Shard (`--shard i/n`) runs one contiguous block of
// the seeds (Shard.Block), and Merge combines the shards' matrix reports (ReadReport) into the report
// one unsharded sweep gives, after checking that they are the shards of one sweep.
//
// The CLI's `simrun sweep` is a thin wrapper around Execute, `simrun merge` around ExecuteMerge.
package sweep
