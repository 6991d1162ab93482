// Package mesh is the reference platform as step machines: the front end (MSG-1's settriggers), the
// mesh (MSG-2 notifications, MSG-3 fetches with TOK-4 tokens, debounce, retries with a budget) and the
// platform store (the last payload per site, with its hash and revision).
//
// Like package host, nothing here reads a clock, starts a goroutine or does I/O: the driver calls a
// method with the current time and performs the returned effects.
//
//	store := mesh.NewStore()
//	m := mesh.New(mesh.Config{Site: site, Store: store, Rand: rng})
//	status, effects := m.Notify(now, mesh.Request{Body: []byte("operation=update-triggers"), ...})
package mesh
