package trace

import (
	"errors"
	"reflect"
	"strconv"
	"time"
)

// Typed views of records, for readers (checkers, explain, reports, validate). Each record kind has a
// view, a struct declared next to the kind's constructor whose fields carry the record's keys in a
// `trace` tag, and a decoder (AsSyncPublish, ...) that fills it from a record. A reader that reads a
// view instead of Record.Get cannot misspell a key (the field is a compile error) and cannot mistake
// a missing or malformed field for "" (the decoder returns a *DecodeError naming the record and the
// field). TestViewsMatchConstructors holds every constructor to its view, both ways.
//
// Tags: `trace:"key"` is a field every record of the kind carries; `trace:"key,optional"` one its
// constructor omits when zero (the view then holds the zero value), or, as a pointer, one whose
// presence matters (nil when absent); `trace:",extra"` on a Fields collects the fields a constructor
// takes from its caller (a fault's params), in order. A view without an extra field refuses a field it
// does not know. A key written twice reads as its first value, as Record.Get does.

// ErrMalformed is the sentinel every *DecodeError wraps.
var ErrMalformed = errors.New("trace: malformed record")

// DecodeError says which record and field a view could not be read from, and why.
type DecodeError struct {
	Seq   int
	Kind  Kind
	Field string
	// Problem is what is wrong: missing, not an int, unknown to the view, ...
	Problem string
}

func (e *DecodeError) Error() string {
	s := "trace: record #" + strconv.Itoa(e.Seq) + " " + string(e.Kind)
	if e.Field != "" {
		s += ": field " + strconv.Quote(e.Field)
	}
	return s + ": " + e.Problem
}

// Unwrap makes errors.Is(err, ErrMalformed) hold.
func (e *DecodeError) Unwrap() error { return ErrMalformed }

// ViewField describes one field of a kind's view: its key, Go type and whether records may omit it.
type ViewField struct {
	Key      string
	Type     reflect.Type
	Optional bool
}

// viewPlan is how a view type decodes: its fields by position, and the extra field's index (-1: none).
type viewPlan struct {
	fields []ViewField
	index  []int
	extra  int
}

// plans are the views' plans, made when each view is registered (package initialisation) and only
// read after it, so that a decode finds its plan without a lookup.
var plans = map[reflect.Type]*viewPlan{}

var (
	durationType = reflect.TypeOf(time.Duration(0))
	fieldsType   = reflect.TypeOf(Fields(nil))
)

// planOf returns the plan of a registered view's type.
func planOf(t reflect.Type) *viewPlan { return plans[t] }

// makePlan reads a view type's fields and their trace tags, once, at registration.
func makePlan(t reflect.Type) *viewPlan {
	p := &viewPlan{extra: -1}
	for i := range t.NumField() {
		sf := t.Field(i)
		tag, ok := sf.Tag.Lookup("trace")
		if !ok {
			panic("trace: view field " + t.Name() + "." + sf.Name + " has no trace tag")
		}
		key, opt, _ := cutComma(tag)
		if opt == "extra" {
			if sf.Type != fieldsType {
				panic("trace: extra field " + t.Name() + "." + sf.Name + " is not Fields")
			}
			p.extra = i
			continue
		}
		f := ViewField{Key: key, Type: sf.Type, Optional: opt == "optional"}
		if sf.Type.Kind() == reflect.Pointer && !f.Optional {
			panic("trace: pointer field " + t.Name() + "." + sf.Name + " must be optional")
		}
		p.fields = append(p.fields, f)
		p.index = append(p.index, i)
	}
	return p
}

