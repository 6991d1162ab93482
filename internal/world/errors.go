package world

import (
	"errors"

	"github.com/syncsim/syncsim/fakes/blob"
)

func asBlobError(err error, target **blob.Error) bool { return errors.As(err, target) }
