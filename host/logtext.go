package host

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"time"
)

// The host's log lines in the real host's words: every template, level and category below is
// upstream's, cited path@commit:line (H = Azure/azure-functions-host@89dc438, S =
// Azure/azure-webjobs-sdk@f79ea0b, the commits ../shared/reference/real-host-contract.md section 6
// reads). Lines that no upstream host writes are the model's own and carry CategoryModel; FIDELITY.md
// lists them.

// Log categories, as upstream's loggers name them.
const (
	// CategoryStartup is the ScriptHost's logger: S src/Microsoft.Azure.WebJobs.Host/Loggers/Logger/
	// Constants/LogCategories.cs@f79ea0b:22 (`LogCategories.Startup`), created at H
	// src/WebJobs.Script/Host/ScriptHost.cs@89dc438:145.
	CategoryStartup = "Host.Startup"
	// CategoryGeneral is the primary host coordinator's and FunctionsSyncService's logger: S
	// LogCategories.cs@f79ea0b:16 (`LogCategories.HostGeneral`), H
	// src/WebJobs.Script/ScriptConstants.cs@89dc438:61; used at S
	// src/Microsoft.Azure.WebJobs.Host/Hosting/PrimaryHostCoordinator.cs@f79ea0b:67 and H
	// src/WebJobs.Script.WebHost/FunctionsSyncService.cs@89dc438:35.
	CategoryGeneral = "Host.General"
	// CategorySyncManager is `ILogger<FunctionsSyncManager>`: H
	// src/WebJobs.Script.WebHost/Management/FunctionsSyncManager.cs@89dc438:71.
	CategorySyncManager = "Microsoft.Azure.WebJobs.Script.WebHost.Management.FunctionsSyncManager"
	// CategorySignalSyncManager is PR #11690's `ILogger<SignalBasedFunctionsSyncManager>`
	// (Management/SignalBasedFunctionsSyncManager.cs@da2ac2a, stored): the base class logs under the
	// subclass's category too, so every sync-manager line of the modes built on it uses it.
	CategorySignalSyncManager = "Microsoft.Azure.WebJobs.Script.WebHost.Management.SignalBasedFunctionsSyncManager"
	// CategoryMeshClient is `ILogger<MeshServiceClient>`: H
	// src/WebJobs.Script.WebHost/Management/MeshServiceClient.cs@89dc438:30.
	CategoryMeshClient = "Microsoft.Azure.WebJobs.Script.WebHost.Management.MeshServiceClient"
	// CategoryModel marks a line of the host model that no upstream host writes (FIDELITY.md, "Lines
	// of the harness").
	CategoryModel = "Syncsim.Host"
)

// Start-up (H src/WebJobs.Script/Diagnostics/Extensions/ScriptHostLoggerExtension.cs@89dc438).
const (
	// TextStartingHost is EventId 401, Information, Host.Startup (l.138-143; logged at
	// ScriptHost.cs@89dc438:357): HostId, InstanceId, Version, ProcessId, AppDomainId, InDebugMode,
	// InDiagnosticMode, FunctionsExtensionVersion.
	TextStartingHost = "Starting Host (HostId=%s, InstanceId=%s, Version=%s, ProcessId=%d, AppDomainId=%d, InDebugMode=False, InDiagnosticMode=False, FunctionsExtensionVersion=~4)"
	// TextHostStarted is EventId 413, Information, Host.Startup (l.85-89; ScriptHost.cs@89dc438:1064).
	TextHostStarted = "Host started (%dms)"
	// TextStoppingHost is EventId 415, Debug, Host.Startup (l.97-101; ScriptHost.cs@89dc438:1069).
	TextStoppingHost = "Stopping ScriptHost instance '%s'."
	// HostVersion is the host version the model reports: the release of H@89dc438 ("Host release
	// prep 4.1037.0"), as ScriptHost.Version's assembly file version spells it.
	HostVersion = "4.1037.0.0"
)

