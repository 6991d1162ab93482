package replay

import (
	"regexp"
	"slices"
	"strings"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/trace"
)

// Signature is the story a failure tells, as far as a shrink must keep it: the property, the kinds of
// the records its findings cite, and a reason class. Two failures of P1 can tell different stories
// ("the store holds a stale hash because a later sync skipped on the hash blob" and "the store holds
// a stale hash because the site stayed at zero instances"); a shrink that slipped from one to the
// other would hand on-call engineers another bug than theirs, so Shrink keeps the original signature.
type Signature struct {
	Property string
	// Kinds are the kinds of the records the failing verdict's findings cite (check.Evidence.Records),
	// sorted, each once.
	Kinds []trace.Kind
	// Class is the reason class, built from the evidence's structure, never from its text: the
	// relations between the values the findings compare (Evidence.Values: "blob=expected" when the
	// hash blob holds the expected payload's hash, "store=none" when the store holds nothing), the
	// categorical values they compare verbatim (an abandoned fetch's "reason"), and, for a finding
	// about what the store ended up holding, what the site did about it (storyFacts).
	Class []string
}

// String renders the signature: "P1 [blob.write content.change ...] blob=expected; skipped-on-stored-hash".
func (s Signature) String() string {
	kinds := make([]string, len(s.Kinds))
	for i, k := range s.Kinds {
		kinds[i] = string(k)
	}
	return s.Property + " [" + strings.Join(kinds, " ") + "] " + strings.Join(s.Class, "; ")
}

// Equal reports whether two signatures tell the same story.
func (s Signature) Equal(o Signature) bool {
	return s.Property == o.Property && slices.Equal(s.Kinds, o.Kinds) && slices.Equal(s.Class, o.Class)
}

// SignatureOf is the signature of the verdict of property in a run with these records; ok is false
// when the run does not fail the property.
func SignatureOf(verdicts []check.Verdict, property string, recs []trace.Record) (Signature, bool) {
	for _, v := range verdicts {
		if v.ID == property && v.Status == check.Fail {
			return signature(v, recs), true
		}
	}
	return Signature{}, false
}

// signature builds a failing verdict's signature from its findings and the run's records.
func signature(v check.Verdict, recs []trace.Record) Signature {
	s := Signature{Property: v.ID}
	bySeq := make(map[int]*trace.Record, len(recs))
	for i := range recs {
		bySeq[recs[i].Seq] = &recs[i]
	}
	values := map[string]string{}
	var keys []string
	cited := map[trace.Kind]bool{}
	for _, e := range v.Evidence {
		for _, seq := range e.Records {
			if r := bySeq[seq]; r != nil {
				cited[r.Kind] = true
			}
		}
		for _, f := range e.Values {
			if _, seen := values[f.Key]; !seen {
				values[f.Key] = f.Value
				keys = append(keys, f.Key)
			}
		}
	}
	for k := range cited {
		s.Kinds = append(s.Kinds, k)
	}
	slices.Sort(s.Kinds)
	slices.Sort(keys)
	s.Class = relations(keys, values)
	if _, ok := values["store"]; ok {
		if _, ok := values["expected"]; ok {
			s.Class = append(s.Class, storyFacts(values, v.Evidence, bySeq, recs)...)
		}
	}
	return s
}

// categorical are the value keys whose values are codes, compared verbatim.
var categorical = map[string]bool{"reason": true}

// hashRE matches a full PAY-3 hash.
var hashRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// relations are the relations between the compared values that do not depend on the run's
// particular hashes: equal hashes ("blob=expected"), absent ones ("store=none"), and categorical
// values ("reason=retry budget exhausted"). Numbers (revisions, counts) are left out: they move with
// any change of the schedule without changing the story.
func relations(keys []string, values map[string]string) []string {
	var out []string
	isHash := func(k string) bool { return hashRE.MatchString(values[k]) }
	for i, a := range keys {
		switch {
		case categorical[a]:
			out = append(out, a+"="+values[a])
			continue
		case values[a] == "" || values[a] == "(none)":
			out = append(out, a+"=none")
			continue
		case !isHash(a):
			continue
		}
		for _, b := range keys[i+1:] {
			if isHash(b) && values[a] == values[b] {
				out = append(out, a+"="+b)
			}
		}
	}
	return out
}

// storyFacts say, for a finding about what the store ended up holding, what the site did about the
// hash blob after it was written: skipped-on-stored-hash when a later sync read the expected
// payload's hash both as the blob's value and as its own and so skipped (SYNC-5: the hash-skip that
// keeps a stale store stale), zero-instances-at-end when no instance was running when the run ended
// (the site stayed at zero instances, so no sync could repair the store). Both are read from the
// records, after the hash blob write the findings cite (else from the start).
func storyFacts(values map[string]string, es []check.Evidence, bySeq map[int]*trace.Record, recs []trace.Record) []string {
	expected := values["expected"]
	after := 0
	for _, e := range es {
		for _, seq := range e.Records {
			if r := bySeq[seq]; r != nil && r.Kind == trace.KindBlobWrite && seq > after {
				after = seq
			}
		}
	}
	var facts []string
	skipped := false
	live := map[string]bool{}
	for i := range recs {
		r := &recs[i]
		switch r.Kind {
		case trace.KindInstanceCreate:
			live[r.Party] = true
		case trace.KindInstanceDelete:
			delete(live, r.Party)
		case trace.KindSyncHashRead:
			if hr, err := trace.AsSyncHashRead(*r); err == nil && r.Seq > after && expected != "" &&
				hr.Last == expected && hr.Current == expected {
				skipped = true
			}
		}
	}
	if skipped {
		facts = append(facts, "skipped-on-stored-hash")
	}
	if len(live) == 0 {
		facts = append(facts, "zero-instances-at-end")
	}
	return facts
}
