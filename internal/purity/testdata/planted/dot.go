package planted

import . "time"

// Later hides time.Now behind a dot import.
func Later() Time {
	return Now().Add(Second)
}