// The primary lease (S src/Microsoft.Azure.WebJobs.Host/Loggers/Logger/LoggerExtensions.cs@f79ea0b;
// PrimaryHostCoordinator.cs@f79ea0b), all at Host.General.
const (
	// TextLeaseAcquired is EventId 337, Information (l.95-99; PrimaryHostCoordinator.cs:156).
	TextLeaseAcquired = "Host lock lease acquired by instance ID '%s'."
	// TextLeaseRenewFailed is EventId 334, Information (l.77-81; PrimaryHostCoordinator.cs:172) with
	// the reason a failed renewal gives (PrimaryHostCoordinator.cs:134-139): the last successful
	// renewal's completion (yyyy-MM-ddTHH:mm:ss.FFFZ), milliseconds since then, and its duration.
	TextLeaseRenewFailed = "Failed to renew host lock lease: Another host has acquired the lease. The last successful renewal completed at %s (%d milliseconds ago) with a duration of %d milliseconds."
	// TextLeaseAcquireFailed is EventId 335, Debug (l.83-87; PrimaryHostCoordinator.cs:176): an
	// acquisition that threw, with the flattened exception as the reason.
	TextLeaseAcquireFailed = "Host instance '%s' failed to acquire host lock lease: %s"
)

// The background sync service and the sync manager (H src/WebJobs.Script.WebHost/...@89dc438).
const (
	// TextBackgroundSync is Debug, Host.General (FunctionsSyncService.cs:74).
	TextBackgroundSync = "Initiating background SyncTriggers operation"
	// TextNoFunctions is Debug (Management/FunctionsSyncManager.cs:132).
	TextNoFunctions = "No functions found. Skipping Sync operation."
	// TextHashCompared is Debug (FunctionsSyncManager.cs:254): last, current.
	TextHashCompared = "SyncTriggers hash (Last='%s', Current='%s')"
	// TextHashReadError is Error, with the exception (FunctionsSyncManager.cs:267).
	TextHashReadError = "Error checking SyncTriggers hash"
	// TextHashUpdated is Debug (FunctionsSyncManager.cs:285).
	TextHashUpdated = "SyncTriggers hash updated to '%s'"
	// TextHashWriteError is Error, with the exception (FunctionsSyncManager.cs:290).
	TextHashWriteError = "Error updating SyncTriggers hash"
	// TextOversize is Warning (FunctionsSyncManager.cs:406; ScriptConstants.MaxTriggersStringLength).
	TextOversize = "SyncTriggers payload of length '%d' exceeds max length of '204800'. Reverting to minimal format."
	// TextRequest is Debug (FunctionsSyncManager.cs:771): RequestId, Uri, Content.
	TextRequest = "Making SyncTriggers request (RequestId=%s, Uri=%s, Content=%s)."
	// TextCallSucceeded is Debug (FunctionsSyncManager.cs:777).
	TextCallSucceeded = "SyncTriggers call succeeded."
	// TextNotifyPlatformFailed is PR #11813's swallowed mesh failure in the additive mode, Warning,
	// FunctionsSyncManager's category (edf7213, per its review; the exact call is not readable).
	TextNotifyPlatformFailed = "Failed to notify platform of triggers change."
	// TextPostingNotification is PR #11690's MeshServiceClient line, Debug (its review thread).
	TextPostingNotification = "Posting triggers changed notification to appserver."
	// TextMeshRequest is Debug, MeshServiceClient (Management/MeshServiceClient.cs:145).
	TextMeshRequest = "Sending mesh request %s"
	// TextMeshResponse is Debug, MeshServiceClient (MeshServiceClient.cs:156), the status's .NET name.
	TextMeshResponse = "Mesh response %s"
	// TextGetTriggersFailed is Error, with the exception (FunctionsSyncManager.cs@57650fb:819-820,
	// stored).
	TextGetTriggersFailed = "GetTriggers operation failed."
)

