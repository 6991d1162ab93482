package host

import (
	"fmt"
	"time"
)

// call begins a sync span: TrySync(background).
func (m *Machine) call(background bool, origin string, reqID int) {
	m.spanSeq++
	s := &span{id: m.spanSeq, background: background, origin: origin, reqID: reqID}
	m.spans[s.id] = s
	m.emit(SpanEvent{Span: s.id, Phase: SpanCall, Background: background, Origin: origin, ReqID: reqID})
	m.emit(Point{Name: "before-gate", Span: s.id, Background: background})
	// SYNC-1 (FunctionsSyncManager.cs#TrySyncTriggersAsync @89dc438): the gate fails without taking the lock.
	if !m.gateOpen() {
		m.log("Warning", ErrTextInvalidEnvironment)
		m.finish(s, false, ErrTextInvalidEnvironment, false)
		return
	}
	if !m.cfg.Seams.Exclusive(m.cfg.Mode) {
		m.enter(s)
		return
	}
	// SYNC-2 (FunctionsSyncManager.cs#TrySyncTriggersAsync @89dc438, _syncSemaphore): the per-instance
	// lock, taken in call order (FIFO: decided here; SemaphoreSlim promises no order).
	if m.holder != nil {
		m.waiting = append(m.waiting, s)
		return
	}
	m.holder = s
	m.enter(s)
}

// SYNC-1 (FunctionsSyncManager.cs#IsSyncTriggersEnvironment @89dc438:195-228): an absent
// WEBSITE_AUTH_ENCRYPTION_KEY (`== null`: a key set to "" passes) closes the gate, and so does a
// container that is not ready, on the hostings that wait for it (Windows App Service, any Linux
// Consumption). The gate does not look at the host's state: a foreground sync while the host
// restarts in place passes it and builds from what the stopping host loaded, as upstream does.
func (m *Machine) gateOpen() bool {
	if m.cfg.Site.EncryptionKey == "" && !m.cfg.KeySetEmpty {
		return false
	}
	return m.containerReady || !m.cfg.Hosting.needsContainerReady()
}

// syncEnvironment is IsSyncTriggersEnvironment at the host's build: FunctionsSyncService, the
// background sync, is registered only when it holds (WebScriptHostBuilderExtension.cs@89dc438:109-111).
func (m *Machine) syncEnvironment() bool { return m.gateOpen() }

// secretsError is the reason the secrets reload of SYNC-3 throws now, "" when it does not.
func (m *Machine) secretsError() string {
	if m.cfg.SecretsError == nil {
		return ""
	}
	return m.cfg.SecretsError()
}

// buildPayload clears the secrets cache and builds the payload from what the active host loaded.
func (m *Machine) buildPayload() (Payload, int) {
	m.secrets, m.keysRev = m.cfg.Secrets()
	fns := m.loaded.Functions
	if m.loaded.Placeholder {
		fns = []Function{WarmUp}
	}
	// PAY-1's fixed order, unless a seam draws another (PAY-2).
	rotate := m.cfg.Seams.KeyOrder(m.cfg.Rand)
	if m.cfg.UnstablePayload {
		// #9255: the same payload in other text on every build (the object's keys in another order),
		// so its PAY-3 hash differs from the hash blob's although nothing changed.
		m.builds++
		rotate = m.builds
	}
	p := buildPayload(m.cfg.Site, fns, m.secrets, rotate)
	if p.Oversize > 0 {
		// PAY-1's fallback, with upstream's Warning (FunctionsSyncManager.cs@89dc438:404-407).
		m.log("Warning", fmt.Sprintf(TextOversize, p.Oversize))
	}
	return p, max(m.loaded.Revision, m.keysRev)
}

