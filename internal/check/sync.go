package check

import (
	"regexp"

	"github.com/syncsim/syncsim/sim"
)

// NoRedundantPublish is P5: a background sync whose hash equals the blob publishes nothing. A
// background span's hash "equals the blob" when its sync.hashread found last == current (SYNC-5); a
// span without a hashread is judged on the hash blob's value when it entered (the last blob.write
// before its sync.enter). Decided here: the hashread, the host's own comparison, wins over the blob's
// value at entry, since another instance may write the blob in between.
func NoRedundantPublish(in Input) Verdict {
	v := newVerdict(PropP5)
	var vs violations
	for _, s := range collectSpans(in.Trace.Records) {
		why, equal := hashEqualsBlob(s)
		if !s.background() || !equal {
			continue
		}
		v.Checked++
		if len(s.publishes) > 0 {
			vs.add(s.name() + " published at " + ref(*s.publishes[0]) + " although " + why)
		}
	}
	vs.judge(&v, "background span(s) published a hash the blob already held")
	return v
}

// hashEqualsBlob reports whether a span's payload hash equalled the hash blob, and why.
func hashEqualsBlob(s *span) (string, bool) {
	if h := s.hashread; h != nil {
		return "its hash read " + ref(*h) + " found the blob equal (" + short(h.Get("current")) + ")",
			h.Get("last") != "" && h.Get("last") == h.Get("current")
	}
	if s.enter == nil || s.blobAtEnter == "" {
		return "", false
	}
	return "the hash blob held its hash " + short(s.blobAtEnter) + " when it entered at " + ref(*s.enter),
		s.blobAtEnter == s.enter.Get("hash")
}

// NoEmptyBackgroundPublish is P10 (SYNC-4): no sync.publish with background=true and triggers=0.
func NoEmptyBackgroundPublish(in Input) Verdict {
	v := newVerdict(PropP10)
	var vs violations
	for _, r := range in.Trace.Records {
		if r.Kind != "sync.publish" || r.Get("background") != "true" {
			continue
		}
		v.Checked++
		if r.Get("triggers") == "0" {
			vs.add("background span " + r.Get("span") + " published an empty trigger set at " + ref(r) +
				" (target " + r.Get("target") + ")")
		}
	}
	vs.judge(&v, "empty background publish(es)")
	return v
}

// The SYNC-7 and SYNC-1 failure texts a span may end with.
var (
	failureTexts = map[string]bool{
		"Invalid environment for SyncTriggers operation.": true,
		"Failed to notify triggers changed.":              true,
		"SyncTriggers operation failed.":                  true,
	}
	statusFailure = regexp.MustCompile(`^SyncTriggers call failed \(StatusCode=[A-Za-z0-9]+\)\.$`)
)

func isFailureText(s string) bool { return failureTexts[s] || statusFailure.MatchString(s) }

// failed reports whether an http.result is a failure (MSG-1, MSG-2: anything but 2xx; 0 is no answer).
func failed(r *sim.Record) bool { n := r.Int("status"); return n < 200 || n > 299 }
