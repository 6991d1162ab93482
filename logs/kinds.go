package logs

// The kinds of event the catalogue knows. Host kinds are upstream templates
// (../shared/reference/real-host-contract.md section 6); caller kinds are the admin API caller's
// lines; harness kinds are syncsim's world and reference platform (category Syncsim.*).
const (
	KindUnknown Kind = "unknown"

	// Host start-up and lifecycle.
	KindHostStarting   Kind = "host.starting"    // Starting Host (HostId=, InstanceId=, Version=, ...): hostId, instanceId, version
	KindHostStarted    Kind = "host.started"     // Host started ({ms}ms): ms
	KindHostInit       Kind = "host.initialized" // Host initialized ({ms}ms), Initializing Host, Building host, Job host started
	KindHostStandby    Kind = "host.standby"     // Host is in standby mode (placeholder)
	KindHostStopping   Kind = "host.stopping"    // Stopping JobHost, Job host stopped, Host shutdown
	KindHostIDSet      Kind = "host.hostid-set"  // Host id explicitly set in configuration (EventId 400)
	KindFunctionsFound Kind = "host.functions"   // {count} functions loaded / Generating {n} job function(s): count
	KindHostNameUpdate Kind = "host.hostname"    // HostName updated from '{0}' to '{1}': from, to

	// Primary host lease (PrimaryHostCoordinator).
	KindLeaseAcquired    Kind = "lease.acquired"     // Host lock lease acquired by instance ID '{id}': instance
	KindLeaseRenewFailed Kind = "lease.renew-failed" // Failed to renew host lock lease: {reason}: reason, ms (ms ago, when stolen)
	KindLeaseReleased    Kind = "lease.released"     // Host instance '{id}' released lock lease: instance
	KindLeaseAcquireFail Kind = "lease.acquire-failed"

	// Sync triggers (FunctionsSyncManager, FunctionsSyncService, MeshServiceClient).
	KindBackgroundStart    Kind = "sync.background"      // Initiating background SyncTriggers operation
	KindInvalidEnvironment Kind = "sync.invalid-env"     // Invalid environment for SyncTriggers operation.
	KindNoFunctions        Kind = "sync.no-functions"    // No functions found. Skipping Sync operation.
	KindHashChecked        Kind = "sync.hash"            // SyncTriggers hash (Last='', Current=''): last, current
	KindHashReadError      Kind = "sync.hash-read-error" // Error checking SyncTriggers hash
	KindHashUpdated        Kind = "sync.hash-updated"    // SyncTriggers hash updated to '{hash}': hash
	KindHashWriteError     Kind = "sync.hash-write-error"
	KindOversize           Kind = "sync.oversize"          // payload of length '{n}' exceeds max length: length
	KindFrontEndRequest    Kind = "sync.request"           // Making SyncTriggers request (RequestId=, Uri=, Content=): requestId, uri, content, triggers ("0" when the content's triggers array is empty)
	KindFrontEndSucceeded  Kind = "sync.request-succeeded" // SyncTriggers call succeeded.
	KindFrontEndFailed     Kind = "sync.request-failed"    // SyncTriggers call failed (StatusCode=): status
	KindSyncFailed         Kind = "sync.failed"            // SyncTriggers operation failed. (+ exception): exception
	KindNotifyFailed       Kind = "sync.notify-failed"     // Failed to notify platform of triggers change. (#11813) / Failed to notify triggers changed. (#11690)
	KindNotifyPlatform     Kind = "sync.notify"            // Posting triggers changed notification to appserver.
	KindMeshRequest        Kind = "mesh.request"           // Sending mesh request {operation}: operation
	KindMeshResponse       Kind = "mesh.response"          // Mesh response {status}: status
	KindGetTriggersFailed  Kind = "api.get-triggers-failed"
	KindTokenInvalid       Kind = "auth.token-invalid" // Token ... validation failed: reason

	// Failures the host surfaces as exceptions.
	KindStorageRefused Kind = "storage.refused" // This request is not authorized..., Status: 403/401, AuthorizationFailure: status
	KindStorageError   Kind = "storage.error"   // another RequestFailedException / StorageException: status
	KindException      Kind = "exception"       // any other exception with a stack: type

	// The caller's side (Core Tools, VS Code, Azure Pipelines, Kudu).
	KindCallerSyncing   Kind = "caller.syncing"   // Syncing triggers... / (Attempt n/m): attempt, of
	KindCallerFailed    Kind = "caller.failed"    // Error calling sync triggers (BadRequest). / InternalServerError: status
	KindCallerSucceeded Kind = "caller.succeeded" // the caller's success line, a Kudu step answering 200
	KindCallerRequest   Kind = "caller.request"   // a Kudu step or ##[debug] line naming admin/host/synctriggers: uri, status, site

	// The harness's own lines (category Syncsim.*): no upstream host writes them.
	KindSiteSettings    Kind = "harness.settings"         // Site settings (Site=, HostId=, Mode=, FUNCTIONS_NOTIFY_PLATFORM_ON_SYNC=, ...): site, hostId, mode
	KindDeploy          Kind = "harness.deploy"           // Deployment completed (Site=): site
	KindInstanceDeleted Kind = "harness.instance-deleted" // Instance deleted ({reason}): reason
	KindKeyUpdated      Kind = "harness.key-updated"      // Host key 'x' updated: scope, name
	KindFetchFailed     Kind = "harness.fetch-failed"     // GET /admin/host/triggers failed (StatusCode=): status
	KindFetchAbandoned  Kind = "harness.fetch-abandoned"  // GET /admin/host/triggers abandoned after {n} s: seconds
	KindHarnessNote     Kind = "harness.note"             // any other Syncsim.* line
)
