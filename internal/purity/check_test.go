package purity

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"
)

// found renders violations as "file:line: what", the part of a violation the tests pin down.
func found(vs []Violation) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = fmt.Sprintf("%s:%d: %s", filepath.Base(v.File), v.Line, v.What)
	}
	return out
}

// TestCheckerCatchesPlantedViolations proves the check on one of each banned thing.
func TestCheckerCatchesPlantedViolations(t *testing.T) {
	vs, err := CheckDir(filepath.Join("testdata", "planted"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"clock.go:9: call of time.Now",
		"clock.go:10: call of time.Sleep",
		"clock.go:11: reference to time.Since",
		"dot.go:3: dot import of time",
		"goroutine.go:5: go statement",
		"imports.go:5: import of crypto/rand",
		"imports.go:6: import of math/rand",
		"imports.go:7: import of net/http",
		"imports.go:8: import of os",
		"imports.go:10: import of github.com/google/uuid",
		"random.go:8: call of math/rand/v2.IntN",
		"random.go:8: call of math/rand/v2.N",
	}
	if got := found(vs); !slices.Equal(got, want) {
		t.Errorf("planted violations:\ngot  %q\nwant %q", got, want)
	}
	for _, v := range vs {
		if v.Why == "" || v.Column == 0 {
			t.Errorf("violation without a reason or column: %+v", v)
		}
	}
}

// TestCheckerAllowsCleanCode checks that shadowing locals, seeded streams and the pure parts of
// package time are not flagged.
func TestCheckerAllowsCleanCode(t *testing.T) {
	vs, err := CheckDir(filepath.Join("testdata", "clean"))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		t.Errorf("unexpected: %s", v)
	}
}

func TestViolationString(t *testing.T) {
	v := Violation{File: "sim/queue.go", Line: 12, Column: 3, What: "call of time.Now", Why: "virtual time only"}
	if got, want := v.String(), "sim/queue.go:12:3: call of time.Now: virtual time only"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestImportBans(t *testing.T) {
	r := DefaultBanned()
	for path, want := range map[string]bool{
		"net": true, "net/http": true, "net/http/httptest": true, "os": true, "os/exec": true,
		"os/signal": true, "io/ioutil": true, "syscall": true, "unsafe": true, "crypto/rand": true,
		"math/rand": true, "github.com/gofrs/uuid": true, "github.com/satori/go.uuid": true,
		"network": false, "osx": false, "io": false, "math/rand/v2": false, "time": false,
		"crypto/sha256": false, "github.com/google/uuidx": false, "net/url": false, "net/netip": false,
	} {
		if _, got := r.importBan(path); got != want {
			t.Errorf("import %q banned = %v, want %v", path, got, want)
		}
	}
}

func TestDefaultName(t *testing.T) {
	for path, want := range map[string]string{
		"time": "time", "math/rand/v2": "rand", "gopkg.in/yaml.v3": "yaml", "github.com/a/b": "b", "v2": "v2",
	} {
		if got := defaultName(path); got != want {
			t.Errorf("defaultName(%q) = %q, want %q", path, got, want)
		}
	}
}

// TestRandExceptionsAreFunctions guards against a typo in the constructor list: each exception
// must be a package-level function of math/rand/v2, and IntN must not be one of them.
func TestRandExceptionsAreFunctions(t *testing.T) {
	funcs, err := packageFuncs("math/rand/v2")
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range DefaultBanned().Packages {
		for _, name := range b.Except {
			if !funcs[name] {
				t.Errorf("%s.%s is excepted but is not a package-level function", b.Pkg, name)
			}
		}
	}
	if !funcs["IntN"] || funcs["Rand"] {
		t.Errorf("function set of math/rand/v2 is wrong: IntN=%v Rand=%v", funcs["IntN"], funcs["Rand"])
	}
}
