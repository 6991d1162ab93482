package host

import (
	"crypto/subtle"
	"errors"
	"time"
)

// Admin API paths (MSG-3, MSG-4).
const (
	PathTriggers     = "/admin/host/triggers"
	PathSyncTriggers = "/admin/host/synctriggers"
)

// HTTP status codes the admin API answers with (package host does not import net/http).
const (
	statusOK                 = 200
	statusUnauthorized       = 401
	statusForbidden          = 403
	statusMethodNotAllowed   = 405
	statusInternalError      = 500
	statusServiceUnavailable = 503
)

// HostNotRunningText is the body of a 503 from an admin endpoint that needs a running host.
const HostNotRunningText = "Function host is not running."

const (
	contentTypeJSON = "application/json"
	contentTypeText = "text/plain; charset=utf-8"
)

// AdminRequest is one request to the host's admin API. Header names are case-insensitive.
type AdminRequest struct {
	Method, Path string
	Headers      map[string]string
	Body         []byte
}

// AdminResponse is the admin API's answer.
type AdminResponse struct {
	Status  int
	Body    []byte
	Headers map[string]string
}

// ServeTriggers answers MSG-3 (HOST-1): 405 for a method other than GET, 503 while the host is not
// running, 401 for a missing or invalid token (TOK-5; site.EncryptionKey via ParseKey, and an
// unusable key rejects every token), 403 for a valid token without the platform claim, else 200 with
// build()'s body. The admin key is not enough (TOK-6): x-functions-key is never consulted. build runs
// only for a 200, so a rejected request never computes, or sees, the secrets.
func ServeTriggers(now time.Time, site Site, req AdminRequest, running bool, build func() Payload) AdminResponse {
	return serveTriggers(now, site, req, running, build, referenceSeams)
}

// referenceSeams are the reference decisions, for the checks package host offers without a machine.
var referenceSeams = Seams{}.withReference()

// serveTriggers is ServeTriggers with the decisions of sm (TOK-4, TOK-5).
func serveTriggers(now time.Time, site Site, req AdminRequest, running bool, build func() Payload, sm Seams) AdminResponse {
	if req.Method != "GET" {
		return AdminResponse{Status: statusMethodNotAllowed, Headers: map[string]string{"Allow": "GET"}}
	}
	if !running {
		return HostNotRunningResponse()
	}
	claims, err := validateRequestToken(now, site, req, sm.AudienceMatch)
	if err != nil {
		return AdminResponse{Status: statusUnauthorized}
	}
	if !sm.GrantsPlatform(site, claims) {
		return AdminResponse{Status: statusForbidden}
	}
	return AdminResponse{
		Status:  statusOK,
		Body:    build().Body,
		Headers: map[string]string{"Content-Type": contentTypeJSON},
	}
}

// AuthorizeSync decides whether a MSG-4 request may run a foreground sync (HOST-2): the admin key
// (x-functions-key equal to keys.Master, TOK-6) or any valid TOK-5 token. It returns 0 when the
// request is authorized, 405 for a method other than POST, else 401. An empty master key matches
// nothing.
func AuthorizeSync(now time.Time, site Site, keys Keys, req AdminRequest) int {
	return authorizeSync(now, site, keys, req, referenceSeams)
}

// authorizeSync is AuthorizeSync with the decisions of sm (TOK-5, HOST-2).
func authorizeSync(now time.Time, site Site, keys Keys, req AdminRequest, sm Seams) int {
	if req.Method != "POST" {
		return statusMethodNotAllowed
	}
	if given := header(req.Headers, "x-functions-key"); given != "" && keys.Master != "" &&
		subtle.ConstantTimeCompare([]byte(given), []byte(keys.Master)) == 1 {
		return 0
	}
	if _, err := validateRequestToken(now, site, req, sm.AudienceMatch); err != nil {
		return statusUnauthorized
	}
	return 0
}

// ValidateRequestToken checks an admin request's token against the site's key as the reference
// host does (TOK-5), and returns its claims.
func ValidateRequestToken(now time.Time, site Site, req AdminRequest) (TokenClaims, error) {
	return validateRequestToken(now, site, req, containsFold)
}

// validateRequestToken checks a request's token against the site's key (TOK-5). The host takes two
// signing keys from the one setting (Security/SecretsUtility.cs@89dc438#GetTokenIssuerSigningKeys,
// l.88-100): the key's bytes as TOK-1 reads them, and the value's raw UTF-8 bytes. An absent key
// rejects every token; a key TOK-1 cannot read leaves only its UTF-8 bytes.
// audience is TOK-5's audience comparison (Seams.AudienceMatch).
func validateRequestToken(now time.Time, site Site, req AdminRequest, audience func([]string, string) bool) (TokenClaims, error) {
	token := TokenFromHeaders(req.Headers)
	key, err := ParseKey(site.EncryptionKey)
	if err != nil {
		key = nil
	}
	claims, err := validateHostToken(key, site.Name, token, now, audience)
	if err == nil || site.EncryptionKey == "" || !errors.Is(err, ErrTokenInvalid) {
		return claims, err
	}
	if c, err2 := validateHostToken([]byte(site.EncryptionKey), site.Name, token, now, audience); err2 == nil {
		return c, nil
	}
	return claims, err
}

// SyncResponse is MSG-4's answer to a finished sync: 200 {"status":"success"}, or 500 with the sync's
// error text as the status. Error texts are SYNC-7's fixed texts and hold no secret (PAY-4).
func SyncResponse(success bool, errText string) AdminResponse {
	status, text := statusOK, "success"
	if !success {
		status, text = statusInternalError, errText
	}
	return AdminResponse{
		Status: status,
		Body: encodeJSON(struct {
			Status string `json:"status"`
		}{text}),
		Headers: map[string]string{"Content-Type": contentTypeJSON},
	}
}

// HostNotRunningResponse is the 503 of an admin endpoint that needs a running host: MSG-3 at once,
// MSG-4 after waiting 30 s ([RequiresRunningHost]).
func HostNotRunningResponse() AdminResponse {
	return AdminResponse{
		Status:  statusServiceUnavailable,
		Body:    []byte(HostNotRunningText),
		Headers: map[string]string{"Content-Type": contentTypeText},
	}
}
