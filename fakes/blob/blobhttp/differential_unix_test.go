//go:build unix

package blobhttp_test

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/syncsim/syncsim/fakes/blob"
	"github.com/syncsim/syncsim/fakes/blob/blobhttp"
)

// Sizes of the generated part of the differential test.
const (
	generatedSequences = 32
	stepsPerSequence   = 30
)

// pair runs every step against the model (blobhttp over a fresh blob.Store) and against Azurite,
// and requires the same outcome (DESIGN.md principle 5: the model is held to Azurite).
type pair struct {
	name             string
	model, reference *session
	steps            int
	history          []string // "step N: op -> outcome", for failure messages
}

// recent renders the last steps that agreed, so a failure shows the state it came from.
func (p *pair) recent() string {
	h := p.history[max(0, len(p.history)-8):]
	if len(h) == 0 {
		return ""
	}
	return "\n  after:\n    " + strings.Join(h, "\n    ")
}

func newPair(t *testing.T, ctx context.Context, azuriteConn, name string, ids [3]string) *pair {
	t.Helper()
	srv := httptest.NewServer(blobhttp.New(blob.New(), time.Now))
	t.Cleanup(srv.Close)
	model, err := newSession(ctx, blobhttp.ConnectionString(srv.Listener.Addr().String()), name, ids)
	if err != nil {
		t.Fatal(err)
	}
	reference, err := newSession(ctx, azuriteConn, name, ids)
	if err != nil {
		t.Fatal(err)
	}
	return &pair{name: name, model: model, reference: reference}
}

// do runs step number i on both servers; false (after reporting) when they disagree, so the
// sequence stops where the states may have diverged.
func (p *pair) do(t *testing.T, i int, st step) (outcome, bool) {
	t.Helper()
	p.steps++
	m, merr := p.model.run(st)
	a, aerr := p.reference.run(st)
	if merr != nil || aerr != nil {
		t.Errorf("%s step %d: %s: transport failure\n  blobhttp: %v\n  azurite:  %v", p.name, i, st, merr, aerr)
		return m, false
	}
	if m != a {
		t.Errorf("%s step %d: %s: outcomes differ\n  blobhttp: %s\n  azurite:  %s%s", p.name, i, st, m, a, p.recent())
		return m, false
	}
	// BLOB-3: the ETag changes on every write.
	if st.op == opPut && m.Status == 0 && !m.FreshETag {
		t.Errorf("%s step %d: %s: the upload did not issue a new ETag", p.name, i, st)
		return m, false
	}
	p.history = append(p.history, fmt.Sprintf("step %d: %s -> %s", i, st, m))
	return m, true
}

func azuriteConnectionString(port string) string {
	return blobhttp.ConnectionString("127.0.0.1:" + port)
}

func TestDifferentialAgainstAzurite(t *testing.T) {
	port := startAzurite(t)
	conn := azuriteConnectionString(port)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()
	total := 0
	seen := map[string]int{} // outcome codes of the generated steps, for the log

	// The expiry case starts first and finishes last, so its wait overlaps the other sequences.
	expiry := newPair(t, ctx, conn, "expiry", fixedIDs)
	expiryStart := time.Now()
	runScript(t, expiry, expiryBefore)

	runScript(t, newPair(t, ctx, conn, "blob3", fixedIDs), blob3Script)
	runScript(t, newPair(t, ctx, conn, "never-leased", fixedIDs), neverLeasedScript)

	for seed := uint64(1); seed <= generatedSequences; seed++ {
		steps, ids := generate(seed)
		p := newPair(t, ctx, conn, fmt.Sprintf("seq-%d", seed), ids)
		p.name = fmt.Sprintf("seed %d", seed)
		for i, st := range steps {
			o, ok := p.do(t, i, st)
			if !ok {
				break
			}
			seen[fmt.Sprintf("%s %d %s", st.op, o.Status, o.Code)]++
		}
		total += p.steps
	}

	// A 15 s lease is expired 16 s after it was taken, on both servers.
	time.Sleep(time.Until(expiryStart.Add(16 * time.Second)))
	runScript(t, expiry, expiryAfter)
	t.Logf("%d generated sequences, %d generated steps, each run on blobhttp and on Azurite", generatedSequences, total)
	keys := slices.Sorted(maps.Keys(seen))
	for _, k := range keys {
		t.Logf("  %4d × %s", seen[k], k)
	}
}

