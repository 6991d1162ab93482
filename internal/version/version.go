// Package version names this build of syncsim, for trace files and reports.
package version

// Harness is the harness version written into every trace file. It changes when the simulator's
// behaviour changes in a way that can make an older trace replay differently.
const Harness = "syncsim/0.4.0"
