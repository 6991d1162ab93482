package host

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

var demoSite = Site{Name: "demo", HostID: "demo"}

func demoFunctions() []Function {
	return []Function{
		{Name: "HttpFn", Language: "node", Bindings: []Binding{
			{"type": "httpTrigger", "direction": "in", "name": "req", "authLevel": "function", "route": "items/{id}&x<y>"},
			{"type": "http", "direction": "out", "name": "res"},
		}},
		{Name: "QueueFn", Language: "python", Disabled: true, Bindings: []Binding{
			{"type": "queueTrigger", "direction": "in", "name": "msg", "queueName": "q"},
		}},
		{Name: "Helper"},
	}
}

func demoKeys() Keys {
	return Keys{
		Master:    "m1",
		Host:      map[string]string{"default": "h1"},
		System:    map[string]string{"sys": "s1"},
		Functions: map[string]map[string]string{"HttpFn": {"default": "f1"}},
	}
}

// PAY-1: envelope key order, trigger = binding + functionName, function objects in a fixed field
// order, secrets for HTTP-triggered functions only, no HTML escaping, no trailing newline.
func TestBuildPayloadShapePAY1(t *testing.T) {
	const root = "https://demo.azurewebsites.net/admin/vfs/home/site/wwwroot/"
	want := `{"triggers":[` +
		`{"authLevel":"function","direction":"in","functionName":"HttpFn","name":"req","route":"items/{id}&x<y>","type":"httpTrigger"},` +
		`{"direction":"in","functionName":"QueueFn","name":"msg","queueName":"q","type":"queueTrigger"}],` +
		`"hostId":"demo",` +
		`"functions":[` +
		`{"name":"HttpFn","script_root_path_href":"` + root + `HttpFn/","script_href":"` + root + `HttpFn/index.js",` +
		`"config_href":"` + root + `HttpFn/function.json","href":"https://demo.azurewebsites.net/admin/functions/HttpFn",` +
		`"invoke_url_template":"https://demo.azurewebsites.net/api/HttpFn","language":"node",` +
		`"config":{"bindings":[{"authLevel":"function","direction":"in","name":"req","route":"items/{id}&x<y>","type":"httpTrigger"},{"direction":"out","name":"res","type":"http"}]},` +
		`"isDisabled":false,"isDirect":false,"isProxy":false},` +
		`{"name":"QueueFn","script_root_path_href":"` + root + `QueueFn/","script_href":"` + root + `QueueFn/__init__.py",` +
		`"config_href":"` + root + `QueueFn/function.json","href":"https://demo.azurewebsites.net/admin/functions/QueueFn",` +
		`"invoke_url_template":null,"language":"python",` +
		`"config":{"bindings":[{"direction":"in","name":"msg","queueName":"q","type":"queueTrigger"}]},` +
		`"isDisabled":true,"isDirect":false,"isProxy":false},` +
		`{"name":"Helper","script_root_path_href":"` + root + `Helper/","script_href":"` + root + `Helper/",` +
		`"config_href":"` + root + `Helper/function.json","href":"https://demo.azurewebsites.net/admin/functions/Helper",` +
		`"invoke_url_template":null,"language":"","config":{"bindings":[]},` +
		`"isDisabled":false,"isDirect":false,"isProxy":false}],` +
		`"secrets":{"host":{"master":"m1","function":{"default":"h1"},"system":{"sys":"s1"}},` +
		`"function":[{"name":"HttpFn","secrets":{"default":"f1"}}]}}`
	p := BuildPayload(demoSite, demoFunctions(), demoKeys())
	if string(p.Body) != want {
		t.Fatalf("PAY-1 body mismatch\n got: %s\nwant: %s", p.Body, want)
	}
	if p.Count != 2 || p.Minimal {
		t.Fatalf("Count=%d Minimal=%v, want 2 false", p.Count, p.Minimal)
	}
	if !json.Valid(p.Body) {
		t.Fatal("PAY-1 body is not valid JSON")
	}
}

