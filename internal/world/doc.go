// Package world runs one scenario in one mode with one seed in the simulator: it drives the reference
// host machines, the blob model, the front end, the mesh and the platform store from the kernel's event
// queue, connects them through the simulated network and the site router, plays the scenario's
// timeline and scripted faults, and records the trace the checkers judge.
//
//	res, err := world.Run(sc, host.ModePlatform, 1, world.Options{})
//	fmt.Println(res.Outcome.Reason, res.Trace.Hash())
package world
