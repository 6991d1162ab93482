// Package runner runs scenarios in the simulator and judges them: every scenario in every mode it
// names (or the modes asked for), for a range of seeds; each run is checked by every trace property,
// re-run once in-process for P12, and compared with the scenario's expectations. The CLI's `run`
// command is a thin wrapper around Execute.
//
// An invocation ends with one Outcome: its exit code and every reason for it (Judge over the runs'
// verdicts, then Add for the gates that look past them, such as the coverage gate). Execute computes
// it once and hands it to every writer, so the text, --json, JUnit and HTML say what the exit code
// says.
//
//	res, err := runner.RunOne(sc, host.ModePlatform, 1, runner.Options{})
//	o := runner.Judge([]*runner.Result{res}, false)
//	fmt.Println(res.TraceHash, o.Exit, o.Lines(0))
package runner
