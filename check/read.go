package check

import "github.com/syncsim/syncsim/trace"

// Checkers read records through their typed views (trace.AsSyncPublish, ...), never by key, so a
// renamed or missing field cannot read as "" and pass vacuously. A record its view cannot read fails
// the verdict: must stops the checker (a panic of malformed, which only this file raises and
// recovers, as encoding/json does with its own errors) and failOnMalformed, deferred by every
// exported checker, turns it into a Fail whose evidence cites the record and names the field.

// orZero is an optional number's value, 0 when the record leaves it out.
func orZero[T int | int64 | uint64](p *T) T {
	if p == nil {
		return 0
	}
	return *p
}

// orEmpty is an optional text's value, "" when the record leaves it out.
func orEmpty(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// malformed is a record a checker could not read.
type malformed struct {
	r   *trace.Record
	err error
}

// must reads r through decode, or stops the checker on a record its view cannot read.
func must[T any](decode func(trace.Record) (T, error), r *trace.Record) T {
	v, err := decode(*r)
	if err != nil {
		panic(malformed{r, err})
	}
	return v
}

// failOnMalformed, deferred with a checker's named verdict, makes the verdict a Fail citing the record
// it could not read; any other panic goes on.
func failOnMalformed(v *Verdict) {
	p := recover()
	if p == nil {
		return
	}
	m, ok := p.(malformed)
	if !ok {
		panic(p)
	}
	v.Status = Fail
	v.Evidence = []Evidence{cite("the trace cannot be judged: record ", m.r, " is malformed (", m.err.Error(), ")")}
}
