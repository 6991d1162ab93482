package world

import (
	"errors"

	"github.com/syncsim/syncsim/fakes/blob"
)

// blobErrorOf is the *blob.Error errors.As finds in err's tree, or nil. A chain of plain wrappers
// (each with Unwrap() error and no As method) is walked without errors.As, whose target escapes:
// in such a chain the first *blob.Error is the one errors.As finds; any other tree is left to it.
func blobErrorOf(err error) *blob.Error {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if be, ok := e.(*blob.Error); ok {
			return be
		}
		if _, ok := e.(interface{ As(any) bool }); ok {
			break
		}
	}
	var be *blob.Error
	if errors.As(err, &be) {
		return be
	}
	return nil
}
