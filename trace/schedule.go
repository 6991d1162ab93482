package trace

// Schedule is a run's schedule as semantic events: which timeline entries play, which fault firings
// happen (by firing key: "fault@place#n", see the trace's fault.fire records), and which non-default
// scheduling choices are taken (by choice key: "choice#n"). Replay and shrink give it to the
// simulator's driver to follow: a nil list leaves that part to the seed; an empty list allows nothing
// of it.
type Schedule struct {
	Timeline []int    `json:"timeline"`
	Firings  []string `json:"firings"`
	Choices  []string `json:"choices"`
}

// Size is the schedule's size: timeline entries + fault firings + non-default choices.
func (s Schedule) Size() int { return len(s.Timeline) + len(s.Firings) + len(s.Choices) }

// ScheduleOf reads a run's schedule off its trace: the timeline entries it played, the fault firings
// (fault.fire, net.drop and net.duplicate records with a key) and the non-default choices (sched.pick).
func ScheduleOf(tr *Trace) Schedule {
	s := Schedule{Timeline: []int{}, Firings: []string{}, Choices: []string{}}
	seen := map[string]bool{}
	for _, r := range tr.Records {
		switch {
		case r.Kind == KindTimeline && r.Has("index"):
			s.Timeline = append(s.Timeline, r.Int("index"))
		case r.Kind == KindSchedPick && r.Has("key"):
			s.Choices = append(s.Choices, r.Get("key"))
		case r.Get("key") != "" && (r.Kind == KindFaultFire || r.Kind == KindNetDrop || r.Kind == KindNetDuplicate):
			if k := r.Get("key"); !seen[k] {
				seen[k] = true
				s.Firings = append(s.Firings, k)
			}
		}
	}
	return s
}
