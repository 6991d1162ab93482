package validate

import (
	"strings"

	"github.com/syncsim/syncsim/internal/trace"
	"github.com/syncsim/syncsim/sim"
)

// HostLog renders a run's trace (the simulator's or a live run's: both drivers write the same
// records) as a host log in the format Validate and the importer read: every `log` record, with
// the mesh's lines under the platform's name, and every instance deletion as `Instance deleted`.
func HostLog(records []trace.Record) []byte {
	var b strings.Builder
	b.WriteString("# host log rendered from a syncsim trace\n")
	for _, r := range records {
		party, level, text := r.Party, r.Get("level"), r.Get("text")
		switch {
		case r.Kind == trace.KindInstanceDelete:
			level, text = "Information", "Instance deleted ("+r.Get("reason")+")"
		case r.Kind != trace.KindLog:
			continue
		}
		// A host's column is its CONTAINER_NAME, as in a real host's log.
		party = strings.TrimPrefix(party, trace.InstancePrefix)
		if party == trace.PartyMesh {
			party = partyPlatform
		}
		b.WriteString(stamp(sim.Epoch.Add(r.At)))
		b.WriteString(" " + party + " " + level + " " + strings.ReplaceAll(text, "\n", " ") + "\n")
	}
	return []byte(b.String())
}