// The model's own lines (category Syncsim.Host): no upstream host writes them; FIDELITY.md lists them.
const (
	// TextNotPrimary: a non-primary's background timer did nothing (upstream is silent).
	TextNotPrimary = "Skipping background SyncTriggers operation: not the primary host"
	// TextPlaceholderSkip: PR #11874's guard skipped a sync while the active host is the placeholder.
	TextPlaceholderSkip = "Skipping SyncTriggers: the active host is a placeholder."
	// TextNoStorage: SYNC-4's no-storage short-circuit (upstream returns silently).
	TextNoStorage = "No storage configured. Skipping background SyncTriggers operation."
	// TextPlatformNotification: the platform modes' publish step begins.
	TextPlatformNotification = "Performing platform triggers changed notification."
	// TextAckHashUpdated: platform-ack's hash write after a served MSG-3 (a design of PROTOCOL.md).
	TextAckHashUpdated = "SyncTriggers hash updated to '%s' (platform fetch served)"
)

// Exception names what a .NET host would log as the exception of an Error line: `Type: message`.
func Exception(typ, message string) string { return typ + ": " + message }

// blobException is the exception of a failed storage call as the Azure SDK names it: the status and
// the error code, or the timeout of a call that got no answer.
func blobException(r BlobResult) string {
	if r.Status == 0 {
		return Exception("System.Threading.Tasks.TaskCanceledException", "The operation was canceled.")
	}
	msg := "Status: " + strconv.Itoa(r.Status)
	if r.Code != "" {
		msg += ", ErrorCode: " + r.Code
	}
	return Exception("Azure.RequestFailedException", msg)
}

// keyException is the exception SecretsUtility throws for a WEBSITE_AUTH_ENCRYPTION_KEY it cannot
// use (Security/SecretsUtility.cs@89dc438:55-86): none at all, or one ToKeyBytes cannot read. The
// key's value is never part of it (PAY-4).
func keyException(key string) string {
	switch {
	case key == "":
		return Exception("System.InvalidOperationException", "No encryption key defined in the environment.")
	case len(key) == 64:
		return Exception("System.FormatException", "Could not find any recognizable digits.")
	}
	return Exception("System.FormatException", "The input is not a valid Base-64 string as it contains a non-base 64 character, more than two padding characters, or an illegal character among the padding characters.")
}

// startingHost is TextStartingHost for this instance's host start: a new ScriptHost instance id on
// every start (ScriptOptions.InstanceId), the process id of the container's one host process, and
// AppDomainId 1 (.NET has one AppDomain).
func (m *Machine) startingHost(instanceID string) string {
	return fmt.Sprintf(TextStartingHost, m.cfg.Site.HostID, instanceID, HostVersion, m.processID(), 1)
}

// processID is a stable process id for the container: it is the same across in-place restarts,
// as the web host process is.
func (m *Machine) processID() int {
	h := fnv.New32a()
	h.Write([]byte(m.cfg.ContainerName))
	return 20 + int(h.Sum32()%32000)
}

// leaseRenewFailed is TextLeaseRenewFailed at now for the last successful renewal (or acquisition):
// when it completed and how long it took.
func leaseRenewFailed(now, lastDone time.Time, lastTook time.Duration) string {
	return fmt.Sprintf(TextLeaseRenewFailed, netRoundTrip(lastDone), int(now.Sub(lastDone)/time.Millisecond), int(lastTook/time.Millisecond))
}

// netRoundTrip formats t as .NET's "yyyy-MM-ddTHH:mm:ss.FFFZ": milliseconds with trailing zeros
// dropped (and the dot with them).
func netRoundTrip(t time.Time) string {
	t = t.UTC()
	s := t.Format("2006-01-02T15:04:05")
	ms := t.Nanosecond() / int(time.Millisecond)
	if ms != 0 {
		f := strconv.Itoa(1000 + ms)[1:]
		for f[len(f)-1] == '0' {
			f = f[:len(f)-1]
		}
		s += "." + f
	}
	return s + "Z"
}
