package logs

import (
	"strings"
	"testing"
)

// TestClassify holds one message per template of real-host-contract.md section 6 that concerns
// start-up, the lease, sync triggers, the mesh, GetTriggers and auth, the callers' lines and the
// harness's texts.
func TestClassify(t *testing.T) {
	const fsm = "Microsoft.Azure.WebJobs.Script.WebHost.Management.FunctionsSyncManager"
	tests := []struct {
		category, message string
		kind              Kind
		side              Side
		args              map[string]string
	}{
		{"Host.Startup", "Starting Host (HostId=myapp, InstanceId=i1, Version=4.1036.1.23224, ProcessId=1, AppDomainId=1, InDebugMode=False, InDiagnosticMode=False, FunctionsExtensionVersion=~4)",
			KindHostStarting, SideHost, map[string]string{"hostId": "myapp", "instanceId": "i1", "version": "4.1036.1.23224", "extensionVersion": "~4"}},
		{"Host.Startup", "Starting Host (HostId=old, InstanceId=i2, Version=2.0.12050.0, ProcessId=1, AppDomainId=1, Debug=False, FunctionsExtensionVersion=~2)",
			KindHostStarting, SideHost, map[string]string{"hostId": "old", "version": "2.0.12050.0"}},
		{"Host.Startup", "Host started (412ms)", KindHostStarted, SideHost, map[string]string{"ms": "412"}},
		{"Host.Startup", "Host initialized (120ms)", KindHostInit, SideHost, map[string]string{"ms": "120"}},
		{"Host.General", "Initializing Host. OperationId: 'op1'.", KindHostInit, SideHost, map[string]string{"operationId": "op1"}},
		{"Host.General", "Host initialization: ConsecutiveErrors=0, StartupCount=1, OperationId=op1", KindHostInit, SideHost, map[string]string{"attempts": "0"}},
		{"Host.General", "Building host: version spec: ~4, startup suppressed: 'False', configuration suppressed: 'False', startup operation id: 'x'", KindHostInit, SideHost, map[string]string{"version": "~4"}},
		{"Host.General", "Host is in standby mode. OperationId: 'op1'.", KindHostStandby, SideHost, nil},
		{"Host.Startup", "Job host started", KindHostInit, SideHost, nil},
		{"Host.Startup", "Job host stopped", KindHostStopping, SideHost, nil},
		{"Microsoft.Azure.WebJobs.Hosting.JobHostService", "Stopping JobHost", KindHostStopping, SideHost, nil},
		{"Host.Startup", "Stopping ScriptHost instance 'a1b2c3'.", KindHostStopping, SideHost, map[string]string{"instanceId": "a1b2c3"}},
		{"Host.Startup", "Host id explicitly set in configuration. This is not a recommended configuration and may lead to unexpected behavior.", KindHostIDSet, SideHost, nil},
		{"Host.Startup", "3 functions loaded", KindFunctionsFound, SideHost, map[string]string{"count": "3"}},
		{"Host.Startup", "Generating 2 job function(s)", KindFunctionsFound, SideHost, map[string]string{"count": "2"}},
		{"Microsoft.Azure.WebJobs.Script.WebHost.Middleware.HostnameFixupMiddleware", "HostName updated from 'a.azurewebsites.net' to 'b.azurewebsites.net'", KindHostNameUpdate, SideHost, map[string]string{"from": "a.azurewebsites.net", "to": "b.azurewebsites.net"}},
		{"Host.General", "Host lock lease acquired by instance ID '00000000000000000000000076443FE3'.", KindLeaseAcquired, SideHost, map[string]string{"instance": "00000000000000000000000076443FE3"}},
		{"Host.General", "Failed to renew host lock lease: Another host has acquired the lease. The last successful renewal completed at 2018-09-20T09:10:36.019Z (12132 milliseconds ago) with a duration of 207 milliseconds.",
			KindLeaseRenewFailed, SideHost, map[string]string{"reason": "Another host has acquired the lease", "ms": "12132"}},
		{"Host.General", "Failed to renew host lock lease: The operation timed out. Please retry.", KindLeaseRenewFailed, SideHost, map[string]string{"reason": "The operation timed out"}},
		{"Host.Singleton", "Singleton lock renewal failed for blob 'locks/app/host' with error code 409: LeaseIdMismatchWithLeaseOperation. The last successful renewal completed at 2017-09-02T18:38:31.526Z (111006 milliseconds ago) with a duration of 57508 milliseconds. The lease period was 15000 milliseconds.",
			KindLeaseRenewFailed, SideHost, map[string]string{"status": "409", "ms": "111006", "blob": "locks/app/host"}},
		{"Host.Singleton", "Singleton lock renewal failed for blob 'locks/app/Functions.Timer.Listener' with error code 409.", KindUnknown, SideUnknown, nil},
		{"Host.General", "Host instance 'i1' failed to acquire host lock lease: One or more errors occurred.", KindLeaseAcquireFail, SideHost, map[string]string{"instance": "i1"}},
		{"Host.General", "Host instance 'i1' released lock lease.", KindLeaseReleased, SideHost, map[string]string{"instance": "i1"}},
		{"Host.General", "Initiating background SyncTriggers operation", KindBackgroundStart, SideHost, nil},
		{fsm, "Invalid environment for SyncTriggers operation.", KindInvalidEnvironment, SideHost, nil},
		{fsm, "No functions found. Skipping Sync operation.", KindNoFunctions, SideHost, nil},
		{fsm, "SyncTriggers hash (Last='a1', Current='b2')", KindHashChecked, SideHost, map[string]string{"last": "a1", "current": "b2"}},
		{fsm, "SyncTriggers hash (Last='', Current='b2')", KindHashChecked, SideHost, map[string]string{"current": "b2"}},
		{fsm, "Error checking SyncTriggers hash", KindHashReadError, SideHost, nil},
		{fsm, "SyncTriggers hash updated to 'b2'", KindHashUpdated, SideHost, map[string]string{"hash": "b2"}},
		{fsm, "Error updating SyncTriggers hash", KindHashWriteError, SideHost, nil},
		{fsm, "SyncTriggers payload of length '300000' exceeds max length of '204800'. Reverting to minimal format.", KindOversize, SideHost, map[string]string{"length": "300000"}},
		{fsm, "Making SyncTriggers request (RequestId=r1, Uri=https://x.azurewebsites.net/operations/settriggers, Content={\n  \"triggers\": [],\n  \"functions\": []\n}).",
			KindFrontEndRequest, SideHost, map[string]string{"requestId": "r1", "uri": "https://x.azurewebsites.net/operations/settriggers", "triggers": "0"}},
		{fsm, `Making SyncTriggers request (RequestId=r2, Uri=u, Content={"triggers":[{"type":"httpTrigger","name":"req"},{"type":"timerTrigger","schedule":"[0 */5]"}],"functions":[]}).`,
			KindFrontEndRequest, SideHost, map[string]string{"triggers": "2"}},
		{fsm, "SyncTriggers call succeeded.", KindFrontEndSucceeded, SideHost, nil},
		{fsm, "SyncTriggers call failed (StatusCode=ServiceUnavailable).", KindFrontEndFailed, SideHost, map[string]string{"status": "ServiceUnavailable"}},
		{fsm, "SyncTriggers operation failed.\nSystem.NullReferenceException: Object reference not set to an instance of an object.\n   at Foo()", KindSyncFailed, SideHost, map[string]string{"exception": "System.NullReferenceException"}},
		{fsm, "Failed to notify platform of triggers change.", KindNotifyFailed, SideHost, nil},
		{"Microsoft.Azure.WebJobs.Script.WebHost.Management.SignalBasedFunctionsSyncManager", "Failed to notify triggers changed.", KindNotifyFailed, SideHost, nil},
		{"Microsoft.Azure.WebJobs.Script.WebHost.Management.MeshServiceClient", "Posting triggers changed notification to appserver.", KindNotifyPlatform, SideHost, nil},
		{"Microsoft.Azure.WebJobs.Script.WebHost.Management.MeshServiceClient", "Sending mesh request update-triggers", KindMeshRequest, SideHost, map[string]string{"operation": "update-triggers"}},
		{"Microsoft.Azure.WebJobs.Script.WebHost.Management.MeshServiceClient", "Mesh response ServiceUnavailable", KindMeshResponse, SideHost, map[string]string{"status": "ServiceUnavailable"}},
		{fsm, "Invalid environment for GetTriggers operation.", KindGetTriggersFailed, SideHost, nil},
		{fsm, "GetTriggers operation failed.", KindGetTriggersFailed, SideHost, nil},
		{fsm, "No functions found in GetTriggers operation.", KindNoFunctions, SideHost, nil},
		{"Host.Authentication", "Token issuer validation failed for issuer 'https://evil'.", KindTokenInvalid, SideHost, map[string]string{"issuer": "https://evil"}},
		{"Host.Authentication", "Token audience validation failed for audience 'x'.", KindTokenInvalid, SideHost, map[string]string{"audience": "x"}},
		{"Host.Authentication", "Token validation failed.", KindTokenInvalid, SideHost, nil},
		{"", "Microsoft.WindowsAzure.Storage.StorageException: This request is not authorized to perform this operation.\n   at X()", KindStorageRefused, SideHost, map[string]string{"status": "403", "type": "Microsoft.WindowsAzure.Storage.StorageException"}},
		{"", "Azure.RequestFailedException: Server failed to authenticate the request.\nStatus: 401 (Server failed to authenticate the request.)\nErrorCode: AuthenticationFailed", KindStorageRefused, SideHost, map[string]string{"status": "401"}},
		{"", "The remote server returned an error: (403) Forbidden.", KindStorageRefused, SideHost, map[string]string{"status": "403"}},
		{"", "Azure.RequestFailedException: The specified container does not exist.\nStatus: 404 (The specified container does not exist.)", KindStorageError, SideHost, map[string]string{"status": "404"}},
		{"", "System.NullReferenceException : Object reference not set to an instance of an object.\n   at Foo.Bar()", KindException, SideHost, map[string]string{"type": "System.NullReferenceException"}},
		{"", "Syncing triggers...", KindCallerSyncing, SideCaller, nil},
		{"", "myapp: Syncing triggers (Attempt 2/6)...", KindCallerSyncing, SideCaller, map[string]string{"attempt": "2", "of": "6"}},
		{"", "Retry: 1 of 5", KindCallerSyncing, SideCaller, map[string]string{"attempt": "1", "of": "5"}},
		{"", "Error calling sync triggers (BadRequest). Request ID = 'fc70'.", KindCallerFailed, SideCaller, map[string]string{"status": "BadRequest", "requestId": "fc70"}},
		{"", "Error: Encountered an error (InternalServerError) from host runtime.", KindCallerFailed, SideCaller, map[string]string{"status": "InternalServerError"}},
		{"", "Encountered a retriable status code: 503. Message: 'Service Unavailable'.", KindCallerFailed, SideCaller, map[string]string{"status": "503"}},
		{"", "[POST]https://management.azure.com/subscriptions/***/resourceGroups/rg/providers/Microsoft.Web/sites/a/syncfunctiontriggers?api-version=2016-08-01", KindCallerRequest, SideCaller, nil},
		{"", "Syncing 2 function triggers with payload size 332 bytes successful.", KindCallerSucceeded, SideCaller, map[string]string{"count": "2"}},
		{"", "Functions in myapp:", KindCallerSucceeded, SideCaller, map[string]string{"site": "myapp"}},
		{"Syncsim.World", "Site settings (Site=myapp, HostId=h1, Mode=platform, FUNCTIONS_TRIGGERS_SYNC_SIGNAL_ENABLED=1, Extra=a b)",
			KindSiteSettings, SideHarness, map[string]string{"site": "myapp", "hostId": "h1", "mode": "platform", "FUNCTIONS_TRIGGERS_SYNC_SIGNAL_ENABLED": "1", "Extra": "a b"}},
		{"Syncsim.World", "Deployment completed (Site=myapp)", KindDeploy, SideHarness, map[string]string{"site": "myapp"}},
		{"Syncsim.World", "Instance deleted (scale in to 0)", KindInstanceDeleted, SideHarness, map[string]string{"reason": "scale in to 0"}},
		{"Syncsim.World", "System key 'durabletask_extension' created", KindKeyUpdated, SideHarness, map[string]string{"scope": "System", "name": "durabletask_extension"}},
		{"Syncsim.World", "Master key updated", KindKeyUpdated, SideHarness, map[string]string{"scope": "Master"}},
		{"Syncsim.Platform", "GET /admin/host/triggers failed (StatusCode=ServiceUnavailable); retrying", KindFetchFailed, SideHarness, map[string]string{"status": "ServiceUnavailable"}},
		{"Syncsim.Platform", "GET /admin/host/triggers abandoned after 600 s", KindFetchAbandoned, SideHarness, map[string]string{"seconds": "600"}},
		{"Syncsim.Platform", "Store holds revision 3", KindHarnessNote, SideHarness, nil},
		{"Syncsim.World", "Host started (12ms)", KindHarnessNote, SideHarness, nil},
		{"Host.General", "Something the catalogue does not know", KindUnknown, SideUnknown, nil},
	}
	for _, tt := range tests {
		ev := Classify(tt.category, "", tt.message)
		name := tt.message
		if len(name) > 50 {
			name = name[:50]
		}
		if ev.Kind != tt.kind || ev.Side != tt.side {
			t.Errorf("%q: kind %s side %q, want %s %q", name, ev.Kind, ev.Side, tt.kind, tt.side)
			continue
		}
		for k, v := range tt.args {
			if ev.Args[k] != v {
				t.Errorf("%q: arg %s=%q, want %q (args %v)", name, k, ev.Args[k], v, ev.Args)
			}
		}
		if ev.Kind != KindUnknown && (ev.Template == "" || ev.Source == "") {
			t.Errorf("%q: no template or source", name)
		}
		if ev.Side == SideHost && strings.Contains(ev.Source, "FunctionsSyncManager.cs") && !strings.Contains(ev.Source, "@") {
			t.Errorf("%q: source %q has no commit", name, ev.Source)
		}
	}
}

func TestStatusCode(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"ServiceUnavailable", 503, true}, {"BadRequest", 400, true}, {"InternalServerError", 500, true},
		{"TooManyRequests", 429, true}, {"OK", 200, true}, {"404", 404, true}, {" 503 ", 503, true},
		{"503 ServiceUnavailable", 503, true}, {"Forbidden (403)", 403, true},
		{"42", 42, false}, {"Teapot", 0, false}, {"", 0, false},
	}
	for _, tt := range tests {
		got, ok := StatusCode(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("StatusCode(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
