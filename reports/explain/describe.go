package explain

import (
	"strconv"
	"strings"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/trace"
)

// describe says what a record means, with the contract rules it involves; "" hides it by default. It
// reads each record through its typed view (trace.AsSyncEnd, ...); a record its view cannot read is
// described as malformed, naming the field, never shown with empty values.
func describe(r *trace.Record) (text string, rules []string) {
	defer func() {
		if p := recover(); p != nil {
			m, ok := p.(malformed)
			if !ok {
				panic(p)
			}
			text, rules = "MALFORMED RECORD: "+m.err.Error(), nil
		}
	}()
	switch r.Kind {
	case trace.KindContentChange:
		c := must(trace.AsContentChange, r)
		return "content revision " + itoa(c.Revision) + " (" + c.Reason + "): expected payload " + short(c.ExpectedHash) +
			", " + itoa(c.Triggers) + " triggers", []string{"PAY-5"}
	case trace.KindTimeline:
		t := must(trace.AsTimeline, r)
		return "timeline: " + t.Action + " (scenario line " + itoa(t.Line) + ")", nil
	case trace.KindFaultsEnd:
		return "faults end; every fault heals", nil
	case trace.KindSettleStart:
		return "settle window begins", nil
	case trace.KindRunEnd:
		return "end of the run (" + must(trace.AsRunEnd, r).Reason + ")", nil
	case trace.KindInstanceCreate:
		return "instance created (" + must(trace.AsInstanceCreate, r).Reason + ")", nil
	case trace.KindHostStart:
		h := must(trace.AsHostStart, r)
		return "host started with revision " + itoa(h.Revision) + " (" + itoa(h.Functions) + " functions" + placeholder(h) + ")", []string{"SYNC-8"}
	case trace.KindHostStop:
		return "host stops for an in-place restart (" + must(trace.AsHostStop, r).Reason + ")", nil
	case trace.KindHostSpecialized:
		return "specialization done: the real host starts", nil
	case trace.KindInstanceDelete:
		return "INSTANCE DELETED (" + must(trace.AsInstanceDelete, r).Reason + ")", nil
	case trace.KindInstanceDrain:
		d := must(trace.AsInstanceDrain, r)
		return "DRAINING: takes no new requests, deleted in " + d.For.String() + " (" + d.Reason + ")", nil
	case trace.KindPrimary:
		if must(trace.AsPrimary, r).Primary {
			return "became the primary (lease held)", nil
		}
		return "lost the primary lease", nil
	default:
		return describeSync(r)
	}
}

// malformed is a record describe could not read; must raises it and describe recovers it.
type malformed struct{ err error }

func must[T any](decode func(trace.Record) (T, error), r *trace.Record) T {
	v, err := decode(*r)
	if err != nil {
		panic(malformed{err})
	}
	return v
}

func itoa(n int) string { return strconv.Itoa(n) }

func placeholder(h trace.HostStartRecord) string {
	if h.Placeholder {
		return ", still the placeholder"
	}
	return ""
}

func describeSync(r *trace.Record) (string, []string) {
	switch r.Kind {
	case trace.KindSyncCall:
		c := must(trace.AsSyncCall, r)
		kind := "foreground"
		if c.Background {
			kind = "background"
		}
		return kind + " sync " + itoa(c.Span) + " called (" + c.Origin + ")", []string{"SYNC-1"}
	case trace.KindSyncEnter:
		e := must(trace.AsSyncEnter, r)
		return "sync " + itoa(e.Span) + " runs: payload " + short(e.Hash), []string{"SYNC-2", "SYNC-3"}
	case trace.KindSyncHashRead:
		h := must(trace.AsSyncHashRead, r)
		if h.Last == h.Current {
			return "hash blob holds " + short(h.Last) + " = payload: unchanged, nothing published", []string{"SYNC-5"}
		}
		return "hash blob holds " + short(h.Last) + ", payload " + short(h.Current) + ": changed", []string{"SYNC-5"}
	case trace.KindSyncPublish:
		p := must(trace.AsSyncPublish, r)
		if p.Target == trace.PartyMesh {
			return "-> mesh: MSG-2 update-triggers (payload " + short(p.Hash) + ")", []string{"SYNC-6", "MSG-2"}
		}
		return "-> frontend: MSG-1 settriggers (payload " + short(p.Hash) + ", " + itoa(p.Triggers) + " triggers)", []string{"SYNC-6", "MSG-1"}
	case trace.KindHTTPResult:
		h := must(trace.AsHTTPResult, r)
		if h.Status == 0 {
			return "<- " + h.Target + ": no answer (" + h.Error + ")", nil
		}
		return "<- " + h.Target + ": " + itoa(h.Status), nil
	case trace.KindSyncEnd:
		e := must(trace.AsSyncEnd, r)
		if e.Success {
			return "sync " + itoa(e.Span) + " succeeded" + published(e), nil
		}
		return "sync " + itoa(e.Span) + " FAILED: " + e.Error, []string{"SYNC-7"}
	case trace.KindBlobWrite:
		return "hash blob := " + short(must(trace.AsBlobWrite, r).Value), []string{"SYNC-6", "BLOB-2"}
	default:
		return describePlatform(r)
	}
}

