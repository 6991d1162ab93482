package explain

import (
	"strings"

	"github.com/syncsim/syncsim/internal/check"
	"github.com/syncsim/syncsim/internal/trace"
)

// describe says what a record means, with the contract rules it involves; "" hides it by default.
func describe(r *trace.Record) (string, []string) {
	g := r.Get
	switch r.Kind {
	case "content.change":
		return "content revision " + g("revision") + " (" + g("reason") + "): expected payload " + short(g("expected_hash")) +
			", " + g("triggers") + " triggers", []string{"PAY-5"}
	case "timeline":
		return "timeline: " + g("action") + " (scenario line " + g("line") + ")", nil
	case "faults.end":
		return "faults end; every fault heals", nil
	case "settle.start":
		return "settle window begins", nil
	case "run.end":
		return "end of the run (" + g("reason") + ")", nil
	case "instance.create":
		return "instance created (" + g("reason") + ")", nil
	case "host.start":
		return "host started with revision " + g("revision") + " (" + g("functions") + " functions" + placeholder(r) + ")", []string{"SYNC-8"}
	case "host.stop":
		return "host stops for an in-place restart (" + g("reason") + ")", nil
	case "host.specialized":
		return "specialization done: the real host starts", nil
	case "instance.delete":
		return "INSTANCE DELETED (" + g("reason") + ")", nil
	case "primary":
		if g("primary") == "true" {
			return "became the primary (lease held)", nil
		}
		return "lost the primary lease", nil
	default:
		return describeSync(r)
	}
}

func placeholder(r *trace.Record) string {
	if r.Get("placeholder") == "true" {
		return ", still the placeholder"
	}
	return ""
}

func describeSync(r *trace.Record) (string, []string) {
	g := r.Get
	switch r.Kind {
	case "sync.call":
		kind := "foreground"
		if g("background") == "true" {
			kind = "background"
		}
		return kind + " sync " + g("span") + " called (" + g("origin") + ")", []string{"SYNC-1"}
	case "sync.enter":
		return "sync " + g("span") + " runs: payload " + short(g("hash")), []string{"SYNC-2", "SYNC-3"}
	case "sync.hashread":
		if g("last") == g("current") {
			return "hash blob holds " + short(g("last")) + " = payload: unchanged, nothing published", []string{"SYNC-5"}
		}
		return "hash blob holds " + short(g("last")) + ", payload " + short(g("current")) + ": changed", []string{"SYNC-5"}
	case "sync.publish":
		if g("target") == "mesh" {
			return "-> mesh: MSG-2 update-triggers (payload " + short(g("hash")) + ")", []string{"SYNC-6", "MSG-2"}
		}
		return "-> frontend: MSG-1 settriggers (payload " + short(g("hash")) + ", " + g("triggers") + " triggers)", []string{"SYNC-6", "MSG-1"}
	case "http.result":
		if g("status") == "0" {
			return "<- " + g("target") + ": no answer (" + g("error") + ")", nil
		}
		return "<- " + g("target") + ": " + g("status"), nil
	case "sync.end":
		if g("success") == "true" {
			return "sync " + g("span") + " succeeded" + published(r), nil
		}
		return "sync " + g("span") + " FAILED: " + g("error"), []string{"SYNC-7"}
	case "blob.write":
		return "hash blob := " + short(g("value")), []string{"SYNC-6", "BLOB-2"}
	default:
		return describePlatform(r)
	}
}

func published(r *trace.Record) string {
	if r.Get("published") == "true" {
		return " (published)"
	}
	return " (nothing published)"
}

func describePlatform(r *trace.Record) (string, []string) {
	g := r.Get
	switch r.Kind {
	case "mesh.accept":
		return "accepted notification " + g("notification") + " from " + g("instance"), []string{"MSG-2", "MESH-1"}
	case "mesh.fetch":
		return "-> site: MSG-3 fetch " + g("fetch") + " attempt " + g("attempt") + " (for notifications up to " + g("cover") + ")", []string{"MSG-3", "MESH-2"}
	case "mesh.fetch.done":
		if g("status") == "200" {
			return "<- site: 200 for fetch " + g("fetch"), nil
		}
		return "<- site: fetch " + g("fetch") + " failed (" + statusText(r) + ")", []string{"MESH-4"}
	case "store.write":
		return "platform store := " + short(g("hash")) + " (revision " + g("revision") + ", via " + g("via") + ")", storeRules(r)
	case "mesh.abandon":
		return "GAVE UP on notifications up to " + g("cover") + " after " + g("attempts") + " attempts (" + g("reason") + ")", []string{"MESH-4"}
	case "fe.reject":
		return "front end refused MSG-1: " + g("status") + " (" + g("reason") + ")", []string{"FE-2"}
	case "router.none":
		return "site router: no running instance, 503", nil
	case "client.call":
		return "calls " + g("path"), nil
	case "client.response":
		return "answer to call " + g("call") + ": " + g("status") + result(r), nil
	case "fault.fire":
		return "FAULT " + g("fault") + " injected" + faultDetail(r), nil
	case "log":
		if l := g("level"); l == "Warning" || l == "Error" {
			return "log " + l + ": " + g("text"), nil
		}
	case "token.check":
		if g("accepted") == "true" {
			if why := check.TokenRefusal(r); why != "" {
				return "ACCEPTED AN INVALID TOKEN at " + g("endpoint") + ": " + why, []string{"TOK-5"}
			}
		}
	}
	return "", nil
}

func storeRules(r *trace.Record) []string {
	if r.Get("via") == "frontend" {
		return []string{"MSG-1", "FE-5"}
	}
	return []string{"MSG-3"}
}

func statusText(r *trace.Record) string {
	if r.Get("status") == "0" {
		return "no answer"
	}
	return r.Get("status")
}

func result(r *trace.Record) string {
	if x := r.Get("result"); x != "" {
		return " " + x
	}
	return ""
}

func faultDetail(r *trace.Record) string {
	var parts []string
	for _, f := range r.Fields {
		switch f.Key {
		case "fault", "injected", "key":
		default:
			parts = append(parts, f.Key+"="+f.Value)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, " ") + ")"
}
