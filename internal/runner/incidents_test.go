package runner

import (
	"io"
	"os"
	"strings"
	"testing"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/scenarios"
)

// TMPDUMP: temporary trace dump, removed before hand-back.
func TestTmpIncidentDump(t *testing.T) {
	path := os.Getenv("INC_DUMP")
	if path == "" {
		t.Skip()
	}
	sc, err := scenarios.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	mode, _ := host.ParseMode(os.Getenv("INC_MODE"))
	res, err := RunOne(sc, mode, 1, Options{Raw: true})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range res.Trace.Records {
		b.WriteString(r.String() + "\n")
	}
	os.WriteFile(os.Getenv("INC_OUT"), []byte(b.String()), 0o644)
	_ = io.Discard
}
