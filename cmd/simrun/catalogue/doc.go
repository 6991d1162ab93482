// Package catalogue lists what syncsim knows, as `simrun list` prints it: the host's modes, the
// faults and fault points, the properties, the contract rules with what judges each, the planted
// defects of the reference servers, the planted bugs (mutants), and the scenarios of a directory.
// Each list is read from the package that owns the data (host, scenarios/faults, check,
// conformance, live/meshhttp, live/standalone, explore/mutants, scenarios); this package
// only turns it into lines: a name, a one-line description and where the contract defines it.
//
//	items, err := catalogue.List([]string{"rules"})
//	if err != nil {
//		return err
//	}
//	catalogue.Write(os.Stdout, items)
package catalogue
