package host

import (
	"strconv"
	"time"
)

// Admin handles a request routed to this instance: MSG-3 (GET /admin/host/triggers) is answered at
// once; MSG-4 (POST /admin/host/synctriggers) runs a foreground sync and is answered when it ends,
// or with 503 when the host is not running within AdminWait.
func (m *Machine) Admin(now time.Time, reqID int, req AdminRequest) []Effect {
	m.now = now
	return m.cfg.Wrapper.Admin(m, now, reqID, req, func() []Effect {
		switch req.Path {
		case PathTriggers:
			m.serveTriggers(reqID, req)
		case PathSyncTriggers:
			m.syncTriggers(reqID, req)
		default:
			m.emit(Respond{ReqID: reqID, Response: AdminResponse{Status: 404, Body: []byte(`{"status":"not found"}`)}})
		}
		return m.take()
	})
}

// MSG-3 (FunctionsSyncManager.cs#GetTriggersAsync, PR #11021, after @89dc438): the body is exactly what a sync would publish now (SYNC-3 clears the secrets cache first).
func (m *Machine) serveTriggers(reqID int, req AdminRequest) {
	m.emit(Point{Name: "mid-fetch"})
	revision := 0
	var served Payload
	resp := serveTriggers(m.now, m.cfg.Site, req, m.running, func() Payload {
		served, revision = m.buildPayload()
		return served
	}, m.cfg.Seams)
	if why := m.secretsError(); why != "" && resp.Status == 200 {
		// The secrets reload throws before the payload is built: the controller answers 500.
		m.logError(TextGetTriggersFailed, Exception("Azure.RequestFailedException", why))
		resp, served, revision = AdminResponse{Status: 500, Body: []byte(`{"status":"GetTriggers operation failed."}`)}, Payload{}, 0
	}
	m.emit(Respond{ReqID: reqID, Response: resp, Revision: revision})
	if resp.Status == 200 && m.cfg.Mode == ModePlatformAck {
		m.ackFetch(served)
	}
}

// MSG-4 (HostController.cs#SyncTriggers @89dc438), with TOK-6's admin key or a TOK-5 token.
func (m *Machine) syncTriggers(reqID int, req AdminRequest) {
	keys, _ := m.cfg.Secrets()
	if status := m.authorizeSync(keys, req); status != 0 {
		m.emit(Respond{ReqID: reqID, Response: AdminResponse{Status: status}})
		return
	}
	if m.running && !m.cfg.Seams.AdminSyncRuns(m.primary, m.holder != nil) {
		// Success without a sync of its own.
		m.emit(Respond{ReqID: reqID, Response: SyncResponse(true, "")})
		return
	}
	if !m.running {
		m.admins = append(m.admins, pendingAdmin{id: reqID, req: req})
		m.emit(SetTimer{Key: timerAdminWait + strconv.Itoa(reqID), After: m.cfg.AdminWait})
		return
	}
	m.startAdminSync(reqID)
}

// authorizeSync is AuthorizeSync with the machine's decisions (TOK-5, HOST-2).
func (m *Machine) authorizeSync(keys Keys, req AdminRequest) int {
	return authorizeSync(m.now, m.cfg.Site, keys, req, m.cfg.Seams)
}

func (m *Machine) startAdminSync(reqID int) {
	m.call(false, "admin", reqID)
}

func (m *Machine) adminWaitExpired(reqID int) {
	for i, p := range m.admins {
		if p.id == reqID {
			m.admins = append(m.admins[:i], m.admins[i+1:]...)
			m.emit(Respond{ReqID: reqID, Response: HostNotRunningResponse()})
			return
		}
	}
}
