package host

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
)

// This file keeps the payload's reference serialization: the host's object model as structs and
// maps, written by encoding/json (the form the payload had before it was written by appending). The
// tests hold BuildPayload's bytes to it.

// ReferencePayloadBody is the body buildPayload(site, functions, keys, rotate) must write, by
// encoding/json; minimal forces the minimal form.
func ReferencePayloadBody(site Site, functions []Function, keys Keys, rotate int, minimal bool) []byte {
	fns := refDedupe(functions)
	triggers := make([]Binding, 0, len(fns))
	for _, f := range fns {
		if t := f.Trigger(); t != nil {
			o := make(Binding, len(t)+1)
			for k, v := range t {
				o[k] = v
			}
			o["functionName"] = f.Name
			triggers = append(triggers, o)
		}
	}
	if minimal {
		return refRotated(rotate, refMember{"triggers", triggers}, refMember{"hostId", site.HostID})
	}
	return refRotated(rotate, refMember{"triggers", triggers}, refMember{"hostId", site.HostID},
		refMember{"functions", refFunctionObjects(site, fns)}, refMember{"secrets", refSecrets(fns, keys)})
}

// BuildPayloadRotated is buildPayload, for the external tests.
var BuildPayloadRotated = buildPayload

type refMember struct {
	key   string
	value any
}

func refRotated(rotate int, members ...refMember) []byte {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i := range members {
		m := members[(i+rotate)%len(members)]
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(refJSON(m.key))
		buf.WriteByte(':')
		buf.Write(refJSON(m.value))
	}
	buf.WriteByte('}')
	return buf.Bytes()
}

func refJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

type functionObject struct {
	Name              string         `json:"name"`
	ScriptRootPathRef string         `json:"script_root_path_href"`
	ScriptRef         string         `json:"script_href"`
	ConfigRef         string         `json:"config_href"`
	Ref               string         `json:"href"`
	InvokeURLTemplate *string        `json:"invoke_url_template"`
	Language          string         `json:"language"`
	Config            functionConfig `json:"config"`
	IsDisabled        bool           `json:"isDisabled"`
	IsDirect          bool           `json:"isDirect"`
	IsProxy           bool           `json:"isProxy"`
}

type functionConfig struct {
	Bindings []Binding `json:"bindings"`
}

type secretsObject struct {
	Host     hostSecrets       `json:"host"`
	Function []functionSecrets `json:"function"`
}

type hostSecrets struct {
	Master   string            `json:"master"`
	Function map[string]string `json:"function"`
	System   map[string]string `json:"system"`
}

type functionSecrets struct {
	Name    string            `json:"name"`
	Secrets map[string]string `json:"secrets"`
}

func refDedupe(functions []Function) []Function {
	seen := make(map[string]bool, len(functions))
	out := make([]Function, 0, len(functions))
	for _, f := range functions {
		k := strings.ToLower(f.Name)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, f)
	}
	return out
}

func refFunctionObjects(site Site, fns []Function) []functionObject {
	base := site.URL()
	out := make([]functionObject, 0, len(fns))
	for _, f := range fns {
		root := base + "/admin/vfs/home/site/wwwroot/" + f.Name + "/"
		var invoke *string
		if isHTTPTriggered(f) {
			u := base + "/api/" + f.Name
			invoke = &u
		}
		bindings := f.Bindings
		if bindings == nil {
			bindings = []Binding{}
		}
		out = append(out, functionObject{
			Name:              f.Name,
			ScriptRootPathRef: root,
			ScriptRef:         root + scriptFile(f.Language),
			ConfigRef:         root + "function.json",
			Ref:               base + "/admin/functions/" + f.Name,
			InvokeURLTemplate: invoke,
			Language:          f.Language,
			Config:            functionConfig{Bindings: bindings},
			IsDisabled:        f.Disabled,
		})
	}
	return out
}

func refSecrets(fns []Function, keys Keys) secretsObject {
	s := secretsObject{
		Host:     hostSecrets{Master: keys.Master, Function: refNonNil(keys.Host), System: refNonNil(keys.System)},
		Function: []functionSecrets{},
	}
	for _, f := range fns {
		if isHTTPTriggered(f) {
			s.Function = append(s.Function, functionSecrets{Name: f.Name, Secrets: refFunctionKeys(keys, f.Name)})
		}
	}
	return s
}

func refFunctionKeys(keys Keys, name string) map[string]string {
	if m, ok := keys.Functions[name]; ok {
		return refNonNil(m)
	}
	names := make([]string, 0, len(keys.Functions))
	for n := range keys.Functions {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if strings.EqualFold(n, name) {
			return refNonNil(keys.Functions[n])
		}
	}
	return map[string]string{}
}

func isHTTPTriggered(f Function) bool {
	return strings.EqualFold(f.Trigger().Type(), "httpTrigger")
}

func refNonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
