package host

import "strconv"

// dotnetStatusNames are HttpStatusCode names as the host writes them into SYNC-7's text.
var dotnetStatusNames = map[int]string{
	200: "OK", 201: "Created", 202: "Accepted", 204: "NoContent",
	400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 405: "MethodNotAllowed",
	408: "RequestTimeout", 409: "Conflict", 412: "PreconditionFailed", 413: "RequestEntityTooLarge",
	415: "UnsupportedMediaType", 429: "TooManyRequests",
	500: "InternalServerError", 501: "NotImplemented", 502: "BadGateway", 503: "ServiceUnavailable",
	504: "GatewayTimeout",
}

// StatusName is the .NET HttpStatusCode name of a status; unnamed codes render as the number, as .NET does.
func StatusName(code int) string {
	if n, ok := dotnetStatusNames[code]; ok {
		return n
	}
	return strconv.Itoa(code)
}

// SYNC-7's failure texts (FunctionsSyncManager.cs#SetTriggersAsync, #TrySyncTriggersAsync @89dc438)
// and SYNC-1's gate text, exactly as the host writes them.
const (
	// ErrTextInvalidEnvironment is Warning, FunctionsSyncManager's category
	// (src/WebJobs.Script.WebHost/Management/FunctionsSyncManager.cs@89dc438:104-106).
	ErrTextInvalidEnvironment = "Invalid environment for SyncTriggers operation."
	// ErrTextMeshFailed is Error, SignalBasedFunctionsSyncManager's category
	// (Management/SignalBasedFunctionsSyncManager.cs@da2ac2a:55-56, stored; PR #11690).
	ErrTextMeshFailed = "Failed to notify triggers changed."
	// ErrTextOperationFailed is Error with the exception
	// (src/WebJobs.Script.WebHost/Management/FunctionsSyncManager.cs@89dc438:158-160).
	ErrTextOperationFailed = "SyncTriggers operation failed."
)

// FrontEndFailureText is SYNC-7's text for a non-2xx answer of the front end
// (src/WebJobs.Script.WebHost/Management/FunctionsSyncManager.cs@89dc438:782-783: Debug upstream; the
// model logs it at Error, FIDELITY.md SYNC-7).
func FrontEndFailureText(code int) string {
	return "SyncTriggers call failed (StatusCode=" + StatusName(code) + ")."
}
