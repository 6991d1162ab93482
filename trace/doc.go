// Package trace is the vocabulary every driver writes and every reader reads: record kinds, party
// names, network message kinds, one constructor per record kind, and the records' encoding, rendering
// and hashing (trace/TRACE.md). The simulator (sim/world) and the live runtime (live)
// write the same records through these constructors; checkers, explain, reports and the benchmark
// switch on the kind constants. A kind is never written as a string literal outside this package
// (TestNoKindLiterals). Readers read a record's fields through its kind's typed view, declared next
// to the constructor (SyncPublishRecord, read by AsSyncPublish): a missing, malformed or unknown
// field is a *DecodeError naming the record and the field, never "" (view.go;
// TestViewsMatchConstructors holds every constructor and its view to the same fields). The canonical
// JSON hash the records carry is package trace/canonical's.
//
//	p, err := trace.AsSyncPublish(r) // p.Span, p.Background, p.Target, p.Hash, p.Triggers, p.Bytes
package trace
