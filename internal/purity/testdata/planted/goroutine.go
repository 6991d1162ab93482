package planted

// Spawn starts a goroutine.
func Spawn(f func()) {
	go f()
}
