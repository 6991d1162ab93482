package check

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

// Canonical ignores key order and whitespace, keeps array order, and refuses what is not one JSON value.
func TestCanonical(t *testing.T) {
	cases := []struct {
		name string
		a, b string
		same bool
	}{
		{"key order", `{"a":1,"b":{"x":true,"y":null}}`, `{"b":{"y":null,"x":true},"a":1}`, true},
		{"whitespace", `{"a": [1, 2]}`, "{\n  \"a\":[1,2]\n}", true},
		{"string escapes", `{"s":"<\u00e9>"}`, `{"s":"\u003cé\u003e"}`, true},
		{"array order kept", `{"a":[1,2]}`, `{"a":[2,1]}`, false},
		{"number text kept", `{"a":1}`, `{"a":1.0}`, false},
		{"a value differs", `{"a":"x"}`, `{"a":"y"}`, false},
		{"literal backslash-u text is not an escape", `{"s":"\\u003c"}`, `{"s":"<"}`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ha, hb := CanonicalHash([]byte(c.a)), CanonicalHash([]byte(c.b))
			if ha == "" || hb == "" {
				t.Fatalf("no canonical hash: %q %q", ha, hb)
			}
			if (ha == hb) != c.same {
				t.Errorf("CanonicalHash equal = %v, want %v (%s / %s)", ha == hb, c.same, c.a, c.b)
			}
		})
	}
	got, err := Canonical([]byte(` {"b":[{"d":1,"c":2}],"a":"x"} `))
	if err != nil || string(got) != `{"a":"x","b":[{"c":2,"d":1}]}` {
		t.Errorf("Canonical = %s, %v", got, err)
	}
	for _, bad := range []string{"", "{", `{"a":1} {"b":2}`, "nope"} {
		if _, err := Canonical([]byte(bad)); !errors.Is(err, ErrNotJSON) {
			t.Errorf("Canonical(%q) err = %v, want ErrNotJSON", bad, err)
		}
		if h := CanonicalHash([]byte(bad)); h != "" {
			t.Errorf("CanonicalHash(%q) = %q, want empty", bad, h)
		}
	}
}

// P1 judges the store semantically and says when only the text differs; P18 fails a republish of the
// same payload in other text with no content change since, and passes a same-bytes rewrite, a
// changed payload and a rewrite after a content change.
func TestSemanticConvergenceAndRepublish(t *testing.T) {
	textOnly := []string{
		"world content.change revision=1 expected_hash=h1 expected_canonical=c1",
		"frontend store.write via=frontend hash=h1 canonical=c1 revision=1 from=instance/a",
		"world store.snapshot at=write hash=h1 canonical=c1 revision=1 writes=1",
		"frontend store.write via=frontend hash=h1b canonical=c1 revision=1 from=instance/b",
		"world store.snapshot at=settle-end hash=h1b canonical=c1 revision=1 writes=2",
	}
	sameBytes := []string{
		"world content.change revision=1 expected_hash=h1 expected_canonical=c1",
		"frontend store.write via=frontend hash=h1 canonical=c1 revision=1",
		"frontend store.write via=frontend hash=h1 canonical=c1 revision=1",
	}
	afterChange := []string{
		"world content.change revision=1 expected_hash=h1 expected_canonical=c1",
		"mesh store.write via=mesh hash=h1 canonical=c1 revision=1 cover=1",
		"world content.change revision=2 expected_hash=h2 expected_canonical=c1",
		"mesh store.write via=mesh hash=h2 canonical=c1 revision=2 cover=2",
	}
	changed := []string{
		"world content.change revision=1 expected_hash=h1 expected_canonical=c1",
		"frontend store.write via=frontend hash=h0 canonical=c0 revision=0",
		"frontend store.write via=frontend hash=h1 canonical=c1 revision=1",
		"world store.snapshot at=settle-end hash=h0 canonical=c0 revision=0 writes=2",
	}
	meshRepublish := []string{
		"world content.change revision=1 expected_hash=h1 expected_canonical=c1",
		"mesh store.write via=mesh hash=h1 canonical=c1 revision=1 cover=1",
		"mesh store.write via=mesh hash=h1x canonical=c1 revision=1 cover=2",
	}
	noCanonical := []string{
		"world content.change revision=1 expected_hash=h1",
		"frontend store.write via=frontend hash=h1b revision=1",
	}
	cases := []struct {
		name    string
		check   func(Input) Verdict
		lines   []string
		want    Status
		checked int
		ev      []string
	}{
		{"P1 text only differs: pass, said", EventualConvergence, textOnly, Pass, 1, []string{"only the text differs", "store hash h1b"}},
		{"P1 semantically different: fail", EventualConvergence, changed, Fail, 1, []string{"holds hash h0"}},
		{"P1 without canonical hashes: exact", EventualConvergence, noCanonical, Fail, 1, []string{"not the expected payload's hash h1"}},
		{"P13 text only differs: converged", ConvergenceLatency, textOnly, Pass, 1, nil},
		{"P18 text-only republish", NoRepublishWithoutChange, textOnly, Fail, 1,
			[]string{"replaced hash h1 with h1b", "from instance/b", "no content change since the store got it at #2 "}},
		{"P18 mesh republish", NoRepublishWithoutChange, meshRepublish, Fail, 1, []string{"a fetch covering notifications up to 2"}},
		{"P18 same bytes again", NoRepublishWithoutChange, sameBytes, Pass, 1, nil},
		{"P18 after a content change", NoRepublishWithoutChange, afterChange, Pass, 0, nil},
		{"P18 a changed payload", NoRepublishWithoutChange, changed, Pass, 1, nil},
		{"P18 without canonical hashes", NoRepublishWithoutChange, noCanonical, Pass, 0, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expect(t, c.check(Input{Trace: script(c.lines...), Complete: true}), c.want, c.checked, c.ev...)
		})
	}
}

// writeString writes every string as encoding/json does with HTML escaping off: random strings of
// every byte, odd runes, invalid UTF-8 and the line separators.
func TestWriteStringAsEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	pieces := []string{"a", "\"", "\\", "\b", "\f", "\n", "\r", "\t", "\x00", "\x1f", "\x7f", "<", ">", "&", "é", "\u2028",
		"\u2029", "\xff", "\xe2\x80", "😀", "\ufffd", "/"}
	for i := 0; i < 5000; i++ {
		var s strings.Builder
		for j := rng.IntN(12); j > 0; j-- {
			if rng.IntN(3) == 0 {
				s.WriteByte(byte(rng.IntN(256)))
			} else {
				s.WriteString(pieces[rng.IntN(len(pieces))])
			}
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s.String()); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		writeString(&got, []byte(s.String()))
		if got.String()+"\n" != want.String() {
			t.Fatalf("%q: got %s, want %s", s.String(), got.String(), want.String())
		}
	}
}