// scripted is a hand-written step with the outcome both servers must give; the wants were
// written from Azurite's source (lease/*State.js, LokiBlobMetadataStore.js) and checked against it.
type scripted struct {
	st   step
	want string
}

func runScript(t *testing.T, p *pair, script []scripted) {
	t.Helper()
	for i, s := range script {
		o, ok := p.do(t, i, s.st)
		if !ok {
			return
		}
		if o.String() != s.want {
			t.Errorf("%s step %d: %s: both servers answered %s, want %s", p.name, i, s.st, o, s.want)
		}
	}
}

// fixedIDs are the lease ids of the scripted sequences: client 0's, client 1's, and one nobody holds.
var fixedIDs = [3]string{
	"aaaaaaaa-0000-4000-8000-000000000000",
	"bbbbbbbb-0000-4000-8000-000000000000",
	"eeeeeeee-0000-4000-8000-000000000000",
}

// Step builders for the scripts.
func put(client int, name, data string) step {
	return step{op: opPut, client: client, blob: name, data: data}
}
func op(kind opKind, client int, name string) step {
	return step{op: kind, client: client, blob: name, duration: 15, period: noPeriod}
}
func (s step) match(r etagRef) step     { s.ifMatch = r; return s }
func (s step) noneMatch(r etagRef) step { s.ifNoneMatch = r; return s }
func (s step) with(r leaseRef) step     { s.lease = r; return s }
func (s step) to(r leaseRef) step       { s.proposed = r; return s }
func (s step) lasting(d int32) step     { s.duration = d; return s }
func (s step) breaking(p int32) step    { s.period = p; return s }

var create = step{op: opCreate}

// blob3Script names every BLOB-3 code explicitly; client 0 and client 1 are two writers.
var blob3Script = []scripted{
	{create, "ok"},
	{op(opHead, 0, "hash"), "404 BlobNotFound"},
	{op(opGet, 0, "hash"), "404 BlobNotFound"},
	{op(opDelete, 0, "hash"), "404 BlobNotFound"},
	{op(opAcquire, 0, "hash").with(leaseOwn), "404 BlobNotFound"},
	{put(0, "hash", "v1"), "ok fresh-etag"},
	{put(1, "hash", "v2"), "ok fresh-etag"},
	{put(0, "hash", "v3").match(etagLast), "412 ConditionNotMet"},
	{put(1, "hash", "v3").match(etagLast), "ok fresh-etag"},
	{put(0, "hash", "v4").match(etagStale), "412 ConditionNotMet"},
	{put(0, "hash", "v4").noneMatch(etagStar), "409 BlobAlreadyExists"},
	{op(opGet, 0, "hash").match(etagStale), "412 ConditionNotMet"},
	{op(opGet, 1, "hash").noneMatch(etagLast), "304 ConditionNotMet"},
	{op(opGet, 1, "hash").noneMatch(etagStar), "400 UnsatisfiableCondition"},
	{put(0, "hash", "v4").match(etagLast).noneMatch(etagStar), "400 MultipleConditionHeadersNotSupported"},
	{op(opAcquire, 0, "hash").with(leaseOwn), "ok lease-id=own"},
	{op(opAcquire, 1, "hash").with(leaseOwn), "409 LeaseAlreadyPresent"},
	{put(1, "hash", "v5"), "412 LeaseIdMissing"},
	{put(1, "hash", "v5").with(leaseOwn), "412 LeaseIdMismatchWithBlobOperation"},
	{op(opDelete, 1, "hash"), "412 LeaseIdMissing"},
	{op(opGet, 1, "hash").with(leaseOwn), "412 LeaseIdMismatchWithBlobOperation"},
	{put(0, "hash", "v5").with(leaseOwn), "ok fresh-etag"},
	{op(opGet, 1, "hash"), `ok content="v5" lease=leased/locked/fixed`},
	{op(opRenew, 1, "hash").with(leaseOwn), "409 LeaseIdMismatchWithLeaseOperation"},
	{op(opChange, 0, "hash").with(leaseOwn).to(leaseOther), "ok lease-id=other"},
	{put(1, "hash", "v6").with(leaseOwn), "ok fresh-etag"},
	{op(opBreak, 0, "hash").breaking(0), "ok"},
	{op(opHead, 0, "hash"), "ok lease=broken/unlocked/-"},
	{op(opAcquire, 0, "hash").with(leaseOwn).lasting(-1), "ok lease-id=own"},
	{op(opHead, 0, "hash"), "ok lease=leased/locked/infinite"},
	{op(opRelease, 0, "hash").with(leaseOwn), "ok"},
	{op(opDelete, 0, "hash"), "ok"},
	{op(opDelete, 0, "hash"), "404 BlobNotFound"},
}