func cutComma(s string) (string, string, bool) {
	for i := range len(s) {
		if s[i] == ',' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// decode fills the view v points to, whose plan is p, from r, which must be of one of kinds.
func decode(r Record, v any, p *viewPlan, kinds ...Kind) error {
	kindOK := false
	for _, k := range kinds {
		kindOK = kindOK || r.Kind == k
	}
	if !kindOK {
		return &DecodeError{Seq: r.Seq, Kind: r.Kind, Problem: "not a " + string(kinds[0]) + " record"}
	}
	rv := reflect.ValueOf(v).Elem()
	var seen uint64 // bit i: view field i was read (a view has fewer than 64 fields)
	for _, f := range r.Fields {
		i := p.find(f.Key)
		if i < 0 {
			if p.extra < 0 {
				return &DecodeError{Seq: r.Seq, Kind: r.Kind, Field: f.Key, Problem: "unknown to the view"}
			}
			ev := rv.Field(p.extra)
			ev.Set(reflect.Append(ev, reflect.ValueOf(f)))
			continue
		}
		if seen&(1<<i) != 0 {
			continue // Record.Get reads the first
		}
		seen |= 1 << i
		if problem := set(rv.Field(p.index[i]), f.Value); problem != "" {
			return &DecodeError{Seq: r.Seq, Kind: r.Kind, Field: f.Key, Problem: problem + " (" + strconv.Quote(f.Value) + ")"}
		}
	}
	for i, f := range p.fields {
		if !f.Optional && seen&(1<<i) == 0 {
			return &DecodeError{Seq: r.Seq, Kind: r.Kind, Field: f.Key, Problem: "missing"}
		}
	}
	return nil
}

func (p *viewPlan) find(key string) int {
	for i, f := range p.fields {
		if f.Key == key {
			return i
		}
	}
	return -1
}

// set parses s into the field v, and says what is wrong when it cannot ("" when it can).
func set(v reflect.Value, s string) string {
	if v.Kind() == reflect.Pointer {
		n := reflect.New(v.Type().Elem())
		if problem := set(n.Elem(), s); problem != "" {
			return problem
		}
		v.Set(n)
		return ""
	}
	switch {
	case v.Type() == durationType:
		d, err := time.ParseDuration(s)
		if err != nil {
			return "not a duration"
		}
		v.SetInt(int64(d))
	case v.Kind() == reflect.String:
		v.SetString(s)
	case v.Kind() == reflect.Bool:
		switch s {
		case "true":
			v.SetBool(true)
		case "false":
		default:
			return "not a bool"
		}
	case v.Kind() == reflect.Int || v.Kind() == reflect.Int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return "not an integer"
		}
		v.SetInt(n)
	case v.Kind() == reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return "not an unsigned integer"
		}
		v.SetUint(n)
	case v.Kind() == reflect.Float64:
		n, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return "not a number"
		}
		v.SetFloat(n)
	default:
		panic("trace: unsupported view field type " + v.Type().String())
	}
	return ""
}

// viewTypes maps each kind to its view's type (the kinds that share a view share its type).
var viewTypes = map[Kind]reflect.Type{}

// view registers T as the view of kinds and returns its decoder.
func view[T any](kinds ...Kind) func(Record) (T, error) {
	t := reflect.TypeFor[T]()
	p, ok := plans[t]
	if !ok {
		p = makePlan(t)
		plans[t] = p
	}
	for _, k := range kinds {
		if _, dup := viewTypes[k]; dup {
			panic("trace: two views for " + string(k))
		}
		viewTypes[k] = t
	}
	return func(r Record) (T, error) {
		var v T
		err := decode(r, &v, p, kinds...)
		return v, err
	}
}

// ViewOf describes the view of a kind: its fields in order, and whether it takes extra fields. ok is
// false for a kind without a view.
func ViewOf(k Kind) (fields []ViewField, extra, ok bool) {
	t, ok := viewTypes[k]
	if !ok {
		return nil, false, false
	}
	p := planOf(t)
	return p.fields, p.extra >= 0, true
}

// Get returns the value of the first extra field named key, or "" (the fields a view takes from its
// constructor's caller, as a fault's params, are the caller's vocabulary, not this package's).
func (fs Fields) Get(key string) string { return Record{Fields: fs}.Get(key) }

// Fields are a view's extra fields.
type Fields []Field

// View reads r through its kind's view and returns it (a SyncPublishRecord for a sync.publish, ...):
// for a reader that takes every kind, or a test that holds a driver's records to the views.
func View(r Record) (any, error) {
	t, ok := viewTypes[r.Kind]
	if !ok {
		return nil, &DecodeError{Seq: r.Seq, Kind: r.Kind, Problem: "a kind without a view"}
	}
	v := reflect.New(t)
	if err := decode(r, v.Interface(), planOf(t), r.Kind); err != nil {
		return nil, err
	}
	return v.Elem().Interface(), nil
}
