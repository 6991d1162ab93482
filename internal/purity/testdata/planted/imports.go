// Package planted holds one of each thing the purity check bans; the test asserts each is found.
package planted

import (
	crand "crypto/rand"
	"math/rand"
	"net/http"
	"os"

	"github.com/google/uuid"
)

var (
	_ = http.MethodGet
	_ = os.Getenv
	_ = crand.Reader
	_ = rand.Intn
	_ = uuid.New
)
