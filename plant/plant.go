// Package plant holds syncsim's planted defects, each defined once, as interceptors around the
// reference parts, in this order of preference: a wrapper of a part's inputs and effects
// (host.Wrapper, mesh.Wrapper), where a short cut of an input or a rewrite of an effect produces the defect
// exactly; for a served endpoint, an http.Handler middleware on its requests and answers; else a
// function for one of the part's seams (host.Seams, mesh.Seams, mesh.FrontEndSeams,
// mesh.StoreSeams, blob.Seams: a struct of functions, one per decision point inside a step, whose
// zero value is the reference). The reference packages
// know none of the defects. A simulated run plants a Set through runner.Options.Plant (package
// explore/mutants' catalogue names the interceptors here); a served endpoint (simrun serve
// --defect, the conformance suites) resolves its defects' names with Resolve, so that a defect such
// as sync-ignores-failure is the same interceptor as the swallowed-publish-error mutant.
//
//	var set plant.Set
//	plant.NoLock(&set)
//	rep, err := runner.RunOne(sc, host.ModeFrontend, 1, runner.Options{Plant: set})
//
//	set, err := plant.Resolve(plant.MeshServer, site, []string{"no-retry"})
package plant

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/syncsim/syncsim/fakes/blob"
	"github.com/syncsim/syncsim/fakes/mesh"
	"github.com/syncsim/syncsim/host"
)

// Set is the interceptors planted in one run or one served endpoint. The zero value plants
// nothing: every part is the reference.
type Set struct {
	// Host goes into every host machine's decisions (host.Config.Seams), HostWrapper around its
	// inputs and effects (host.Config.Wrapper).
	Host        host.Seams
	HostWrapper host.Wrapper
	// Mesh goes into the mesh's decisions (mesh.Config.Seams), MeshWrapper around its effects
	// (mesh.Config.Wrapper), FrontEnd into the front end, Store into the platform store.
	Mesh        mesh.Seams
	MeshWrapper mesh.Wrapper
	FrontEnd    mesh.FrontEndSeams
	Store       mesh.StoreSeams
	// Blob goes into the blob model (blob.Store.Seams).
	Blob blob.Seams
	// HTTP wraps a reference server's handler; nil wraps nothing. Only served endpoints use it.
	HTTP func(http.Handler) http.Handler
	// Site is the site a served part serves (Resolve sets it), for the interceptors that sign a
	// token as the platform would.
	Site host.Site
}

// Interceptor plants one defect into a Set.
type Interceptor func(*Set)

// Defect is a planted defect of a served reference part: the contract rule it breaks, what it does,
// and its interceptor.
type Defect struct {
	Rule        string
	Description string
	Plant       Interceptor
}

// wrap adds a middleware outside any the Set already has.
func (s *Set) wrap(mw func(http.Handler) http.Handler) {
	inner := s.HTTP
	if inner == nil {
		s.HTTP = mw
		return
	}
	s.HTTP = func(h http.Handler) http.Handler { return mw(inner(h)) }
}

// Handler is h with the Set's middleware around it.
func (s Set) Handler(h http.Handler) http.Handler {
	if s.HTTP == nil {
		return h
	}
	return s.HTTP(h)
}

// Names lists a defect table's names, sorted.
func Names(table map[string]Defect) []string { return slices.Sorted(maps.Keys(table)) }

// ErrUnknownDefect is a name no table holds. Its text carries no package prefix: the served part
// that resolves the name wraps it with its own ("meshhttp: unknown defect ...").
var ErrUnknownDefect = errors.New("unknown defect")

// Resolve plants the named defects of a table into a fresh Set for a part serving site; an unknown
// name is an ErrUnknownDefect that lists the known ones.
func Resolve(table map[string]Defect, site host.Site, names []string) (Set, error) {
	s := Set{Site: site}
	for _, n := range names {
		d, ok := table[n]
		if !ok {
			return Set{}, fmt.Errorf("%w %q (known: %s)", ErrUnknownDefect, n, strings.Join(Names(table), ", "))
		}
		d.Plant(&s)
	}
	return s, nil
}

// Of is a Set with the interceptors planted, in order.
func Of(ins ...Interceptor) Set {
	var s Set
	for _, in := range ins {
		in(&s)
	}
	return s
}