// enter runs the exclusive part of a span up to its first asynchronous step.
func (m *Machine) enter(s *span) {
	if s.ack {
		m.blobCall(s, BlobCall{Op: BlobUpload, Container: HostsContainer, Blob: m.hashBlob, Data: []byte(s.payload.Hash)})
		return
	}
	// SYNC-3 (FunctionsSyncManager.cs#PrepareSyncTriggers @89dc438): clear the secrets cache, then build the payload from what the active host loaded.
	if m.loaded.Placeholder && m.cfg.PlaceholderGuard {
		// PR #11874: the active host is still the placeholder; skip with success.
		m.logAs("Information", CategoryModel, TextPlaceholderSkip)
		m.finish(s, true, "", false)
		return
	}
	// SYNC-4 (FunctionsSyncManager.cs#TrySyncTriggersAsync @89dc438, `hashBlobClient == null`): without
	// AzureWebJobsStorage a background sync stops with success before the payload is built.
	if s.background && m.cfg.NoStorage && m.cfg.Mode != ModeSignalAll {
		m.logAs("Debug", CategoryModel, TextNoStorage)
		m.finish(s, true, "", false)
		return
	}
	if why := m.secretsError(); why != "" {
		// SYNC-3's secrets reload throws (the secrets blob is refused): SYNC-7's catch-all.
		m.logError(ErrTextOperationFailed, Exception("Azure.RequestFailedException", why))
		m.finish(s, false, ErrTextOperationFailed, false)
		return
	}
	s.payload, s.revision = m.buildPayload()
	m.emit(SpanEvent{Span: s.id, Phase: SpanEnter, Background: s.background, Origin: s.origin, Hash: s.payload.Hash})
	m.emit(Point{Name: "after-lock", Span: s.id, Background: s.background})
	m.emit(Point{Name: "after-payload", Span: s.id, Background: s.background})
	if m.cfg.Mode == ModeSignalAll {
		// signal-all: no empty check, no blob, straight to the notification.
		m.publish(s)
		return
	}
	// SYNC-4 (FunctionsSyncManager.cs#TrySyncTriggersAsync @89dc438): a background sync with no triggers stops with success and publishes nothing.
	if m.cfg.Seams.SkipsEmpty(s.background, s.payload.Count) {
		m.log("Debug", TextNoFunctions)
		m.finish(s, true, "", false)
		return
	}
	if m.cfg.Seams.ReadsHash(s.background) && !m.cfg.NoStorage {
		// SYNC-5 / BLOB-2 (FunctionsSyncManager.cs#CheckHashAsync @89dc438): Exists, then Download.
		s.readHash = true
		s.stage = stageHashExists
		m.blobCall(s, BlobCall{Op: BlobExists, Container: HostsContainer, Blob: m.hashBlob})
		return
	}
	m.publish(s)
}

func (m *Machine) blobCall(s *span, c BlobCall) {
	c.ID = m.id()
	m.blobs[c.ID] = blobWait{span: s}
	m.emit(c)
}

// BlobDone delivers the result of a BlobCall.
func (m *Machine) BlobDone(now time.Time, id int, r BlobResult) []Effect {
	m.now = now
	w, ok := m.blobs[id]
	if !ok {
		return nil
	}
	delete(m.blobs, id)
	if w.lease != "" {
		m.leaseDone(w.lease, r)
		return m.take()
	}
	s := w.span
	switch s.stage {
	case stageHashExists:
		m.hashExists(s, r)
	case stageHashDownload:
		m.hashDownloaded(s, r)
	case stageHashWrite:
		m.hashWritten(s, r)
	}
	return m.take()
}

func (m *Machine) hashExists(s *span, r BlobResult) {
	switch {
	case r.Status == 404:
		// CheckHashAsync @89dc438 logs the hash pair only inside `if (ExistsAsync)`: a missing blob
		// is compared as "" without the line.
		m.compareHashQuiet(s, "")
	case !r.OK():
		m.hashReadError(s, r)
	default:
		s.stage = stageHashDownload
		m.blobCall(s, BlobCall{Op: BlobDownload, Container: HostsContainer, Blob: m.hashBlob})
	}
}

func (m *Machine) hashDownloaded(s *span, r BlobResult) {
	if !r.OK() {
		m.hashReadError(s, r)
		return
	}
	m.compareHash(s, string(r.Data))
}

