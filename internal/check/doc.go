// Package check judges runs: each property of DESIGN.md's catalogue (P1-P13) is a function from a
// trace to a Verdict with the number of situations it examined and, on failure, evidence naming the
// records that break it. Checkers read only the trace, so the simulator and the live runtime are
// judged by the same code.
//
//	v := check.EventualConvergence(check.Input{Trace: tr, Complete: true})
//	fmt.Println(v.ID, v.Status, v.Checked)
package check
