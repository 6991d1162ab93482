package dump

import (
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/world"
	"github.com/syncsim/syncsim/scenarios"
)

func TestDump(t *testing.T) {
	sc, err := scenarios.Load(os.Getenv("SC"))
	if err != nil {
		t.Fatal(err)
	}
	m, _ := host.ParseMode(os.Getenv("MODE"))
	seed, _ := strconv.ParseUint(os.Getenv("SEED"), 10, 64)
	res, err := world.Run(sc, m, seed, world.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Trace.Records {
		fmt.Println(r.String())
	}
}
