// Package trace is the vocabulary every driver writes and every reader reads: record kinds, party
// names, network message kinds, one constructor per record kind, and the records' encoding, rendering
// and hashing (internal/trace/TRACE.md). The simulator (internal/world) and the live runtime (internal/live)
// write the same records through these constructors; checkers, explain, reports and the benchmark
// switch on the kind constants. A kind is never written as a string literal outside this package
// (TestNoKindLiterals).
package trace
