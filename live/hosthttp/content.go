package hosthttp

import (
	"encoding/hex"
	"math/rand/v2"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/random"
)

// DefaultContent is a small plausible site: an HTTP, a queue and a timer function, with keys drawn
// from the seed (the same seed gives the same keys; they are never printed).
func DefaultContent(seed uint64) host.Content {
	r := random.NewStreams(seed).Stream("keys")
	fns := []host.Function{
		{Name: "HttpTrigger1", Language: "dotnet-isolated", Bindings: []host.Binding{
			{"type": "httpTrigger", "direction": "in", "name": "req", "authLevel": "function", "methods": []any{"get", "post"}},
			{"type": "http", "direction": "out", "name": "$return"},
		}},
		{Name: "QueueTrigger1", Language: "dotnet-isolated", Bindings: []host.Binding{
			{"type": "queueTrigger", "direction": "in", "name": "msg", "queueName": "orders", "connection": "AzureWebJobsStorage"},
		}},
		{Name: "TimerTrigger1", Language: "python", Bindings: []host.Binding{
			{"type": "timerTrigger", "direction": "in", "name": "timer", "schedule": "0 */5 * * * *"},
		}},
	}
	keys := host.Keys{
		Master:    secret(r),
		Host:      map[string]string{"default": secret(r)},
		System:    map[string]string{"durabletask_extension": secret(r)},
		Functions: map[string]map[string]string{"HttpTrigger1": {"default": secret(r)}},
	}
	return host.Content{Revision: 1, Functions: fns, Keys: keys}
}

func secret(r *rand.Rand) string {
	var b [20]byte
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return hex.EncodeToString(b[:])
}
