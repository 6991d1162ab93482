package bench

import (
	"strconv"
	"strings"
	"time"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/sim"
	"github.com/syncsim/syncsim/sim/world"
	"github.com/syncsim/syncsim/trace"
	"github.com/syncsim/syncsim/trace/canonical"
)

// Work is what one run must do at least, read off its trace and its queue's shape: its queue
// operations, and the SHA-256 and HMAC-SHA256 computations over payloads and tokens it really makes,
// each by its input's size in bytes.
type Work struct {
	Shape *sim.Shape
	// SHA256 are the sizes of the SHA-256 inputs: payload bodies and their canonical forms (PAY-3
	// hashes built, served, stored and recorded), and the message bodies and tokens the trace refers
	// to by digest (PAY-4).
	SHA256 []int
	// HMAC are the sizes of the HMAC-SHA256 inputs (a JWT's signing input): every token signed
	// (TOK-3, TOK-4, forged by a fault) and every signature checked (the receiver's validation and
	// the trace's own hs256 fact).
	HMAC []int
	// Unsized counts the payload hashes the trace names whose body could not be rebuilt; they are
	// sized as the latest rebuilt content.
	Unsized int
	seed    uint64
	replay  *replay
	input   check.Input // what the trace checkers judge of the run
	events  int         // the run's events
}

// Bytes is the total of SHA-256 and of HMAC input bytes.
func (w *Work) Bytes() (sha, mac int) {
	for _, n := range w.SHA256 {
		sha += n
	}
	for _, n := range w.HMAC {
		mac += n
	}
	return sha, mac
}

// smallBody is the size given to a digested body that is neither a payload, nor empty, nor sized by
// its record: the JSON status answers of MSG-4 and the key API (`{"status":"success"}` and the like).
const smallBody = 32

// emptyDigest is trace.SecretDigest of no bytes.
var emptyDigest = trace.SecretDigest(nil)

// sizes are a payload's body and canonical-form sizes.
type sizes struct{ body, canonical int }

// workOf reads a run's crypto work off its trace (the rules are the comments of the switch below).
func workOf(sc *scenarios.Scenario, res *world.Result, shape *sim.Shape) Work {
	w := Work{Shape: shape}
	payloads := rebuildPayloads(sc, res)
	key, _ := host.ParseKey(sc.Site.EncryptionKey)
	var latest sizes
	size := func(hash string) sizes {
		if s, ok := payloads[hash]; ok {
			return s
		}
		w.Unsized++
		return latest
	}
	byDigest := map[string]sizes{}
	for h, s := range payloads {
		byDigest["sha256:"+h[:16]] = s
	}
	for _, r := range res.Trace.Records {
		switch r.Kind {
		case trace.KindContentChange:
			// The expected payload's PAY-3 hash and the hash of its canonical form.
			latest = size(r.Get("expected_hash"))
			w.SHA256 = append(w.SHA256, latest.body, latest.canonical)
		case trace.KindSyncEnter:
			// The host built the span's payload and hashed it (PAY-3).
			w.SHA256 = append(w.SHA256, size(r.Get("hash")).body)
		case trace.KindStoreWrite:
			// The store hashed the body it stored (PAY-3); the record names its canonical hash.
			s := size(r.Get("hash"))
			w.SHA256 = append(w.SHA256, s.body, s.canonical)
		case trace.KindStoreSnapshot:
			if r.Get("hash") != "" {
				w.SHA256 = append(w.SHA256, size(r.Get("hash")).canonical)
			}
		case trace.KindNetSend:
			// A body recorded by digest was hashed for it; a served MSG-3 body (an instance's answer
			// whose digest is a payload's) was also built and hashed by the host.
			d := r.Get("body")
			switch s, ok := byDigest[d]; {
			case d == "":
			case r.Has("bytes"):
				w.SHA256 = append(w.SHA256, r.Int("bytes"))
			case d == emptyDigest:
				w.SHA256 = append(w.SHA256, 0)
			case ok && strings.HasPrefix(r.Party, trace.InstancePrefix):
				w.SHA256 = append(w.SHA256, s.body, s.body)
			case ok:
				w.SHA256 = append(w.SHA256, s.body)
			default:
				w.SHA256 = append(w.SHA256, smallBody)
			}
		case trace.KindSyncPublish:
			// MSG-1 carries a TOK-3 token the host signed.
			if r.Get("target") == trace.PartyFrontEnd {
				w.HMAC = append(w.HMAC, siteTokenInput(key, sc.Site.Name, r.At))
			}
		case trace.KindMeshFetch:
			// The mesh signed the fetch's TOK-4 token; the record names it by digest.
			if d := r.Get("token"); d != emptyDigest {
				n := platformTokenInput(key, sc.Site.Name, r.At)
				w.HMAC = append(w.HMAC, n)
				w.SHA256 = append(w.SHA256, n+44)
			} else {
				w.SHA256 = append(w.SHA256, 0)
			}
		case trace.KindTokenCheck:
			w.HMAC = append(w.HMAC, tokenChecks(r, key)...)
		}
	}
	return w
}