// PAY-1: empty lists and key sets serialize as [] and {}, never null.
func TestBuildPayloadEmptyPAY1(t *testing.T) {
	got := string(BuildPayload(Site{Name: "x", HostID: "x"}, nil, Keys{}).Body)
	want := `{"triggers":[],"hostId":"x","functions":[],"secrets":{"host":{"master":"","function":{},"system":{}},"function":[]}}`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

// PAY-1: functions are deduplicated by name case-insensitively (first wins); functions without a
// trigger appear in "functions" but not in "triggers"; only the first trigger binding is used.
func TestBuildPayloadSelectionPAY1(t *testing.T) {
	fns := []Function{
		{Name: "Fn", Bindings: []Binding{{"type": "timerTrigger", "schedule": "first"}, {"type": "queueTrigger", "queueName": "second"}}},
		{Name: "fn", Bindings: []Binding{{"type": "blobTrigger", "path": "dup"}}},
		{Name: "OutOnly", Bindings: []Binding{{"type": "blob", "direction": "out"}}},
		{Name: "Api", Bindings: []Binding{{"type": "HTTPTRIGGER"}}},
	}
	keys := Keys{Functions: map[string]map[string]string{"api": {"k": "apikey"}}}
	p := BuildPayload(demoSite, fns, keys)
	var doc struct {
		Triggers  []map[string]any `json:"triggers"`
		Functions []map[string]any `json:"functions"`
		Secrets   struct {
			Function []functionSecrets `json:"function"`
		} `json:"secrets"`
	}
	if err := json.Unmarshal(p.Body, &doc); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		ok   bool
	}{
		{"count counts trigger objects", p.Count == 2 && len(doc.Triggers) == 2},
		{"first of duplicates wins", doc.Triggers[0]["functionName"] == "Fn" && doc.Triggers[0]["schedule"] == "first"},
		{"duplicate dropped", !bytes.Contains(p.Body, []byte("dup"))},
		{"first trigger binding only", doc.Triggers[0]["queueName"] == nil},
		{"no-trigger function omitted from triggers", doc.Triggers[1]["functionName"] == "Api"},
		{"no-trigger function listed in functions", len(doc.Functions) == 3 && doc.Functions[1]["name"] == "OutOnly"},
		{"httpTrigger type is case-insensitive", doc.Functions[2]["invoke_url_template"] == "https://demo.azurewebsites.net/api/Api"},
		{"function keys found case-insensitively", len(doc.Secrets.Function) == 1 && doc.Secrets.Function[0].Secrets["k"] == "apikey"},
		{"source binding not mutated", fns[0].Bindings[0]["functionName"] == nil},
	}
	for _, tt := range tests {
		if !tt.ok {
			t.Errorf("PAY-1 %s: body %s", tt.name, p.Body)
		}
	}
}

// PAY-2: the same content gives byte-identical payloads, whatever order its maps were filled in.
func TestBuildPayloadDeterministicPAY2(t *testing.T) {
	build := func(reverse bool) []byte {
		keys := Keys{Master: "m", Host: map[string]string{}, System: map[string]string{}, Functions: map[string]map[string]string{}}
		var fns []Function
		for i := range 40 {
			j := i
			if reverse {
				j = 39 - i
			}
			keys.Host[fmt.Sprintf("h%02d", j)] = fmt.Sprintf("hv%d", j)
			keys.System[fmt.Sprintf("s%02d", j)] = fmt.Sprintf("sv%d", j)
			keys.Functions[fmt.Sprintf("F%02d", j)] = map[string]string{"default": fmt.Sprintf("fv%d", j), "other": "o"}
		}
		for i := range 40 {
			b := Binding{}
			order := []string{"type", "name", "direction", "route", "methods", "nested"}
			if reverse {
				order = []string{"nested", "methods", "route", "direction", "name", "type"}
			}
			for _, k := range order {
				switch k {
				case "type":
					b[k] = "httpTrigger"
				case "methods":
					b[k] = []any{"get", "post"}
				case "nested":
					b[k] = map[string]any{"z": 1, "a": true, "m": "x"}
				default:
					b[k] = k + fmt.Sprint(i)
				}
			}
			fns = append(fns, Function{Name: fmt.Sprintf("F%02d", i), Language: "node", Bindings: []Binding{b}})
		}
		return BuildPayload(demoSite, fns, keys).Body
	}
	first := build(false)
	for i := range 50 {
		if got := build(i%2 == 1); !bytes.Equal(got, first) {
			t.Fatalf("PAY-2: build %d differs from the first", i)
		}
	}
}

