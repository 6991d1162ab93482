// Package logs reads the logs people have of the Azure Functions sync triggers flow, and writes the
// formats syncsim's model writes.
//
// Read detects the format of every line from its content: syncsim's own lines, the host's
// MS_FUNCTION_LOGS stdout lines (Linux Consumption and Flex), App Insights / Log Analytics exports of
// `traces` (CSV and JSON), the App Service log stream, the caller's side (Core Tools, VS Code, Azure
// Pipelines, Kudu traces) and messages pasted alone. A log may mix them, and may have no times at
// all. Lines that continue an entry (a JSON content over several lines, a stack trace) are joined to
// it, and every entry is classified by Classify, the catalogue of the host's templates
// (../shared/reference/real-host-contract.md section 6), the callers' lines and the harness's own
// (category Syncsim.*). Write writes entries back in syncsim's format, as MS_FUNCTION_LOGS lines or
// as the portal's JSON export; Read reads them back.
//
// Example:
//
//	log, err := logs.Read("incident.log", f, logs.Options{Year: 2024})
//	if err != nil {
//		return err // name:line: ... (fix: ...), wrapping logs.ErrLimit or logs.ErrUnknownFormat
//	}
//	for _, e := range log.Entries {
//		if e.Event.Kind == logs.KindFrontEndRequest && e.Event.Args["triggers"] == "0" {
//			fmt.Printf("%s:%d: the host published an empty trigger set\n", log.Name, e.Line)
//		}
//	}
package logs
