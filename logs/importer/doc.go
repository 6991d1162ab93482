// Package importer turns a log into a scenario that replays its story in the simulator, and reads
// logs for package validate. A log is any format package logs reads (syncsim's own, MS_FUNCTION_LOGS,
// App Insights CSV and JSON exports, the App Service log stream, the caller's side: Core Tools,
// VS Code, Azure Pipelines, Kudu; messages pasted alone), detected per line or forced
// (Options.Format); every entry is classified by the catalogue (logs.Classify).
//
// Read places entries that carry no time in line order (DefaultSpacing apart), refuses times that
// go backwards unless told to sort them, and infers what the log does not say, never from a line the
// host does not write: the site and host id from a harness's Site settings line, Starting Host's
// HostId or a request URI; the mode from a Site settings line or the host's notification lines (a
// mesh notification after a front-end request is additive, one without is platform), else
// frontend, what shipped; the instances from the instance column (cloud_RoleInstance, the container
// field, pod names). Flags (Options.Site, Mode, Instance) come first; Settings says where each value
// came from (FILE:LINE and the line's words), or that it is a default.
//
// Import tells the story: host starts become instances (a log with none gets one started at the
// beginning), deploys and key updates timeline actions, a caller's repeated attempts one
// admin_sync with retry (the log's count and spacing), an empty publish the transient-empty fault,
// a storage refusal storage-refuses, a lost lease primary-lease-lost, a failed publish or call the
// matching front-end fault, an exception while building the payload a failed sync span. It runs
// the scenario once (seed 1, expectations ignored) and lists what fails under `expect`; the comment
// block says what was inferred, from which line, what is a default, why each property fails, and
// which part of the story the model cannot tell. The CLI's `import` command is a thin wrapper.
//
//	res, err := importer.ImportWith("host.log", f, importer.Options{Mode: "additive"})
//	if err == nil {
//		os.WriteFile("incident.yaml", res.YAML, 0o644)
//		fmt.Printf("imported %d lines: %d events, %d unknown; fails %v\n", res.Lines, res.Events, res.Unknown, res.Failing)
//	}
package importer
