package host_test

import (
	"bytes"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/scenarios"
)

// rotated is keys with the key r names set to a new value, as a key rotation makes it.
func rotated(keys host.Keys, r scenarios.KeyRef) host.Keys {
	keys = keys.Clone()
	set := func(m map[string]string) map[string]string {
		if m == nil {
			m = map[string]string{}
		}
		m[r.Name] = "rotated\"value\u2028"
		return m
	}
	switch r.Kind {
	case "master":
		keys.Master = "rotated-master"
	case "host":
		keys.Host = set(keys.Host)
	case "system":
		keys.System = set(keys.System)
	case "function":
		if keys.Functions == nil {
			keys.Functions = map[string]map[string]string{}
		}
		keys.Functions[r.Function] = set(keys.Functions[r.Function])
	}
	return keys
}

// PAY-1, PAY-3: the payload of every function list and key set of every scenario (its content, each
// deploy's functions, the placeholder's WarmUp; its keys and each rotation of them), in every
// rotation, is byte for byte encoding/json's serialization of the host's object model, and so is its
// hash.
func TestScenarioPayloadsAreEncodingJSONsPAY1(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	scs, err := scenarios.LoadAll(filepath.Join(filepath.Dir(file), "..", "scenarios"))
	if err != nil {
		t.Fatal(err)
	}
	payloads := 0
	for _, sc := range scs {
		fnSets := [][]host.Function{sc.Content.Functions, {host.WarmUp}}
		keySets := []host.Keys{sc.Content.Keys}
		for _, a := range sc.Timeline {
			if a.Deploy != nil {
				fnSets = append(fnSets, a.Deploy.Functions)
			}
			if a.RotateKey != nil {
				keySets = append(keySets, rotated(keySets[len(keySets)-1], a.RotateKey.Key))
			}
		}
		for _, fns := range fnSets {
			for _, keys := range keySets {
				for rotate := range 4 {
					got := host.BuildPayloadRotated(sc.Site, fns, keys, rotate)
					want := host.ReferencePayloadBody(sc.Site, fns, keys, rotate, got.Minimal)
					if !bytes.Equal(got.Body, want) || got.Hash != host.HashOf(want) {
						t.Fatalf("%s: rotate %d: payload differs from encoding/json's\n got: %s\nwant: %s", sc.Path, rotate, got.Body, want)
					}
					if rotate == 0 && got.Hash != host.BuildPayload(sc.Site, fns, keys).Hash {
						t.Fatalf("%s: BuildPayload is not rotation 0", sc.Path)
					}
					payloads++
				}
			}
		}
	}
	if len(scs) < 20 || payloads < 200 {
		t.Fatalf("%d scenarios, %d payloads: the scenarios directory was not read", len(scs), payloads)
	}
}
