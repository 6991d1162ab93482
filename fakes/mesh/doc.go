// Package mesh is the reference platform as step machines: the front end (MSG-1's settriggers), the
// mesh (MSG-2 notifications, MSG-3 fetches with TOK-4 tokens, debounce, retries with a budget) and the
// platform store (the last payload per site, with its hash and revision).
//
// Like package host, nothing here reads a clock, starts a goroutine or does I/O: the driver calls a
// method with the current time and performs the returned effects.
//
// Config.Wrapper wraps the mesh's effects; Config.Seams, FrontEnd.Seams and Store.Seams name the
// parts' decision points inside a step (MESH-4's retry budget, MESH-6's debounce, FE-2's token
// check, ...), one function each. Their zero values are the reference; package plant
// plants a defect by supplying a wrapper or another function.
//
//	store := mesh.NewStore()
//	m := mesh.New(mesh.Config{Site: site, Store: store, Rand: rng})
//	status, effects := m.Notify(now, mesh.Request{Body: []byte("operation=update-triggers"), ...})
package mesh
