package importer

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/syncsim/syncsim/scenarios"
)

// FuzzImport feeds arbitrary host logs to the importer (issue 9, part 1). Properties:
//   - Import never panics;
//   - a failure names the log;
//   - a success writes YAML that scenarios.Parse loads, names the scenario, counts its lines
//     consistently (events + unknown lines <= lines read), and says it reproduced the incident
//     exactly when the run fails as the log ends failed;
//   - with AllowOutOfOrder (inputs of odd length) no log is refused for its order, and a log that was
//     reordered says so in its scenario.
//
// Seeds: the two sample logs of testdata (also committed under testdata/fuzz/FuzzImport, with logs
// out of order, with lines of no time among them, and with CRLF line ends) and short hand-made logs.
// Each successful import runs the simulator once, so executions are slower than the parsers'.
func FuzzImport(f *testing.F) {
	for _, file := range []string{"testdata/host-log-sample.log", "testdata/host-log-sample-frontend.log"} {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	start := "2026-04-20T10:00:02.120Z pod-a Information Host.Startup Host started (20ms)\n"
	for _, s := range []string{"", "# only a comment\n", start, start + start,
		"2026-04-20 pod-a Information Host started (Site=myapp, HostId=myapp, SyncTriggersMode=Platform)\n",
		start + "2026-04-20T10:00:00.000Z pod-a Information Syncsim.World Instance deleted (scale in to 0)\n",
		start + "garbage line\n\x00\xff\n",
		"2026-04-20T10:00:02.120Z world Information Syncsim.World Site settings (Site=a, HostId=a, Mode=Nope)\n",
		"Syncing triggers...\nSyncing triggers...\nError calling sync triggers (BadRequest).\n",
		"Making SyncTriggers request (RequestId=1, Uri=https://a.azurewebsites.net/operations/settriggers, Content={\n  \"triggers\": []\n}).\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// Inputs of odd length are imported with AllowOutOfOrder, so both ways of reading are fuzzed.
		allow := len(data)%2 == 1
		res, err := ImportWith("fuzz.log", bytes.NewReader(data), Options{AllowOutOfOrder: allow})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.log") {
				t.Fatalf("error does not name the log: %v", err)
			}
			if allow && errors.Is(err, ErrOutOfOrder) {
				t.Fatalf("AllowOutOfOrder refused the order: %v", err)
			}
			return
		}
		if res.Name == "" || len(res.YAML) == 0 {
			t.Fatalf("import succeeded without a scenario: %+v", res)
		}
		if _, err := scenarios.Parse(res.Name+".yaml", res.YAML); err != nil {
			t.Fatalf("imported YAML does not load: %v\n%s", err, res.YAML)
		}
		if res.Events+res.Unknown > res.Lines || res.Events+res.Unknown <= 0 {
			t.Fatalf("counts: %d lines, %d events, %d unknown", res.Lines, res.Events, res.Unknown)
		}
		if len(res.Reordered) > 0 && (!allow || !bytes.Contains(res.YAML, []byte("the log is out of order: "))) {
			t.Fatalf("reordered %v, allowed %v, and the scenario does not say so", res.Reordered, allow)
		}
		if res.Reproduced != (res.LogFailed == (len(res.Failing) > 0)) {
			t.Fatalf("Reproduced %v but the log fails %v and the run %v", res.Reproduced, res.LogFailed, res.Failing)
		}
	})
}
