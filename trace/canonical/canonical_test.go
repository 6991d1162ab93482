package canonical

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

// Form ignores key order and whitespace, keeps array order, and refuses what is not one JSON value.
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
			ha, hb := Hash([]byte(c.a)), Hash([]byte(c.b))
			if ha == "" || hb == "" {
				t.Fatalf("no canonical hash: %q %q", ha, hb)
			}
			if (ha == hb) != c.same {
				t.Errorf("Hash equal = %v, want %v (%s / %s)", ha == hb, c.same, c.a, c.b)
			}
		})
	}
	got, err := Form([]byte(` {"b":[{"d":1,"c":2}],"a":"x"} `))
	if err != nil || string(got) != `{"a":"x","b":[{"c":2,"d":1}]}` {
		t.Errorf("Form = %s, %v", got, err)
	}
	for _, bad := range []string{"", "{", `{"a":1} {"b":2}`, "nope"} {
		if _, err := Form([]byte(bad)); !errors.Is(err, ErrNotJSON) {
			t.Errorf("Form(%q) err = %v, want ErrNotJSON", bad, err)
		}
		if h := Hash([]byte(bad)); h != "" {
			t.Errorf("Hash(%q) = %q, want empty", bad, h)
		}
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