// tokenChecks are the HMACs behind one token.check: a MSG-4 token or a forged one was signed for it,
// the receiver's validator checked an HS256 signature, and the driver computed the hs256 fact.
func tokenChecks(r trace.Record, key []byte) []int {
	if r.Get("form") != "present" {
		return nil
	}
	n := tokenInput(r, key)
	var out []int
	if r.Get("endpoint") == "msg4" || r.Has("fault") {
		out = append(out, n)
	}
	if r.Get("alg") == "HS256" {
		out = append(out, n)
	}
	if r.Has("hs256") {
		out = append(out, n)
	}
	return out
}

// tokenInput is the size of the signing input of the token a token.check describes: its claims
// signed again (HS256 tokens are deterministic, so this is the token's own size).
func tokenInput(r trace.Record, key []byte) int {
	unix := func(k string) time.Time {
		if !r.Has(k) {
			return time.Time{}
		}
		n, _ := strconv.ParseInt(r.Get(k), 10, 64)
		return time.Unix(n, 0)
	}
	if len(key) == 0 {
		key = []byte{0}
	}
	tok, err := host.IssueToken(key, host.TokenClaims{Issuer: r.Get("iss"), Audience: r.Get("aud"),
		IssuedAt: unix("iat"), NotBefore: unix("nbf"), Expires: unix("exp")})
	if err != nil {
		return 0
	}
	return strings.LastIndexByte(tok, '.')
}

func siteTokenInput(key []byte, site string, at time.Duration) int {
	tok, err := host.IssueSiteToken(key, site, trace.Epoch.Add(at))
	if err != nil {
		return 0
	}
	return strings.LastIndexByte(tok, '.')
}

func platformTokenInput(key []byte, site string, at time.Duration) int {
	tok, err := host.IssuePlatformToken(key, site, trace.Epoch.Add(at), 10*time.Minute)
	if err != nil {
		return 0
	}
	return strings.LastIndexByte(tok, '.')
}

// rebuildPayloads rebuilds, with host.BuildPayload, the payload of every pair of a function list
// and a key set the run's content went through (a host may hold keys older than its functions), by
// PAY-3 hash. The content's revisions follow the trace's content.change records: the scenario's
// initial content, its deploys and key rotations in timeline order, the rotated values taken from the
// run's secrets in the order the run used them. A revision this cannot rebuild (a fault's oversize
// deploy) leaves its hashes out (Work.Unsized).
func rebuildPayloads(sc *scenarios.Scenario, res *world.Result) map[string]sizes {
	fnSets := [][]host.Function{sc.Content.Functions}
	keySets := []host.Keys{sc.Content.Keys}
	var deploys, rotations []scenarios.Action
	for _, a := range sc.Timeline {
		switch {
		case a.Deploy != nil:
			deploys = append(deploys, a)
		case a.RotateKey != nil:
			rotations = append(rotations, a)
		}
	}
	initial := map[string]bool{sc.Site.EncryptionKey: true}
	for _, v := range sc.Content.Keys.Values() {
		initial[v] = true
	}
	var rotated []string
	for _, s := range res.Secrets {
		if !initial[s] {
			rotated = append(rotated, s)
		}
	}
	for _, r := range res.Trace.Records {
		if r.Kind != trace.KindContentChange {
			continue
		}
		reason := r.Get("reason")
		switch {
		case reason == "deploy" && len(deploys) > 0:
			fnSets = append(fnSets, deploys[0].Deploy.Functions)
			deploys = deploys[1:]
		case strings.HasPrefix(reason, "rotate_key") && len(rotations) > 0 && len(rotated) > 0:
			keySets = append(keySets, rotate(keySets[len(keySets)-1], rotations[0].RotateKey, rotated[0]))
			rotations, rotated = rotations[1:], rotated[1:]
		}
	}
	out := map[string]sizes{}
	for _, fns := range fnSets {
		for _, keys := range keySets {
			p := host.BuildPayload(sc.Site, fns, keys)
			c, _ := canonical.Form(p.Body)
			out[p.Hash] = sizes{len(p.Body), len(c)}
		}
	}
	return out
}

// rotate is keys with r's key set to value (the key API's rotation).
func rotate(keys host.Keys, r *scenarios.RotateKey, value string) host.Keys {
	keys = keys.Clone()
	set := func(m map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range m {
			out[k] = v
		}
		out[r.Key.Name] = value
		return out
	}
	switch r.Key.Kind {
	case "master":
		keys.Master = value
	case "host":
		keys.Host = set(keys.Host)
	case "system":
		keys.System = set(keys.System)
	case "function":
		fns := map[string]map[string]string{}
		for k, v := range keys.Functions {
			fns[k] = v
		}
		fns[r.Key.Function] = set(fns[r.Key.Function])
		keys.Functions = fns
	}
	return keys
}
