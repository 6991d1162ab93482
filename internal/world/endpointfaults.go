package world

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/trace"
	"github.com/syncsim/syncsim/sim"
)

// frontEndFault applies fe-timeout (no answer: the host times out after 100 s), fe-status (an error
// answer, nothing stored) and fe-size-limit (400 to a body over its limit). It reports whether it handled the request.
func (w *World) frontEndFault(m sim.Message, req httpRequest) bool {
	e := w.engine
	if in := e.first("frontend", "fe-timeout"); in != nil {
		e.fire(in, partyFrontEnd, trace.F("from", m.From))
		return true
	}
	if in := e.first("frontend", "fe-status"); in != nil {
		status := in.Spec.Int("status")
		e.fire(in, partyFrontEnd, trace.F("status", status), trace.F("from", m.From))
		w.net.Send(sim.Message{From: partyFrontEnd, To: m.From, Kind: kindMSG1Response,
			Body: httpResponse{id: req.send.ID, status: status, target: partyFrontEnd}, Fields: []trace.Field{trace.F("id", req.send.ID), trace.F("status", status)}})
		return true
	}
	// fe-size-limit: the front end's request limit (#4691: 400 over 204,800), which #12035's minimal
	// form still exceeds when the triggers alone are over it.
	for _, in := range e.Of("fe-size-limit") {
		if len(req.send.Body) > in.Spec.Int("bytes") && e.Roll(in, "frontend") {
			e.fire(in, partyFrontEnd, trace.F("status", 400), trace.F("from", m.From), trace.F("bytes", len(req.send.Body)))
			w.net.Send(sim.Message{From: partyFrontEnd, To: m.From, Kind: kindMSG1Response,
				Body: httpResponse{id: req.send.ID, status: 400, target: partyFrontEnd}, Fields: []trace.Field{trace.F("id", req.send.ID), trace.F("status", 400)}})
			return true
		}
	}
	return false
}

// meshFault applies mesh-timeout, mesh-status and mesh-forward-lost (2xx, but the notification never
// reaches the platform).
func (w *World) meshFault(m sim.Message, req httpRequest) bool {
	e := w.engine
	status := 0
	switch in := e.first("mesh", "mesh-timeout", "mesh-status", "mesh-forward-lost"); {
	case in == nil:
		return false
	case in.Spec.Name == "mesh-timeout":
		e.fire(in, partyMesh, trace.F("from", m.From))
		return true
	case in.Spec.Name == "mesh-status":
		status = in.Spec.Int("status")
		e.fire(in, partyMesh, trace.F("status", status), trace.F("from", m.From))
	default:
		status = 200
		e.fire(in, partyMesh, trace.F("from", m.From))
	}
	w.net.Send(sim.Message{From: partyMesh, To: m.From, Kind: kindMSG2Response,
		Body: httpResponse{id: req.send.ID, status: status, target: partyMesh}, Fields: []trace.Field{trace.F("id", req.send.ID), trace.F("status", status)}})
	return true
}

// fetchFault applies fetch-refused (no connection) and fetch-status at the site's front door.
func (w *World) fetchFault(caller string, b adminCall) bool {
	e := w.engine
	in := e.first("fetch", "fetch-refused", "fetch-status")
	if in == nil {
		return false
	}
	status := 0
	if in.Spec.Name == "fetch-status" {
		status = in.Spec.Int("status")
	}
	e.fire(in, partyRouter, trace.F("status", status), trace.F("call", b.callerID))
	w.routerAnswer(&route{caller: caller, callerID: b.callerID, kind: b.kind}, status, nil, 0)
	return true
}

// storageFaults applies the blob faults to one storage call: a result that replaces the operation's
// (Status 0: perform it), and an extra latency.
func (w *World) storageFaults(req blobRequest) (host.BlobResult, time.Duration, bool) {
	e := w.engine
	var delay time.Duration
	if in := e.first("storage/"+string(req.call.Op), "blob-latency"); in != nil {
		delay = in.Spec.Duration("by")
		e.fire(in, partyStorage, trace.F("op", string(req.call.Op)), trace.F("by", delay))
	}
	// storage-refuses: the account refuses the host's identity on every blob (lease and hash alike).
	if in := e.first("storage/"+string(req.call.Op), "storage-refuses"); in != nil {
		status := in.Spec.Int("status")
		e.fire(in, partyStorage, trace.F("op", string(req.call.Op)), trace.F("status", status))
		return host.BlobResult{Status: status, Code: refusalCode(status)}, delay, true
	}
	if req.call.Blob != host.HashBlobName(w.sc.Site.HostID) {
		return host.BlobResult{}, delay, false
	}
	switch req.call.Op {
	case host.BlobExists, host.BlobDownload:
		if in := e.first("storage/"+string(req.call.Op), "blob-read-error"); in != nil {
			status := in.Spec.Int("status")
			e.fire(in, partyStorage, trace.F("op", string(req.call.Op)), trace.F("status", status))
			return host.BlobResult{Status: status, Code: "ServerBusy"}, delay, true
		}
	case host.BlobUpload:
		if in := e.first("storage/"+string(req.call.Op), "blob-write-error"); in != nil {
			status := in.Spec.Int("status")
			e.fire(in, partyStorage, trace.F("op", string(req.call.Op)), trace.F("status", status))
			return host.BlobResult{Status: status, Code: "InternalError"}, delay, true
		}
		if in := e.first("storage/"+string(req.call.Op), "blob-lost-write"); in != nil {
			e.fire(in, partyStorage, trace.F("op", string(req.call.Op)))
			return host.BlobResult{Status: 201}, delay, true
		}
	}
	return host.BlobResult{}, delay, false
}