// SYNC-5 (FunctionsSyncManager.cs#CheckHashAsync @89dc438): a read error counts as unchanged: the background sync is skipped.
func (m *Machine) hashReadError(s *span, r BlobResult) {
	m.logError(TextHashReadError, blobException(r))
	m.emit(Point{Name: "after-hash-read", Span: s.id, Background: s.background})
	if !m.cfg.Seams.ReadErrorUnchanged(r) {
		m.publish(s)
		return
	}
	m.finish(s, true, "", false)
}

func (m *Machine) compareHash(s *span, last string) {
	m.log("Debug", fmt.Sprintf(TextHashCompared, last, s.payload.Hash))
	m.compareHashQuiet(s, last)
}

// compareHashQuiet is compareHash without its log line (the blob did not exist).
func (m *Machine) compareHashQuiet(s *span, last string) {
	m.emit(HashRead{Span: s.id, Last: last, Current: s.payload.Hash})
	m.emit(Point{Name: "after-hash-read", Span: s.id, Background: s.background})
	if m.cfg.Seams.Unchanged(last, s.payload.Hash) {
		m.finish(s, true, "", false)
		return
	}
	m.publish(s)
}

// SYNC-6 (FunctionsSyncManager.cs#TrySyncTriggersAsync @89dc438; platform: SignalBasedFunctionsSyncManager.cs#SetTriggersAsync @da2ac2a): publish by mode.
func (m *Machine) publish(s *span) {
	if s.readHash && m.cfg.Seams.HashFirst() {
		// The hash goes out first, whatever the publish's fate; its answer is awaited by no span.
		id := m.id()
		m.blobs[id] = blobWait{lease: "early-hash"}
		m.emit(BlobCall{ID: id, Op: BlobUpload, Container: HostsContainer, Blob: m.hashBlob, Data: []byte(s.payload.Hash)})
		s.readHash = false
	}
	s.stage = stagePublishing
	if s.reqID != 0 && m.cfg.Seams.AnswersAtPublish() {
		// MSG-4 is told success before the publish's result is known.
		m.emit(Respond{ReqID: s.reqID, Response: SyncResponse(true, ""), Span: s.id})
		s.reqID = 0
	}
	id := m.id()
	m.sends[id] = s
	switch m.cfg.Mode {
	case ModePlatform, ModePlatformAck:
		m.logAs("Debug", CategoryModel, TextPlatformNotification)
		m.notifyMesh(s, id, "")
	case ModeSignalAll:
		m.logAs("Debug", CategoryMeshClient, TextPostingNotification)
		m.notifyMesh(s, id, s.payload.Hash)
	default:
		m.publishFrontEnd(s, id)
	}
}

// MSG-2 (MeshServiceClient.cs#SendAsync @89dc438): the notification, with the hash only in signal-all (field name decided in PROTOCOL.md).
func (m *Machine) notifyMesh(s *span, id int, hash string) {
	body := "operation=update-triggers"
	if hash != "" {
		body += "&hash=" + hash
	}
	m.logAs("Debug", CategoryMeshClient, fmt.Sprintf(TextMeshRequest, "update-triggers"))
	m.emit(Send{
		ID: id, Target: TargetMesh, Method: "POST", URL: m.cfg.MeshURL,
		Headers: map[string]string{
			"Content-Type":        "application/x-www-form-urlencoded",
			"fx-current-instance": m.cfg.ContainerName,
		},
		Body:     []byte(body),
		Timeout:  m.cfg.MeshTimeout,
		Revision: s.revision,
		Hash:     s.payload.Hash,
		Triggers: s.payload.Count, Span: s.id, Background: s.background,
	})
}

