package validate

import (
	"strings"

	"github.com/syncsim/syncsim/internal/trace"
	"github.com/syncsim/syncsim/sim"
)

// partyMesh is the trace's name for the platform's mesh (internal/world.PartyMesh).
const partyMesh = "mesh"

// HostLog renders a run's trace (the simulator's or a live run's: both drivers write the same
// records) as a host log in the format Validate and the importer read: every `log` record, with
// the mesh's lines under the platform's name, and every instance deletion as `Instance deleted`.
func HostLog(records []trace.Record) []byte {
	var b strings.Builder
	b.WriteString("# host log rendered from a syncsim trace\n")
	for _, r := range records {
		party, level, text := r.Party, r.Get("level"), r.Get("text")
		switch {
		case r.Kind == "instance.delete":
			level, text = "Information", "Instance deleted ("+r.Get("reason")+")"
		case r.Kind != "log":
			continue
		}
		// A host's column is its CONTAINER_NAME, as in a real host's log.
		party = strings.TrimPrefix(party, "instance/")
		if party == partyMesh {
			party = partyPlatform
		}
		b.WriteString(stamp(sim.Epoch.Add(r.At)))
		b.WriteString(" " + party + " " + level + " " + strings.ReplaceAll(text, "\n", " ") + "\n")
	}
	return []byte(b.String())
}
