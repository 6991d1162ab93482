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
	case trace.KindContentChange:
		return "content revision " + g("revision") + " (" + g("reason") + "): expected payload " + short(g("expected_hash")) +
			", " + g("triggers") + " triggers", []string{"PAY-5"}
	case trace.KindTimeline:
		return "timeline: " + g("action") + " (scenario line " + g("line") + ")", nil
	case trace.KindFaultsEnd:
		return "faults end; every fault heals", nil
	case trace.KindSettleStart:
		return "settle window begins", nil
	case trace.KindRunEnd:
		return "end of the run (" + g("reason") + ")", nil
	case trace.KindInstanceCreate:
		return "instance created (" + g("reason") + ")", nil
	case trace.KindHostStart:
		return "host started with revision " + g("revision") + " (" + g("functions") + " functions" + placeholder(r) + ")", []string{"SYNC-8"}
	case trace.KindHostStop:
		return "host stops for an in-place restart (" + g("reason") + ")", nil
	case trace.KindHostSpecialized:
		return "specialization done: the real host starts", nil
	case trace.KindInstanceDelete:
		return "INSTANCE DELETED (" + g("reason") + ")", nil
	case trace.KindInstanceDrain:
		return "DRAINING: takes no new requests, deleted in " + g("for") + " (" + g("reason") + ")", nil
	case trace.KindPrimary:
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
	case trace.KindSyncCall:
		kind := "foreground"
		if g("background") == "true" {
			kind = "background"
		}
		return kind + " sync " + g("span") + " called (" + g("origin") + ")", []string{"SYNC-1"}
	case trace.KindSyncEnter:
		return "sync " + g("span") + " runs: payload " + short(g("hash")), []string{"SYNC-2", "SYNC-3"}
	case trace.KindSyncHashRead:
		if g("last") == g("current") {
			return "hash blob holds " + short(g("last")) + " = payload: unchanged, nothing published", []string{"SYNC-5"}
		}
		return "hash blob holds " + short(g("last")) + ", payload " + short(g("current")) + ": changed", []string{"SYNC-5"}
	case trace.KindSyncPublish:
		if g("target") == trace.PartyMesh {
			return "-> mesh: MSG-2 update-triggers (payload " + short(g("hash")) + ")", []string{"SYNC-6", "MSG-2"}
		}
		return "-> frontend: MSG-1 settriggers (payload " + short(g("hash")) + ", " + g("triggers") + " triggers)", []string{"SYNC-6", "MSG-1"}
	case trace.KindHTTPResult:
		if g("status") == "0" {
			return "<- " + g("target") + ": no answer (" + g("error") + ")", nil
		}
		return "<- " + g("target") + ": " + g("status"), nil
	case trace.KindSyncEnd:
		if g("success") == "true" {
			return "sync " + g("span") + " succeeded" + published(r), nil
		}
		return "sync " + g("span") + " FAILED: " + g("error"), []string{"SYNC-7"}
	case trace.KindBlobWrite:
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
	case trace.KindMeshAccept:
		return "accepted notification " + g("notification") + " from " + g("instance"), []string{"MSG-2", "MESH-1"}
	case trace.KindMeshFetch:
		return "-> site: MSG-3 fetch " + g("fetch") + " attempt " + g("attempt") + " (for notifications up to " + g("cover") + ")", []string{"MSG-3", "MESH-2"}
	case trace.KindMeshFetchDone:
		if g("status") == "200" {
			return "<- site: 200 for fetch " + g("fetch"), nil
		}
		return "<- site: fetch " + g("fetch") + " failed (" + statusText(r) + ")", []string{"MESH-4"}
	case trace.KindStoreWrite:
		return "platform store := " + short(g("hash")) + " (revision " + g("revision") + ", via " + g("via") + ")", storeRules(r)
	case trace.KindMeshAbandon:
		return "GAVE UP on notifications up to " + g("cover") + " after " + g("attempts") + " attempts (" + g("reason") + ")", []string{"MESH-4"}
	case trace.KindFrontEndReject:
		return "front end refused MSG-1: " + g("status") + " (" + g("reason") + ")", []string{"FE-2"}
	case trace.KindRouterNone:
		return "site router: no running instance, 503", nil
	case trace.KindClientCall:
		return "calls " + g("path"), nil
	case trace.KindClientResponse:
		return "answer to call " + g("call") + ": " + g("status") + result(r), nil
	case trace.KindFaultFire:
		return "FAULT " + g("fault") + " injected" + faultDetail(r), nil
	case trace.KindLog:
		if l := g("level"); l == "Warning" || l == "Error" {
			return "log " + l + ": " + g("text"), nil
		}
	case trace.KindTokenCheck:
		if g("accepted") == "true" {
			if why := check.TokenRefusal(r); why != "" {
				return "ACCEPTED AN INVALID TOKEN at " + g("endpoint") + ": " + why, []string{"TOK-5"}
			}
		}
	}
	return "", nil
}

func storeRules(r *trace.Record) []string {
	if r.Get("via") == trace.PartyFrontEnd {
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
