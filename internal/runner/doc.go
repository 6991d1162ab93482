// Package runner runs scenarios in the simulator and judges them: every scenario in every mode it
// names (or the modes asked for), for a range of seeds; each run is checked by every trace property,
// re-run once in-process for P12, and compared with the scenario's expectations. The CLI's `run`
// command is a thin wrapper around Execute.
//
//	res, err := runner.RunOne(sc, host.ModePlatform, 1, runner.Options{})
//	fmt.Println(res.TraceHash, runner.ExitCode([]*runner.Result{res}, false))
package runner
