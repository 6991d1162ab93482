package sim

import "time"

// FaultRule is a scripted fault: fire Fault when a step machine reaches Point, at or after virtual
// time After, at most Count times, optionally only in background (or only in foreground) syncs.
type FaultRule struct {
	Fault      string
	Point      string
	After      time.Duration
	Count      int
	Background *bool
	Params     map[string]string
	fired      int
}

// Faults holds a run's scripted fault rules. Rules fire only before faults_end; then every fault heals.
type Faults struct {
	rules []*FaultRule
	end   time.Duration
}

// NewFaults copies the rules.
func NewFaults(rules []FaultRule, end time.Duration) *Faults {
	f := &Faults{end: end}
	for i := range rules {
		r := rules[i]
		f.rules = append(f.rules, &r)
	}
	return f
}

// At reports the first rule that fires at a point now, and counts it as fired. background tells
// whether the step is part of a background sync (ignored for points outside a sync span).
func (f *Faults) At(point string, now time.Duration, background bool) (*FaultRule, bool) {
	if now >= f.end {
		return nil, false
	}
	for _, r := range f.rules {
		if r.Point != point || now < r.After || r.fired >= r.Count {
			continue
		}
		if r.Background != nil && *r.Background != background {
			continue
		}
		r.fired++
		return r, true
	}
	return nil, false
}
