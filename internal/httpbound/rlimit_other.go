//go:build !unix

package httpbound

// openFileLimit is unknown here: DefaultConns takes MaxDefaultConns.
func openFileLimit() (uint64, bool) { return 0, false }