func published(e trace.SyncEndRecord) string {
	if e.Published {
		return " (published)"
	}
	return " (nothing published)"
}

func describePlatform(r *trace.Record) (string, []string) {
	switch r.Kind {
	case trace.KindMeshAccept:
		a := must(trace.AsMeshAccept, r)
		return "accepted notification " + itoa(a.Notification) + " from " + a.Instance, []string{"MSG-2", "MESH-1"}
	case trace.KindMeshFetch:
		f := must(trace.AsMeshFetch, r)
		return "-> site: MSG-3 fetch " + itoa(f.Fetch) + " attempt " + itoa(f.Attempt) + " (for notifications up to " + itoa(f.Cover) + ")", []string{"MSG-3", "MESH-2"}
	case trace.KindMeshFetchDone:
		d := must(trace.AsMeshFetchDone, r)
		if d.Status == 200 {
			return "<- site: 200 for fetch " + itoa(d.Fetch), nil
		}
		return "<- site: fetch " + itoa(d.Fetch) + " failed (" + statusText(d.Status) + ")", []string{"MESH-4"}
	case trace.KindStoreWrite:
		w := must(trace.AsStoreWrite, r)
		return "platform store := " + short(w.Hash) + " (revision " + itoa(w.Revision) + ", via " + w.Via + ")", storeRules(w)
	case trace.KindMeshAbandon:
		a := must(trace.AsMeshAbandon, r)
		return "GAVE UP on notifications up to " + itoa(a.Cover) + " after " + itoa(a.Attempts) + " attempts (" + a.Reason + ")", []string{"MESH-4"}
	case trace.KindFrontEndReject:
		x := must(trace.AsFrontEndReject, r)
		return "front end refused MSG-1: " + itoa(x.Status) + " (" + x.Reason + ")", []string{"FE-2"}
	case trace.KindRouterNone:
		return "site router: no running instance, 503", nil
	case trace.KindClientCall:
		return "calls " + must(trace.AsClientCall, r).Path, nil
	case trace.KindClientResponse:
		a := must(trace.AsClientResponse, r)
		return "answer to call " + itoa(a.Call) + ": " + itoa(a.Status) + result(a), nil
	case trace.KindFaultFire:
		f := must(trace.AsFaultFire, r)
		return "FAULT " + f.Fault + " injected" + faultDetail(f), nil
	case trace.KindLog:
		l := must(trace.AsLog, r)
		if l.Level == "Warning" || l.Level == "Error" {
			return "log " + l.Level + ": " + l.Text, nil
		}
	case trace.KindTokenCheck:
		t := must(trace.AsTokenCheck, r)
		if t.Accepted {
			why, err := check.TokenRefusal(r)
			if err != nil {
				panic(malformed{err})
			}
			if why != "" {
				return "ACCEPTED AN INVALID TOKEN at " + t.Endpoint + ": " + why, []string{"TOK-5"}
			}
		}
	}
	return "", nil
}

func storeRules(w trace.StoreWriteRecord) []string {
	if w.Via == trace.PartyFrontEnd {
		return []string{"MSG-1", "FE-5"}
	}
	return []string{"MSG-3"}
}

func statusText(status int) string {
	if status == 0 {
		return "no answer"
	}
	return itoa(status)
}

func result(a trace.ClientResponseRecord) string {
	if a.Result != "" {
		return " " + a.Result
	}
	return ""
}

// faultDetail renders what a fault did: its params, as its firer wrote them.
func faultDetail(f trace.FaultFireRecord) string {
	var parts []string
	for _, p := range f.Params {
		parts = append(parts, p.Key+"="+p.Value)
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, " ") + ")"
}
