package explore

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"math"
	"reflect"
	"slices"
	"strings"

	"github.com/syncsim/syncsim/sim"
	"github.com/syncsim/syncsim/sim/world"
	"github.com/syncsim/syncsim/trace"
)

// Digest is the hash of a world's state at a choice point.
type Digest [sha256.Size]byte

// What the digest covers, and what it abstracts (the README's "Bounded exploration" says the same):
//
//   - covered: every field reachable from the run's World by reflection, unexported ones included:
//     the host machine of every instance (its sync state, lock, caches, timers' handles with their
//     due times), the lifecycle (instance states), the blob store (blobs, ETags, leases), the
//     platform store, front end and mesh (pending fetches, retries, debounce), the router's and the
//     other random streams' states, open partitions and the fault injectors' firing counts; and the
//     kernel's pending events in firing order, each with its due time relative to now, its party
//     and what it carries (the in-flight message, body included); and the virtual time itself (the
//     timeline, faults_end and the end of the settle window are absolute, so the time matters).
//   - abstracted: the trace recorded so far (history: safety properties are judged on each run's
//     own trace), event sequence numbers (only their order among pending events is kept), the
//     fault engine's opportunity counters and the last firing key (they name opportunities, they
//     do not change behaviour), the scenario and options (the same for the whole exploration),
//     functions and channels (closures are identified by the timer handles and messages above).
//   - symmetry: instance names are replaced by canonical names #0, #1, ... assigned in the order of
//     each instance's own state with every instance name masked, so two states that differ only by
//     which instance is called what hash alike. Ordered collections keep their order, so states
//     whose instances were created in a different order still differ where the order can matter
//     (the router picks among the ready instances by position).
//
// Digest hashes the world's state; the caller adds the place it was taken at.
func digestWorld(w *world.World) Digest {
	names := instanceNames(w)
	canon := canonicalNames(members(w), names)
	d := newDigester(canon)
	d.value(reflect.ValueOf(w).Elem())
	k := w.Kernel()
	d.int(int64(k.Elapsed()))
	for _, p := range k.Pending() {
		d.int(int64(p.In))
		d.str(p.Party)
		d.value(reflect.ValueOf(&p.Note).Elem())
	}
	var out Digest
	d.h.Sum(out[:0])
	return out
}

// members is the run's instances by name: the fleet's members (World.fleet.members).
func members(w *world.World) reflect.Value {
	fleet := reflect.ValueOf(w).Elem().FieldByName("fleet")
	if !fleet.IsValid() || fleet.IsNil() {
		return reflect.Value{}
	}
	return fleet.Elem().FieldByName("members")
}

// instanceNames lists the names of the run's instances (the keys of the fleet's members), longest
// first so that a replacement never rewrites a prefix of a longer name.
func instanceNames(w *world.World) []string {
	ms := members(w)
	var out []string
	if ms.IsValid() && ms.Kind() == reflect.Map {
		for _, k := range ms.MapKeys() {
			out = append(out, k.String())
		}
	}
	slices.SortFunc(out, func(a, b string) int { return cmp.Or(cmp.Compare(len(b), len(a)), cmp.Compare(a, b)) })
	return out
}

// canonicalNames maps each instance name to #i, i its rank among the instances' own states digested
// with every instance name masked (ties broken by name: tied instances are alike up to naming).
func canonicalNames(nodes reflect.Value, names []string) *strings.Replacer {
	if len(names) == 0 {
		return strings.NewReplacer()
	}
	mask := make([]string, 0, 2*len(names))
	for _, n := range names {
		mask = append(mask, n, "?")
	}
	type ranked struct {
		name string
		d    Digest
	}
	rs := make([]ranked, len(names))
	for i, n := range names {
		d := newDigester(strings.NewReplacer(mask...))
		d.value(nodes.MapIndex(reflect.ValueOf(n)))
		rs[i].name = n
		d.h.Sum(rs[i].d[:0])
	}
	slices.SortFunc(rs, func(a, b ranked) int {
		return cmp.Or(slices.Compare(a.d[:], b.d[:]), cmp.Compare(a.name, b.name))
	})
	canon := map[string]string{}
	for i, r := range rs {
		canon[r.name] = "#" + itoa(i)
	}
	pairs := make([]string, 0, 2*len(names))
	for _, n := range names {
		pairs = append(pairs, n, canon[n])
	}
	return strings.NewReplacer(pairs...)
}