// neverLeasedScript: lease operations on a blob that was never leased, and after a release; the
// model's earlier notes had chosen Azure's codes here, Azurite answers LeaseIdMismatch for renew
// and release.
var neverLeasedScript = []scripted{
	{create, "ok"},
	{put(0, "fresh", "v1"), "ok fresh-etag"},
	{op(opRenew, 0, "fresh").with(leaseOwn), "409 LeaseIdMismatchWithLeaseOperation"},
	{op(opRelease, 0, "fresh").with(leaseOwn), "409 LeaseIdMismatchWithLeaseOperation"},
	{op(opChange, 0, "fresh").with(leaseOwn).to(leaseOther), "409 LeaseNotPresentWithLeaseOperation"},
	{op(opBreak, 0, "fresh"), "409 LeaseNotPresentWithLeaseOperation"},
	{put(0, "fresh", "v2").with(leaseOwn), "412 LeaseNotPresentWithBlobOperation"},
	{put(0, "new", "v1").with(leaseOwn), "ok fresh-etag"},
	{op(opAcquire, 0, "fresh").with(leaseOwn).lasting(14), "400 InvalidHeaderValue"},
	{op(opAcquire, 0, "fresh").with(leaseOwn), "ok lease-id=own"},
	{op(opRelease, 0, "fresh").with(leaseOwn), "ok"},
	{op(opRelease, 0, "fresh").with(leaseOwn), "409 LeaseIdMismatchWithLeaseOperation"},
	{op(opRenew, 0, "fresh").with(leaseOwn), "409 LeaseIdMismatchWithLeaseOperation"},
}

// expiryBefore takes 15 s leases; expiryAfter runs 16 s later, when they have expired.
var expiryBefore = []scripted{
	{create, "ok"},
	{put(0, "e1", "v1"), "ok fresh-etag"},
	{put(0, "e2", "v1"), "ok fresh-etag"},
	{put(0, "e3", "v1"), "ok fresh-etag"},
	{put(0, "e4", "v1"), "ok fresh-etag"},
	{op(opAcquire, 0, "e1").with(leaseOwn), "ok lease-id=own"},
	{op(opAcquire, 0, "e2").with(leaseOwn), "ok lease-id=own"},
	{op(opAcquire, 0, "e3").with(leaseOwn), "ok lease-id=own"},
	{op(opAcquire, 0, "e4").with(leaseOwn), "ok lease-id=own"},
}

