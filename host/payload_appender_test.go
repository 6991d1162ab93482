package host

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// oddTexts are strings the appender's escaping must write as encoding/json does: quotes, backslashes,
// control characters, HTML characters (not escaped), U+2028 and U+2029, invalid UTF-8, non-ASCII
// case pairs and characters whose lower case changes length.
var oddTexts = []string{
	"", "a", "Fn", "fn", "FN", `q"uote`, `back\slash`, "tab\tnl\ncr\rbs\bff\f", "\x00\x01\x1f\x7f",
	"<script>&amp;</script>", "line\u2028para\u2029", "\xff", "a\xe2\x80", "\xe2\x80\xa8", "\xed\xa0\x80",
	"é", "É", "ſ", "s", "S", "\u212a", "k", "K", "İ", "i", "\U0001F600", "日本語", "functionName", "type",
	"httpTrigger", "HTTPTRIGGER", "queueTrigger", "blob", "Trigger", "trıgger", "xTRIGGER",
}

func oddText(r *rand.Rand) string {
	if r.IntN(4) == 0 {
		return fmt.Sprintf("k%d", r.IntN(50))
	}
	s := oddTexts[r.IntN(len(oddTexts))]
	if r.IntN(3) == 0 {
		s += oddTexts[r.IntN(len(oddTexts))]
	}
	return s
}

type opaque struct {
	A int    `json:"a"`
	B string `json:"b,omitempty"`
}

// oddValue is a binding value of every kind content may hold, and some it should not but
// encoding/json writes anyway.
func oddValue(r *rand.Rand, depth int) any {
	floats := []float64{0, math.Copysign(0, -1), 1, -1.5, 0.1, 1e-6, 1e-7, 9.99e-7, 1e20, 1e21, 1.5e300, -2.5e-300, 123456789.125, math.MaxFloat64, math.SmallestNonzeroFloat64}
	n := 14
	if depth > 2 {
		n = 8 // no nesting below
	}
	switch r.IntN(n) {
	case 0:
		return nil
	case 1:
		return r.IntN(2) == 0
	case 2:
		return r.IntN(2000) - 1000
	case 3:
		return int64(r.Uint64())
	case 4:
		return r.Uint64()
	case 5:
		return floats[r.IntN(len(floats))]
	case 6, 7:
		return oddText(r)
	case 8:
		return oddBinding(r, depth+1)
	case 9:
		return map[string]any(oddBinding(r, depth+1))
	case 10:
		if r.IntN(4) == 0 {
			return []any(nil)
		}
		s := make([]any, r.IntN(4))
		for i := range s {
			s[i] = oddValue(r, depth+1)
		}
		return s
	case 11:
		return []string{oddText(r), oddText(r)}
	case 12:
		return json.Number("12.50")
	default:
		switch r.IntN(4) {
		case 0:
			return int32(-7)
		case 1:
			return float32(0.1)
		case 2:
			return &opaque{A: 3}
		}
		return map[string]any(nil)
	}
}

func oddBinding(r *rand.Rand, depth int) Binding {
	if r.IntN(12) == 0 {
		return nil
	}
	b := Binding{}
	if r.IntN(5) > 0 {
		b["type"] = []string{"httpTrigger", "HttpTrigger", "queueTrigger", "timerTrigger", "http", "blob", "HTTPTRIGGER", "trıgger"}[r.IntN(8)]
	}
	for range r.IntN(5) {
		b[oddText(r)] = oddValue(r, depth)
	}
	return b
}

func oddFunctions(r *rand.Rand) []Function {
	var fns []Function
	for range r.IntN(6) {
		f := Function{Name: oddText(r), Language: []string{"node", "Python", "csharp", "", "dotnet-isolated", "powershell", "JavaScript"}[r.IntN(7)], Disabled: r.IntN(3) == 0}
		if r.IntN(5) > 0 {
			f.Bindings = []Binding{}
			for range r.IntN(4) {
				f.Bindings = append(f.Bindings, oddBinding(r, 0))
			}
		}
		fns = append(fns, f)
	}
	return fns
}

func oddKeySet(r *rand.Rand) map[string]string {
	switch r.IntN(5) {
	case 0:
		return nil
	case 1:
		return map[string]string{}
	}
	m := map[string]string{}
	for range r.IntN(4) + 1 {
		m[oddText(r)] = oddText(r)
	}
	return m
}

func oddKeys(r *rand.Rand, fns []Function) Keys {
	k := Keys{Master: oddText(r), Host: oddKeySet(r), System: oddKeySet(r)}
	if r.IntN(4) > 0 {
		k.Functions = map[string]map[string]string{}
		for _, f := range fns {
			if r.IntN(3) > 0 {
				k.Functions[f.Name] = oddKeySet(r)
			}
			if r.IntN(3) == 0 {
				k.Functions[strings.ToUpper(f.Name)] = oddKeySet(r)
				k.Functions[strings.ToLower(f.Name)] = oddKeySet(r)
			}
		}
	}
	return k
}

// expectBody is the reference's body for the input, extended or minimal by PAY-1's rule.
func expectBody(site Site, fns []Function, keys Keys, rotate int) ([]byte, bool) {
	body := ReferencePayloadBody(site, fns, keys, rotate, false)
	if utf16Length(body) > MaxPayloadLength {
		return ReferencePayloadBody(site, fns, keys, rotate, true), true
	}
	return body, false
}

