package mesh

// Wrapper acts on the mesh's effects from outside its steps: a planted defect that a rewrite of an
// effect produces exactly is a Wrapper (package plant), and one that needs a decision
// inside a step is a Seams function. A nil field passes through, so the zero value is the reference
// mesh.
type Wrapper struct {
	// Effects rewrites a step's effects, in place or into another slice, in the order the driver is
	// to perform them.
	Effects func(m *Mesh, effects []Effect) []Effect
}

func (w Wrapper) withReference() Wrapper {
	if w.Effects == nil {
		w.Effects = func(_ *Mesh, effects []Effect) []Effect { return effects }
	}
	return w
}