// PAY-3: the hash is the lowercase hex SHA-256 of the exact body.
func TestHashPAY3(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	}
	for _, tt := range tests {
		if got := HashOf([]byte(tt.in)); got != tt.want {
			t.Errorf("PAY-3 HashOf(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
	p := BuildPayload(demoSite, demoFunctions(), demoKeys())
	if p.Hash != HashOf(p.Body) {
		t.Errorf("PAY-3 Payload.Hash %s != HashOf(Body) %s", p.Hash, HashOf(p.Body))
	}
	k := demoKeys()
	k.Master = "m2"
	if BuildPayload(demoSite, demoFunctions(), k).Hash == p.Hash {
		t.Error("PAY-3 a key change must change the hash")
	}
}

// PAY-1: over MaxPayloadLength UTF-16 code units the minimal form is published. A filler in a
// trigger-less function's binding pads the extended form without touching the minimal one.
func TestBuildPayloadMinimalBoundaryPAY1(t *testing.T) {
	withFiller := func(filler string) Payload {
		fns := append(demoFunctions(), Function{Name: "Pad", Bindings: []Binding{{"type": "blob", "pad": filler}}})
		return BuildPayload(demoSite, fns, demoKeys())
	}
	base := len(withFiller("").Body) // ASCII only, so bytes == UTF-16 units
	n := MaxPayloadLength - base
	const emoji = "\U0001F600" // 4 UTF-8 bytes, 2 UTF-16 units, 1 rune
	tests := []struct {
		name    string
		filler  string
		minimal bool
	}{
		{"exactly the limit", strings.Repeat("a", n), false},
		{"one unit over", strings.Repeat("a", n+1), true},
		{"non-BMP at the limit (bytes over, units not)", strings.Repeat("a", n-2) + emoji, false},
		{"non-BMP one unit over (runes not over)", strings.Repeat("a", n-1) + emoji, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := withFiller(tt.filler)
			if p.Minimal != tt.minimal {
				t.Fatalf("PAY-1 Minimal = %v, want %v (body %d bytes)", p.Minimal, tt.minimal, len(p.Body))
			}
			if p.Count != 2 || p.Hash != HashOf(p.Body) {
				t.Fatalf("Count=%d, hash matches=%v", p.Count, p.Hash == HashOf(p.Body))
			}
			if !tt.minimal {
				if got := utf16Length(p.Body); got != MaxPayloadLength {
					t.Fatalf("extended length %d units, want %d", got, MaxPayloadLength)
				}
				return
			}
			want := `{"triggers":[` +
				`{"authLevel":"function","direction":"in","functionName":"HttpFn","name":"req","route":"items/{id}&x<y>","type":"httpTrigger"},` +
				`{"direction":"in","functionName":"QueueFn","name":"msg","queueName":"q","type":"queueTrigger"}],"hostId":"demo"}`
			if string(p.Body) != want {
				t.Fatalf("PAY-1 minimal body\n got: %s\nwant: %s", p.Body, want)
			}
		})
	}
}

func TestUTF16Length(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0}, {"abc", 3}, {"é", 1}, {"€", 1}, {"\U0001F600", 2}, {"a\U00010000b", 4}, {"\xff", 1},
	}
	for _, tt := range tests {
		if got := utf16Length([]byte(tt.in)); got != tt.want {
			t.Errorf("utf16Length(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}