var expiryAfter = []scripted{
	{op(opHead, 0, "e1"), "ok lease=expired/unlocked/-"},
	// Azurite renews an expired lease whatever id is given, and keeps the lease's own id.
	{op(opRenew, 1, "e1").with(leaseOwn), "ok"},
	{op(opHead, 0, "e1"), "ok lease=leased/locked/fixed"},
	{put(1, "e1", "v2").with(leaseOwn), "412 LeaseIdMismatchWithBlobOperation"},
	{put(0, "e1", "v2").with(leaseOwn), "ok fresh-etag"},
	{op(opRenew, 0, "e2").with(leaseOwn), "ok"},
	{op(opHead, 0, "e2"), "ok lease=leased/locked/fixed"},
	{put(1, "e3", "v2"), "ok fresh-etag"},
	{op(opRenew, 0, "e3").with(leaseOwn), "409 LeaseIdMismatchWithLeaseOperation"},
	{op(opRelease, 1, "e4").with(leaseOwn), "409 LeaseIdMismatchWithLeaseOperation"},
	{op(opChange, 0, "e4").with(leaseOwn).to(leaseOther), "409 LeaseNotPresentWithLeaseOperation"},
	{op(opBreak, 0, "e4"), "ok"},
	{op(opHead, 0, "e4"), "ok lease=broken/unlocked/-"},
	{op(opAcquire, 1, "e4").with(leaseOwn), "ok lease-id=own"},
}

// generate makes sequence seed: a container, then stepsPerSequence random steps by two clients
// on one blob (sometimes a blob that never exists), with lease ids drawn from the same seed.
func generate(seed uint64) ([]step, [3]string) {
	r := rand.New(rand.NewPCG(seed, 0xb10b))
	var ids [3]string
	for i := range ids {
		ids[i] = fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", r.Uint32(), r.Uint32()&0xffff, r.Uint32()&0xfff, r.Uint32()&0xfff, r.Uint64()&0xffffffffffff)
	}
	steps := []step{create}
	for range stepsPerSequence {
		steps = append(steps, randomStep(r))
	}
	return steps, ids
}

// pick returns an index drawn with the given weights.
func pick(r *rand.Rand, weights ...int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := r.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	panic("unreachable")
}

func randomStep(r *rand.Rand) step {
	name := "hash"
	if r.IntN(20) == 0 {
		name = "absent"
	}
	st := op(opPut, r.IntN(2), name)
	kinds := []opKind{opPut, opGet, opHead, opDelete, opAcquire, opRenew, opRelease, opBreak, opChange}
	st.op = kinds[pick(r, 26, 12, 10, 5, 15, 8, 8, 7, 9)]
	leases := []leaseRef{leaseNone, leaseOwn, leaseOther, leaseWrong}
	switch st.op {
	case opPut, opDelete:
		st.data = fmt.Sprintf("v%d", r.IntN(1000))
		st = withConditions(r, st)
		st.lease = leases[pick(r, 45, 35, 10, 10)]
	case opGet, opHead:
		st = withConditions(r, st)
		st.lease = leases[pick(r, 70, 20, 5, 5)]
	case opAcquire:
		st.lease = leases[1+pick(r, 80, 10, 10)]
		st.duration = []int32{15, -1, 10}[pick(r, 75, 20, 5)]
		if r.IntN(5) == 0 {
			st.ifMatch = []etagRef{etagLast, etagStale}[r.IntN(2)]
		}
	case opRenew, opRelease:
		st.lease = leases[1+pick(r, 70, 15, 15)]
	case opChange:
		st.lease = leases[1+pick(r, 70, 15, 15)]
		st.proposed = leases[1+pick(r, 20, 60, 20)]
	case opBreak:
		// Break periods 0 and 60 only: a period that ends inside the sequence would make the
		// outcome depend on which server happened to be asked a few milliseconds later.
		st.period = []int32{0, 60, noPeriod}[pick(r, 50, 25, 25)]
	}
	return st
}

// withConditions adds If-Match / If-None-Match: the ETag last seen, a stale one or "*".
func withConditions(r *rand.Rand, st step) step {
	switch pick(r, 45, 15, 12, 8, 8, 8, 4) {
	case 1:
		st.ifMatch = etagLast
	case 2:
		st.ifMatch = etagStale
	case 3:
		st.ifMatch = etagStar
	case 4:
		st.ifNoneMatch = etagStar
	case 5:
		st.ifNoneMatch = []etagRef{etagLast, etagStale}[r.IntN(2)]
	case 6:
		st.ifMatch, st.ifNoneMatch = etagLast, etagStar
	}
	return st
}
