package host

import (
	"fmt"
	"strings"
)

// Mode selects what the publish step (SYNC-6) does (PROTOCOL.md section 7).
type Mode int

const (
	// ModeFrontend publishes with MSG-1 to the front end (FUNCTIONS_SYNC_TRIGGERS_MODE=FrontEnd, the default).
	ModeFrontend Mode = iota + 1
	// ModePlatform notifies the mesh with MSG-2 instead; the mesh's 2xx counts as published (PR #11690).
	ModePlatform
)

var modeNames = map[Mode]string{
	ModeFrontend: "frontend",
	ModePlatform: "platform",
}

// Modes lists every mode the reference host implements, in a stable order.
func Modes() []Mode { return []Mode{ModeFrontend, ModePlatform} }

// String is the mode's name as scenarios and the CLI spell it.
func (m Mode) String() string {
	if n, ok := modeNames[m]; ok {
		return n
	}
	return fmt.Sprintf("mode(%d)", int(m))
}

// ModeNames lists the names of Modes(), for help texts and error messages.
func ModeNames() []string {
	var out []string
	for _, m := range Modes() {
		out = append(out, m.String())
	}
	return out
}

// ParseMode reads a mode name as scenarios and the CLI spell it.
func ParseMode(s string) (Mode, error) {
	for _, m := range Modes() {
		if m.String() == s {
			return m, nil
		}
	}
	return 0, fmt.Errorf("host: unknown mode %q (known: %s)", s, strings.Join(ModeNames(), ", "))
}
