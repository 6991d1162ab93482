// Package importer turns a host log (the host's own texts, reference/azure-functions-sync-triggers.md
// 7.5, one event a line: `RFC3339-time instance level message`, `#` comments) into a scenario that
// replays its story in the simulator: the same instances, timeline, mode and faults, with times as
// offsets from a start chosen so that the log's first host start lines up with the simulator's
// instance startup. A quiet stretch longer than an hour between events is shortened to an hour (every
// timer of the model settles within it), said in the scenario's comment block. Lines the importer
// does not know are kept as YAML comments and counted.
//
// Import runs the imported scenario once (seed 1, expectations ignored) and lists the properties it
// fails under `expect` for the log's mode, so that `simrun run` of the result exits 0 and `--raw`
// shows the failures. The CLI's `import` command is a thin wrapper.
//
//	res, err := importer.Import("host.log", f)
//	if err == nil {
//		os.WriteFile("incident.yaml", res.YAML, 0o644)
//		fmt.Printf("imported %d lines: %d events, %d unknown\n", res.Lines, res.Events, res.Unknown)
//	}
package importer
