package purity

import (
	"slices"
	"strings"
)

// ImportBan bans importing Path; when Tree is set, every path below it too ("net" and "net/http").
type ImportBan struct {
	Path string
	Tree bool
	// Except lists paths below Path that stay allowed: pure value parsers such as net/url.
	Except []string
	Why    string
}

// CallBan bans calling or referencing the package-level name Name of the package at path Pkg.
type CallBan struct {
	Pkg  string
	Name string
	Why  string
}

// PackageBan bans every package-level function of the package at path Pkg except those named in
// Except. Types, and methods on values of those types, are not affected.
type PackageBan struct {
	Pkg    string
	Except []string
	Why    string
}

// Rule is what a checked package must not contain.
type Rule struct {
	Imports  []ImportBan
	Calls    []CallBan
	Packages []PackageBan
	// GoStatement, when not empty, bans go statements and gives the reason.
	GoStatement string
}

// Reasons shared by DefaultBanned's entries.
const (
	whyNetwork = "no network I/O; requests go out as effects (DESIGN.md principle 1)"
	whyOS      = "no file, process or OS I/O; effects go out as data (DESIGN.md principle 1)"
	whyTime    = "virtual time only; now comes in as data (DESIGN.md principle 1)"
	whyRandom  = "no unseeded randomness; use a stream derived from the run's seed (DESIGN.md principles 1, 3)"
	whyUUID    = "uuid generators are unseeded; derive ids from the run's seed (DESIGN.md principles 1, 3)"
	whyUnsafe  = "unsafe escapes what this check can see (DESIGN.md principle 1)"
	whyGo      = "no goroutines in a step machine; the driver owns concurrency (DESIGN.md principle 1)"
)

// DefaultBanned returns the rule for the step-machine packages (DESIGN.md principle 1).
func DefaultBanned() Rule {
	r := Rule{
		Imports: []ImportBan{
			{Path: "net", Tree: true, Except: []string{"net/url", "net/netip", "net/textproto"}, Why: whyNetwork},
			{Path: "os", Tree: true, Why: whyOS},
			{Path: "io/ioutil", Why: whyOS},
			{Path: "syscall", Tree: true, Why: whyOS},
			{Path: "crypto/rand", Why: whyRandom},
			{Path: "math/rand", Why: "math/rand (v1) has a global source; use math/rand/v2 with a seeded stream (DESIGN.md principles 1, 3)"},
			{Path: "github.com/google/uuid", Tree: true, Why: whyUUID},
			{Path: "github.com/gofrs/uuid", Tree: true, Why: whyUUID},
			{Path: "github.com/satori/go.uuid", Tree: true, Why: whyUUID},
			{Path: "unsafe", Why: whyUnsafe},
		},
		Packages: []PackageBan{{
			Pkg:    "math/rand/v2",
			Except: []string{"New", "NewPCG", "NewChaCha8", "NewZipf"},
			Why:    "global random source; call methods on a *rand.Rand from the run's seed (DESIGN.md principles 1, 3)",
		}},
		GoStatement: whyGo,
	}
	for _, name := range []string{"Now", "Since", "Until", "Sleep", "After", "AfterFunc", "Tick", "NewTimer", "NewTicker"} {
		r.Calls = append(r.Calls, CallBan{Pkg: "time", Name: name, Why: whyTime})
	}
	return r
}

// importBan returns the ban that covers path, if any.
func (r Rule) importBan(path string) (ImportBan, bool) {
	for _, b := range r.Imports {
		if path == b.Path || b.Tree && strings.HasPrefix(path, b.Path+"/") && !slices.Contains(b.Except, path) {
			return b, true
		}
	}
	return ImportBan{}, false
}

// hasNameBans reports whether some names of the package at path are banned, which makes a dot
// import of it unreadable for this check.
func (r Rule) hasNameBans(path string) bool {
	for _, b := range r.Calls {
		if b.Pkg == path {
			return true
		}
	}
	for _, b := range r.Packages {
		if b.Pkg == path {
			return true
		}
	}
	return false
}
