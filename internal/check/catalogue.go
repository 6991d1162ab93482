package check

// The property catalogue (DESIGN.md "Properties"). IDs are stable.
var (
	PropP1 = Property{ID: "P1", Name: "eventual-convergence", Level: Must,
		Statement: "at the end of the settle window the platform store holds the site's expected payload (PAY-5)"}
	PropP3 = Property{ID: "P3", Name: "sync-exclusion", Level: Must,
		Statement: "within one instance no two sync spans overlap (SYNC-2)"}
	PropP4 = Property{ID: "P4", Name: "hash-implies-published", Level: Must,
		Statement: "whenever the hash blob holds the hash of the expected payload, the store holds that payload, or an accepted notification or publish that will deliver it is still under way"}
	PropP12 = Property{ID: "P12", Name: "deterministic", Level: Must,
		Statement: "re-running the same scenario, mode and seed in-process gives the same trace"}
)

// The checkers refer to their own entries for ID, name and level, so the links are made here.
func init() {
	PropP1.Check = EventualConvergence
	PropP3.Check = SyncExclusion
	PropP4.Check = HashImpliesPublished
}

// Catalogue lists the properties syncsim judges on every run, in ID order.
func Catalogue() []Property { return []Property{PropP1, PropP3, PropP4, PropP12} }

// Lookup finds a property by ID.
func Lookup(id string) (Property, bool) {
	for _, p := range Catalogue() {
		if p.ID == id {
			return p, true
		}
	}
	return Property{}, false
}

// TraceCheckers are the properties judged from a single trace.
func TraceCheckers() []Property {
	var out []Property
	for _, p := range Catalogue() {
		if p.Check != nil {
			out = append(out, p)
		}
	}
	return out
}