func checkAgainstReference(t *testing.T, site Site, fns []Function, keys Keys, rotate int) {
	t.Helper()
	want, minimal := expectBody(site, fns, keys, rotate)
	got := buildPayload(site, fns, keys, rotate)
	if !bytes.Equal(got.Body, want) {
		t.Fatalf("rotate %d: body differs from encoding/json's\n got: %q\nwant: %q", rotate, got.Body, want)
	}
	if got.Minimal != minimal || got.Hash != HashOf(want) {
		t.Fatalf("rotate %d: Minimal %t (want %t), hash %s (want %s)", rotate, got.Minimal, minimal, got.Hash, HashOf(want))
	}
	count := 0
	for _, f := range refDedupe(fns) {
		if f.Trigger() != nil {
			count++
		}
	}
	if got.Count != count {
		t.Fatalf("Count %d, want %d", got.Count, count)
	}
}

// PAY-1, PAY-3: the appended payload is byte for byte encoding/json's serialization of the host's
// object model, for random sites, function sets, bindings and keys full of odd characters, in every
// rotation.
func TestPayloadIsEncodingJSONsPAY1(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for i := range 3000 {
		site := Site{Name: oddText(r), HostID: oddText(r)}
		fns := oddFunctions(r)
		keys := oddKeys(r, fns)
		checkAgainstReference(t, site, fns, keys, i%5)
	}
}

// PAY-1: over the limit the minimal form is the reference's minimal form, in every rotation; many
// functions take the deduplication's other path.
func TestPayloadMinimalAndManyFunctionsAreEncodingJSONsPAY1(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	for i := range 6 {
		fns := oddFunctions(r)
		for j := range 40 {
			fns = append(fns, Function{Name: fmt.Sprintf("F%d%s", j%30, oddText(r)), Bindings: []Binding{oddBinding(r, 0)}})
		}
		if i%2 == 0 {
			fns = append(fns, Function{Name: "Pad", Bindings: []Binding{{"type": "blobTrigger", "pad": strings.Repeat("é\U0001F600", MaxPayloadLength/3)}}})
		}
		checkAgainstReference(t, Site{Name: "s", HostID: oddText(r)}, fns, oddKeys(r, fns), i)
	}
}

// The appended payload holds nothing of the writer's scratch: a later payload does not change an
// earlier one's body.
func TestPayloadBodiesAreTheirOwn(t *testing.T) {
	first := BuildPayload(demoSite, demoFunctions(), demoKeys())
	keep := bytes.Clone(first.Body)
	for range 3 {
		BuildPayload(Site{Name: "other", HostID: "other"}, oddFunctions(rand.New(rand.NewPCG(1, 2))), Keys{Master: "zz"})
	}
	if !bytes.Equal(first.Body, keep) {
		t.Fatal("a later payload changed an earlier body")
	}
}

// A binding value encoding/json refuses panics as it did, naming no value (PAY-4).
func TestPayloadRefusesNonJSONValues(t *testing.T) {
	for _, v := range []any{math.NaN(), math.Inf(1), make(chan int), []any{math.Inf(-1)}} {
		func() {
			defer func() {
				if r := recover(); r != "host: payload content is not JSON-serializable" {
					t.Errorf("%T: recovered %v", v, r)
				}
			}()
			BuildPayload(demoSite, []Function{{Name: "F", Bindings: []Binding{{"type": "queueTrigger", "v": v}}}}, Keys{})
		}()
	}
}

// FuzzPayloadIsEncodingJSONs holds the appender to encoding/json over arbitrary names, keys and
// values: go test -run '^$' -fuzz PayloadIsEncodingJSONs ./host/
func FuzzPayloadIsEncodingJSONs(f *testing.F) {
	f.Add("demo", "Fn", "route", "items/{id}&x<y>", "default", "\u2028\xff", 0.5, 3)
	f.Add("", "", "functionName", "", "", "", 1e21, 0)
	f.Fuzz(func(t *testing.T, site, name, key, value, keyName, keyValue string, num float64, rotate int) {
		if math.IsNaN(num) || math.IsInf(num, 0) {
			num = 0
		}
		rotate &= 7
		fns := []Function{
			{Name: name, Language: value, Bindings: []Binding{{"type": "httpTrigger", key: value, "n": num, "nested": map[string]any{value: []any{key, num, nil}}}}},
			{Name: strings.ToUpper(name), Bindings: []Binding{{"type": value + "Trigger", key: name}}},
			{Name: value, Bindings: []Binding{{"type": "queueTrigger", keyName: keyValue}}},
		}
		keys := Keys{Master: keyValue, Host: map[string]string{keyName: keyValue, key: value},
			Functions: map[string]map[string]string{name: {keyName: keyValue}, strings.ToLower(value): {key: name}}}
		checkAgainstReference(t, Site{Name: site, HostID: name}, fns, keys, rotate)
	})
}

// BenchmarkBuildPayload builds and hashes the demo site's payload, as every sync and MSG-3 does;
// BenchmarkReferencePayload is encoding/json's serialization of the same payload, for comparison:
// go test -run '^$' -bench Payload -benchmem ./host/
func BenchmarkBuildPayload(b *testing.B) {
	fns, keys := demoFunctions(), demoKeys()
	b.ReportAllocs()
	for b.Loop() {
		BuildPayload(demoSite, fns, keys)
	}
}

func BenchmarkReferencePayload(b *testing.B) {
	fns, keys := demoFunctions(), demoKeys()
	b.ReportAllocs()
	for b.Loop() {
		HashOf(ReferencePayloadBody(demoSite, fns, keys, 0, false))
	}
}
