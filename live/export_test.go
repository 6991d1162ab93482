package live

import (
	"testing"

	"github.com/syncsim/syncsim/live/azurite"
)

// StartAzurite is startAzurite for the package's external tests (live_test), which may import the
// simulator's driver as the package itself may not.
func StartAzurite(t *testing.T) *azurite.Instance { return startAzurite(t) }
