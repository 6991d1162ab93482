package host

import (
	"fmt"
	"strings"
)

// Mode selects what the publish step (SYNC-6) does (PROTOCOL.md section 7).
type Mode int

const (
	// ModeFrontend publishes with MSG-1 to the front end (no setting: the legacy host, the default).
	ModeFrontend Mode = iota + 1
	// ModePlatform notifies the mesh with MSG-2 instead; the mesh's 2xx counts as published: PR #11690's
	// design (FUNCTIONS_TRIGGERS_SYNC_SIGNAL_ENABLED), closed unmerged, so no shipped host does this.
	ModePlatform
	// ModeAdditive publishes with MSG-1, then on its success notifies the mesh, best effort: PR #11813,
	// shipped, switched on by FUNCTIONS_NOTIFY_PLATFORM_ON_SYNC=true.
	ModeAdditive
	// ModeSignalAll notifies the mesh with the hash on every call: no lock, no blob, no empty check
	// (PR #11690, first form).
	ModeSignalAll
	// ModePlatformAck is platform mode whose hash write waits for the platform's fetch: serving a MSG-3
	// with 200 writes that payload's hash under the sync lock (a candidate fix, decided in PROTOCOL.md).
	ModePlatformAck
)

var modeNames = map[Mode]string{
	ModeFrontend:    "frontend",
	ModePlatform:    "platform",
	ModeAdditive:    "additive",
	ModeSignalAll:   "signal-all",
	ModePlatformAck: "platform-ack",
}

// modeInfo is each mode's row of PROTOCOL.md section 7.
var modeInfo = map[Mode][2]string{
	ModeFrontend:    {"no setting (the default): publish with MSG-1 to the front end", "PROTOCOL.md 7; legacy host, shipped"},
	ModePlatform:    {"FUNCTIONS_TRIGGERS_SYNC_SIGNAL_ENABLED=1: MSG-2 to the mesh instead; its 2xx counts as published (unshipped design)", "PROTOCOL.md 7; PR #11690, final form, closed unmerged"},
	ModeAdditive:    {"FUNCTIONS_NOTIFY_PLATFORM_ON_SYNC=true: MSG-1, then on its success MSG-2, best effort", "PROTOCOL.md 7; PR #11813, shipped"},
	ModeSignalAll:   {"every call: gate, payload, MSG-2 with hash; no lock, no blob, no empty check (unshipped design)", "PROTOCOL.md 7; PR #11690, first form, closed unmerged"},
	ModePlatformAck: {"as platform, but the hash is written when the host serves MSG-3 with 200, under its sync lock", "PROTOCOL.md 7; proposed fix"},
}

// Modes lists every mode the reference host implements, in a stable order.
func Modes() []Mode {
	return []Mode{ModeFrontend, ModePlatform, ModeAdditive, ModeSignalAll, ModePlatformAck}
}

// ModesOfRecord are the modes every scenario runs in unless it names its own: the legacy front end,
// PR #11690's replacing form (FUNCTIONS_TRIGGERS_SYNC_SIGNAL_ENABLED, closed unmerged: a design that
// never shipped), and PR #11813's additive form (FUNCTIONS_NOTIFY_PLATFORM_ON_SYNC=true, merged
// 2026-06-10, the design that shipped: the front-end sync still runs and a best-effort update-triggers
// notification follows it).
func ModesOfRecord() []Mode { return []Mode{ModeFrontend, ModePlatform, ModeAdditive} }

// Description is a one-line description of the mode's publish step.
func (m Mode) Description() string { return modeInfo[m][0] }

// Reference is where the contract defines the mode.
func (m Mode) Reference() string { return modeInfo[m][1] }

// usesLock reports whether SYNC-2's lock guards the mode's spans.
func (m Mode) usesLock() bool { return m != ModeSignalAll }

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