// CanonicalDigest hashes v with the given instance names canonicalized as digestWorld does, v
// being a map from instance name to that instance's state: the symmetry reduction on its own.
func CanonicalDigest(v any, names []string) Digest {
	rv := reflect.ValueOf(v)
	slices.SortFunc(names, func(a, b string) int { return cmp.Or(cmp.Compare(len(b), len(a)), cmp.Compare(a, b)) })
	d := newDigester(canonicalNames(rv, names))
	d.value(rv)
	var out Digest
	d.h.Sum(out[:0])
	return out
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// skipped are the fields the digest abstracts (see digestWorld), by the struct they belong to.
var skipped = map[string]map[string]bool{
	"World":    {"k": true, "sc": true, "opts": true},
	"Site":     {"mu": true, "secrets": true},
	"Timeline": {"mu": true, "sc": true, "env": true},
	"engine":   {"w": true},
	"Faults":   {"mu": true, "clock": true, "opps": true, "allowed": true, "used": true, "streams": true},
	"Injector": {"key": true, "Spec": true},
	// The site core's interpreters' environments lead back to the World (and from an instance's state to
	// every other instance's, whose masked names would then collide).
	"Host":     {"env": true},
	"Member":   {"f": true},
	"Fleet":    {"sc": true, "env": true, "lock": true},
	"Router":   {"f": true},
	"Mesh":     {"env": true},
	"FrontEnd": {"env": true},
	"Event":    {"Seq": true},
	"Network":  {"k": true},
}

var (
	kernelType   = reflect.TypeOf((*sim.Kernel)(nil))
	recorderType = reflect.TypeOf((*trace.Recorder)(nil))
)

// digester writes a canonical encoding of a value into a hash: maps in the order of their encoded
// keys, pointers followed once (a later visit writes a back-reference), strings through the
// instance-name replacer.
type digester struct {
	h    hash.Hash
	rep  *strings.Replacer
	seen map[uintptr]int
	buf  [8]byte
}

func newDigester(rep *strings.Replacer) *digester {
	return &digester{h: sha256.New(), rep: rep, seen: map[uintptr]int{}}
}

func (d *digester) int(v int64) {
	binary.LittleEndian.PutUint64(d.buf[:], uint64(v))
	d.h.Write(d.buf[:])
}

func (d *digester) str(s string) {
	s = d.rep.Replace(s)
	d.int(int64(len(s)))
	d.h.Write([]byte(s))
}

func (d *digester) tag(b byte) { d.h.Write([]byte{b}) }

// value encodes v; depth is bounded by the cycle check on pointers and by the types themselves.
func (d *digester) value(v reflect.Value) {
	if !v.IsValid() {
		d.tag('0')
		return
	}
	switch v.Kind() {
	case reflect.Bool:
		if v.Bool() {
			d.tag('t')
		} else {
			d.tag('f')
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		d.int(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		d.int(int64(v.Uint()))
	case reflect.Float32, reflect.Float64:
		d.int(int64(math.Float64bits(v.Float())))
	case reflect.Complex64, reflect.Complex128:
		c := v.Complex()
		d.int(int64(math.Float64bits(real(c))))
		d.int(int64(math.Float64bits(imag(c))))
	case reflect.String:
		d.str(v.String())
	case reflect.Func, reflect.Chan, reflect.UnsafePointer:
		// Closures and channels are identified by what holds them (see digestWorld); only whether
		// one is set matters (a fired event's Fire is cleared).
		if v.IsNil() {
			d.tag('n')
		} else {
			d.tag('F')
		}
	case reflect.Interface:
		if v.IsNil() {
			d.tag('n')
			return
		}
		e := v.Elem()
		d.str(e.Type().String())
		d.value(e)
	case reflect.Pointer:
		if v.IsNil() || v.Type() == kernelType || v.Type() == recorderType {
			d.tag('n')
			return
		}
		p := v.Pointer()
		if i, ok := d.seen[p]; ok {
			d.tag('r')
			d.int(int64(i))
			return
		}
		d.seen[p] = len(d.seen)
		d.tag('p')
		d.value(v.Elem())
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			d.tag('n')
			return
		}
		d.int(int64(v.Len()))
		for i := 0; i < v.Len(); i++ {
			d.value(v.Index(i))
		}
	case reflect.Map:
		d.mapValue(v)
	case reflect.Struct:
		skip := skipped[v.Type().Name()]
		t := v.Type()
		for i := 0; i < v.NumField(); i++ {
			if skip[t.Field(i).Name] {
				continue
			}
			d.value(v.Field(i))
		}
	}
}

// mapValue encodes a map's entries in the order of their encoded keys (after renaming, so a map
// keyed by instance name is ordered by canonical name).
func (d *digester) mapValue(v reflect.Value) {
	type entry struct {
		key Digest
		k   reflect.Value
	}
	es := make([]entry, 0, v.Len())
	for _, k := range v.MapKeys() {
		kd := newDigester(d.rep)
		kd.value(k)
		var sum Digest
		kd.h.Sum(sum[:0])
		es = append(es, entry{sum, k})
	}
	slices.SortFunc(es, func(a, b entry) int { return slices.Compare(a.key[:], b.key[:]) })
	d.int(int64(len(es)))
	for _, e := range es {
		d.h.Write(e.key[:])
		d.value(v.MapIndex(e.k))
	}
}