// meshNow is the mesh's own clock: true virtual time plus any injected skew.
func (w *World) meshNow() time.Time { return w.now().Add(w.meshSkew) }

// badToken applies token-invalid at a receiver (frontend, msg3, msg4): when an injector aimed there fires,
// it returns a copy of the request's headers carrying an invalid token of the injector's kind in place
// of the sender's, and the firing key the token.check record names; else the headers as they are and "".
func (w *World) badToken(target, sender string, headers map[string]string) (map[string]string, string) {
	e := w.engine
	for _, in := range e.Of("token-invalid") {
		if t := in.Spec.Str("target"); t != "any" && t != target {
			continue
		}
		if !e.Roll(in, target) {
			continue
		}
		kind := in.Spec.Str("kind")
		out := map[string]string{}
		for k, v := range headers {
			if !strings.EqualFold(k, "x-ms-site-token") && !strings.EqualFold(k, "Authorization") {
				out[k] = v
			}
		}
		if kind != "stripped" {
			out["x-ms-site-token"] = w.forgeToken(target, kind)
		}
		e.fire(in, partyOf(target), trace.F("kind", kind), trace.F("target", target), trace.F("sender", sender))
		return out, in.Key()
	}
	return headers, ""
}

func partyOf(target string) string {
	if target == "frontend" {
		return partyFrontEnd
	}
	return partyRouter
}

// forgeToken makes an invalid token of one kind for a receiver, signed here (crypto/hmac), starting
// from the claims a correct sender would present now: TOK-3's for the front end, TOK-4's for the host.
func (w *World) forgeToken(target, kind string) string {
	site := "https://" + w.sc.Site.Name + ".azurewebsites.net"
	const appService, legion = "https://appservice.core.azurewebsites.net", "https://legion.core.azurewebsites.net"
	now := w.now().Unix()
	iss, aud, wrongIss, wrongAud := legion, site, "https://login.example.net", appService
	if target == "frontend" {
		// The host's own issuer and audience are wrong at the FE, which takes exactly TOK-3's (FE-2).
		iss, aud, wrongIss, wrongAud = site, appService, legion, site
	}
	claims := map[string]any{"iss": iss, "aud": aud, "iat": now, "nbf": now, "exp": now + 300}
	header := map[string]any{"alg": "HS256", "typ": "JWT"}
	key := siteKey(w.sc.Site.EncryptionKey)
	switch kind {
	case "wrong-audience":
		claims["aud"] = wrongAud
	case "near-miss-audience":
		claims["aud"] = aud + ".evil"
	case "near-miss-audience-path":
		claims["aud"] = aud + "/azurefunctionsX"
	case "wrong-issuer":
		claims["iss"] = wrongIss
	case "near-miss-issuer":
		claims["iss"] = iss + ".evil"
	case "not-yet-valid":
		claims["iat"], claims["nbf"], claims["exp"] = now+600, now+600, now+900
	case "expired":
		claims["iat"], claims["nbf"], claims["exp"] = now-1800, now-1800, now-1200
	case "wrong-key":
		k := sha256.Sum256([]byte("syncsim: not the site's key"))
		key = k[:]
	case "alg-none":
		header["alg"] = "none"
	case "malformed":
		return "not-a-jwt"
	}
	return signJWT(header, claims, key)
}

// signJWT encodes a JWT: HS256 over the base64url header and claims, or no signature for alg=none.
func signJWT(header, claims map[string]any, key []byte) string {
	hb, _ := json.Marshal(header)
	cb, _ := json.Marshal(claims)
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(hb) + "." + enc.EncodeToString(cb)
	if header["alg"] == "none" {
		return input + "."
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(input))
	return input + "." + enc.EncodeToString(mac.Sum(nil))
}
