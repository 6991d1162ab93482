// Package world runs one scenario in one mode with one seed in the simulator: it drives the reference
// host machines, the blob model, the front end, the mesh and the platform store from the kernel's event
// queue, connects them through the simulated network, plays the scenario's timeline and scripted
// faults, and records the trace the checkers judge. The instances and the site router are
// site.Fleet and site.Router, the live runtime's too; the world is their FleetEnv: the kernel's
// clock and timers, and the simulated network as their transport (fleetEnv), with the network's
// link faults and partitions.
//
//	res, err := world.Run(sc, host.ModePlatform, 1, world.Options{})
//	fmt.Println(res.Outcome.Reason, res.Trace.Hash())
package world