// MSG-1 (FunctionsSyncManager.cs#SetTriggersAsync @89dc438) with a TOK-3 token on the virtual clock.
func (m *Machine) publishFrontEnd(s *span, id int) {
	requestID := m.requestID()
	uri := m.cfg.FrontEndURL + "/operations/settriggers"
	headers := map[string]string{
		"Content-Type": "application/json; charset=utf-8",
		"X-ARR-LOG-ID": requestID,
		"User-Agent":   "AzureFunctionsRuntime",
	}
	key, err := ParseKey(m.cfg.Site.EncryptionKey)
	if err != nil {
		// JwtTokenHelper.cs@89dc438#CreateToken takes SecretsUtility.GetEncryptionKey(), which throws
		// before the request is built: with an empty key (which passed the gate's `== null`) or one
		// ToKeyBytes cannot read. TrySyncTriggersAsync's catch makes it SYNC-7's catch-all.
		delete(m.sends, id)
		m.logError(ErrTextOperationFailed, keyException(m.cfg.Site.EncryptionKey))
		m.finish(s, false, ErrTextOperationFailed, false)
		return
	}
	tok, err := IssueSiteToken(key, m.cfg.Site.Name, m.now)
	if err == nil {
		headers["x-ms-site-token"] = tok
	}
	// PAY-4: the log line shows no secret of the payload.
	content := m.cfg.Seams.RequestContent(m.secrets)
	m.log("Debug", fmt.Sprintf(TextRequest, requestID, uri, content))
	m.emit(Send{
		ID: id, Target: TargetFrontEnd, Method: "POST", URL: uri, Headers: headers,
		Body: s.payload.Body, Timeout: m.cfg.FrontEndTimeout, Revision: s.revision,
		Hash: s.payload.Hash, Triggers: s.payload.Count, Span: s.id, Background: s.background,
	})
}

func (m *Machine) requestID() string { return m.cfg.Seams.RequestID(m.cfg.Rand) }

// HTTPDone delivers the result of a Send.
func (m *Machine) HTTPDone(now time.Time, id int, r HTTPResult) []Effect {
	m.now = now
	s, ok := m.sends[id]
	if !ok {
		return nil
	}
	delete(m.sends, id)
	ok2xx := r.Status >= 200 && r.Status < 300
	switch {
	case s.feDone:
		m.additiveNotified(s, r, ok2xx)
	case m.cfg.Mode == ModeFrontend || m.cfg.Mode == ModeAdditive:
		m.frontEndDone(s, r, ok2xx)
	default:
		m.meshDone(s, r, ok2xx)
	}
	return m.take()
}

// additive: after MSG-1's success the mesh is notified; its failure is logged and ignored (PR #11813).
func (m *Machine) additiveNotified(s *span, r HTTPResult, ok bool) {
	if r.Status != 0 {
		m.logAs("Debug", CategoryMeshClient, fmt.Sprintf(TextMeshResponse, StatusName(r.Status)))
	}
	if !ok {
		m.log("Warning", TextNotifyPlatformFailed)
		if m.cfg.Seams.AdditiveNotifyFails(r) {
			// The best-effort step decides the sync's result.
			m.log("Error", ErrTextMeshFailed)
			m.finish(s, false, ErrTextMeshFailed, false)
			return
		}
	}
	m.published(s)
}

func (m *Machine) frontEndDone(s *span, r HTTPResult, ok bool) {
	if !ok && m.failedQuietly(s, r) {
		return
	}
	switch {
	case ok && m.cfg.Mode == ModeAdditive:
		m.log("Debug", TextCallSucceeded)
		s.feDone = true
		id := m.id()
		m.sends[id] = s
		m.notifyMesh(s, id, "")
	case ok:
		m.log("Debug", TextCallSucceeded)
		m.published(s)
	case r.Status == 0:
		m.logError(ErrTextOperationFailed, Exception("System.Net.Http.HttpRequestException", r.Err))
		m.finish(s, false, ErrTextOperationFailed, false)
	default:
		text := FrontEndFailureText(r.Status)
		level := "Error"
		if s.payload.Minimal && m.cfg.OversizeFallback == OversizeKeepsTriggers {
			// #12035: upstream logs the rejection at Debug, below the default level.
			level = "Debug"
		}
		m.log(level, text)
		m.finish(s, false, text, false)
	}
}

func (m *Machine) meshDone(s *span, r HTTPResult, ok bool) {
	if !ok && m.failedQuietly(s, r) {
		return
	}
	if r.Status != 0 {
		m.logAs("Debug", CategoryMeshClient, fmt.Sprintf(TextMeshResponse, StatusName(r.Status)))
	}
	if !ok && r.Status != 0 && m.cfg.MeshStatusThrownOnly {
		// Upstream's reading of SYNC-7: only a thrown call fails; a completed call with any status
		// counts as published (and the hash is written).
		m.published(s)
		return
	}
	if !ok {
		m.log("Error", ErrTextMeshFailed)
		m.finish(s, false, ErrTextMeshFailed, false)
		return
	}
	m.published(s)
}

