package scenarios_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/syncsim/syncsim/scenarios"
)

// fuzzFile is the name every fuzzed scenario is parsed under; errors must name it.
const fuzzFile = "fuzz.yaml"

// FuzzScenarioParse feeds arbitrary bytes to the loader (issue 9, part 1). Properties:
//   - Parse never panics;
//   - a failure is a *scenarios.Error or scenarios.Errors, unwraps to ErrInvalid, and every problem
//     names the file and a line > 0 (a user can always find it);
//   - a success carries the SHA-256 of the bytes, and parsing the same bytes again gives the same
//     scenario and the same SHA (the loader is deterministic, which replay and merge rely on).
//
// The seeds are every scenario of the repository and its loader fixtures (also committed under
// testdata/fuzz/FuzzScenarioParse), plus a few hand-made edge cases.
func FuzzScenarioParse(f *testing.F) {
	for _, pattern := range []string{"*.yaml", "incidents/*.yaml", "testdata/*.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	for _, s := range []string{"", "\n", "---\n", "site: [", "site: {name: a}\n\tbad: tab", "modes: [frontend]\n",
		"site: {name: smoke}\ncontent: {keys: {master: m}}\nmodes: [nope]\n", "{}", "- 1\n- 2\n", "a: &x [*x]\n",
		"site: {name: smoke}\ncontent:\n  keys: {master: m}\nmodes: [frontend]\nsite: {name: twice}\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := scenarios.Parse(fuzzFile, data)
		if err != nil {
			checkScenarioError(t, err)
			return
		}
		sum := sha256.Sum256(data)
		if want := hex.EncodeToString(sum[:]); s.SHA256 != want || s.Path != fuzzFile {
			t.Fatalf("parsed scenario has path %q sha %q, want %q %q", s.Path, s.SHA256, fuzzFile, want)
		}
		again, err := scenarios.Parse(fuzzFile, data)
		if err != nil {
			t.Fatalf("the same bytes parse once and fail the second time: %v", err)
		}
		if again.SHA256 != s.SHA256 || !reflect.DeepEqual(again, s) {
			t.Fatalf("parsing the same bytes twice gives different scenarios")
		}
	})
}

// checkScenarioError asserts the loader's error contract on a failed Parse.
func checkScenarioError(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, scenarios.ErrInvalid) {
		t.Fatalf("error does not unwrap to ErrInvalid: %T %v", err, err)
	}
	var problems []*scenarios.Error
	switch e := err.(type) {
	case *scenarios.Error:
		problems = []*scenarios.Error{e}
	case scenarios.Errors:
		problems = e
	default:
		t.Fatalf("error is a %T, want *scenarios.Error or scenarios.Errors: %v", err, err)
	}
	if len(problems) == 0 {
		t.Fatal("empty scenarios.Errors")
	}
	for _, p := range problems {
		if p == nil {
			t.Fatal("nil *scenarios.Error in Errors")
		}
		if p.File != fuzzFile || p.Line <= 0 {
			t.Fatalf("problem without a file or line: File=%q Line=%d: %v", p.File, p.Line, p)
		}
	}
}
