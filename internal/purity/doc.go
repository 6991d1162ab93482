// Package purity checks, by reading the source (AST), that the step-machine packages stay
// deterministic and pure (DESIGN.md principle 1): no goroutines, no wall clock, no network, file or
// process I/O, no crypto/rand, no uuid generators and no global random source. It is the lint rule
// behind TestStepMachinesArePure, run as an ordinary test so that the rule holds without anyone
// remembering it (the pebble habit of lint rules as tests).
//
// A Rule lists what is banned; DefaultBanned returns the repo's rule and CheckDir applies it to the
// non-test .go files of one directory:
//
//	vs, err := purity.CheckDir("sim")
//	if err != nil {
//		return err
//	}
//	for _, v := range vs {
//		fmt.Println(v) // sim/queue.go:12:3: call of time.Now: virtual time only; ...
//	}
//
// What is checked, and its limits:
//   - Imports are matched on their path, exactly or as a whole subtree ("net" bans net/http too).
//   - A qualified name such as time.Now is found through the file's import table, so aliased
//     imports (tm "time") are followed. An identifier counts as the package only if it is an import
//     name of that file and the parser did not resolve it to a declaration (ast.Ident.Obj), so a
//     local variable named time whose method is Now is not flagged. This resolution is syntactic
//     and per file: it is best effort, not go/types. A dot import of a package with banned names
//     (time, math/rand/v2) is reported itself, because its names can no longer be told apart.
//   - A banned name is reported whether it is called or only referenced (f := time.Now), since a
//     reference is a call waiting to happen.
//   - For math/rand/v2 every package-level function except the constructors is banned; which names
//     are functions is read from the package's source in GOROOT, so types such as rand.Rand and
//     methods on a *rand.Rand stay allowed.
//   - Build constraints are ignored: every non-test .go file of the directory is checked.
package purity
