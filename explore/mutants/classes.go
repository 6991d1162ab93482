package mutants

// BlindSpot is a class of bugs that no property judged until one was written for it: the property
// (its own oracle over the trace), the scenarios that exercise the class, and the bugs planted for
// it in the catalogue. Each bug is caught by the class's property alone (TestBlindSpotsCaught).
type BlindSpot struct {
	Class string
	// Property is the catalogue property written for the class.
	Property string
	// Scenarios exercise the class (paths from the repository's root).
	Scenarios []string
	// Mutants are the catalogue's bugs of the class, by name.
	Mutants []string
}

// BlindSpots lists the classes in the order of their properties.
func BlindSpots() []BlindSpot {
	return []BlindSpot{
		{Class: "authorization", Property: "P19", Scenarios: []string{"scenarios/authorization.yaml", "scenarios/tokens.yaml"},
			Mutants: []string{"platform-claim-app-service", "platform-claim-site-issuer", "forbidden-as-unauthorized", "sync-needs-platform-claim"}},
		{Class: "caller's truth", Property: "P20", Scenarios: []string{"scenarios/caller-truth.yaml", "scenarios/concurrency.yaml", "scenarios/error-surfaced.yaml"},
			Mutants: []string{"additive-notify-failure-fails", "answer-while-locked", "answer-at-publish"}},
		{Class: "routing", Property: "P21", Scenarios: []string{"scenarios/routing.yaml", "scenarios/smoke.yaml"},
			Mutants: []string{"admin-sync-primary-only", "triggers-primary-only", "keys-sync-primary-only"}},
		{Class: "timing under a stream", Property: "P22", Scenarios: []string{"scenarios/retry-stream.yaml", "scenarios/notification-trickle.yaml"},
			Mutants: []string{"notification-waits-for-retry", "max-wait-grows-per-notification", "retry-backoff-shrinks"}},
	}
}

// classOf is the class of a catalogue bug ("" when it belongs to none of BlindSpots()).
func classOf(name string) string {
	for _, b := range BlindSpots() {
		for _, m := range b.Mutants {
			if m == name {
				return b.Class
			}
		}
	}
	return ""
}

// ClassTally is one class's line of a hunt's detection table.
type ClassTally struct {
	Class, Property string
	// Planted counts the class's bugs the hunt ran; Detected those caught, ByProperty those caught by
	// the class's own property.
	Planted, Detected, ByProperty int
}

// ByClass tallies a hunt's results by the classes of BlindSpots(), in their order; classes the hunt
// did not reach are left out.
func (r *Report) ByClass() []ClassTally {
	var out []ClassTally
	for _, b := range BlindSpots() {
		t := ClassTally{Class: b.Class, Property: b.Property}
		for _, m := range r.Mutants {
			if m.Class != b.Class {
				continue
			}
			t.Planted++
			if m.Detected {
				t.Detected++
			}
			if m.Detected && m.Property == b.Property {
				t.ByProperty++
			}
		}
		if t.Planted > 0 {
			out = append(out, t)
		}
	}
	return out
}