// failedQuietly ends a failed publish as a success where a seam says so, and reports whether it
// did: SYNC-6's HashAfterFailure goes on to the hash write, SYNC-7's FailureSurfaced ends the sync
// without a word.
func (m *Machine) failedQuietly(s *span, r HTTPResult) bool {
	switch {
	case s.readHash && m.cfg.Seams.HashAfterFailure(r):
		m.published(s)
	case !m.cfg.Seams.FailureSurfaced(r):
		m.finish(s, true, "", false)
	default:
		return false
	}
	return true
}

// SYNC-6 (FunctionsSyncManager.cs#UpdateHashAsync @89dc438): on success, and only when SYNC-5 ran (background), write the hash blob.
func (m *Machine) published(s *span) {
	m.emit(Point{Name: "after-publish", Span: s.id, Background: s.background})
	// platform-ack writes no hash here: the served MSG-3 does (ackFetch).
	if !s.readHash || m.cfg.Mode == ModePlatformAck {
		// SYNC-6 is complete without a hash write: the after-hash-write point is here.
		m.emit(Point{Name: "after-hash-write", Span: s.id, Background: s.background})
		m.finish(s, true, "", true)
		return
	}
	s.stage = stageHashWrite
	m.blobCall(s, BlobCall{Op: BlobUpload, Container: HostsContainer, Blob: m.hashBlob, Data: []byte(s.payload.Hash)})
}

// BLOB-2: a write error is logged and swallowed.
func (m *Machine) hashWritten(s *span, r BlobResult) {
	if s.ack {
		m.ackWritten(s, r)
		return
	}
	if r.OK() {
		m.log("Debug", fmt.Sprintf(TextHashUpdated, s.payload.Hash))
		m.emit(HashWritten{Hash: s.payload.Hash})
	} else {
		m.logError(TextHashWriteError, blobException(r))
	}
	m.emit(Point{Name: "after-hash-write", Span: s.id, Background: s.background})
	m.finish(s, true, "", true)
}

// ackFetch is platform-ack's hash write: after serving MSG-3 with 200, write that payload's hash
// under the sync lock, in FIFO order with the syncs.
func (m *Machine) ackFetch(p Payload) {
	if m.cfg.NoStorage {
		// No storage, no hash blob to write.
		return
	}
	s := &span{ack: true, payload: p, stage: stageHashWrite}
	if m.holder != nil {
		m.waiting = append(m.waiting, s)
		return
	}
	m.holder = s
	m.enter(s)
}

func (m *Machine) ackWritten(s *span, r BlobResult) {
	if r.OK() {
		m.logAs("Debug", CategoryModel, fmt.Sprintf(TextAckHashUpdated, s.payload.Hash))
		m.emit(HashWritten{Hash: s.payload.Hash})
	} else {
		m.logError(TextHashWriteError, blobException(r))
	}
	m.release(s)
}

// finish ends a span, answers its admin request, releases the lock and lets the next waiter in.
func (m *Machine) finish(s *span, success bool, errText string, published bool) {
	s.stage = stageDone
	delete(m.spans, s.id)
	m.emit(SpanEvent{Span: s.id, Phase: SpanEnd, Background: s.background, Origin: s.origin,
		Success: success, Error: errText, Published: published, Hash: s.payload.Hash})
	if s.reqID != 0 {
		m.emit(Respond{ReqID: s.reqID, Response: SyncResponse(success, errText), Span: s.id})
	}
	m.release(s)
}

// release gives the lock to the next waiter, if s held it.
func (m *Machine) release(s *span) {
	if m.holder != s {
		return
	}
	m.holder = nil
	if len(m.waiting) > 0 {
		next := m.waiting[0]
		m.waiting = m.waiting[1:]
		m.holder = next
		m.enter(next)
	}
}
