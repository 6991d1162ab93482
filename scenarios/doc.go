// Package scenarios loads scenario files: YAML documents that state a site's content, its
// instances, a timeline of deploys, key rotations, admin calls and scaling, a fault profile, the
// settle window, the modes to run and the properties each mode is expected to fail (DESIGN.md,
// "Scenarios, settle window, expectations"). SCHEMA.md documents every field.
//
// The loader applies every default, so a run reads a Scenario as it is; it checks every name
// against the registries (FaultNames, FaultPoints, PropertyIDs, host.Modes) and every reference
// against the timeline (a removed function must exist at that point, a rotated function key's
// function too). A problem comes back as an *Error, or Errors for several, each naming the file,
// line, column and field and saying how to fix it. Error texts never quote a credential (PAY-4).
//
//	sc, err := scenarios.Load("scenarios/smoke.yaml")
//	if err != nil {
//		fmt.Fprintln(os.Stderr, err) // scenarios/smoke.yaml:12:9: timeline[2].at: invalid duration "1x" (fix: ...)
//		os.Exit(3)
//	}
//	for _, m := range sc.Modes {
//		fmt.Println(sc.Name, m, "settle window ends at", sc.End(), "expected failures:", sc.Expected(m))
//	}
package scenarios
