package logs

import (
	"regexp"
	"strconv"
	"strings"
)

// Citations. H is Azure/azure-functions-host@89dc438 (the commit ../shared/reference/real-host-contract.md
// reads, section 6), S is Azure/azure-webjobs-sdk@f79ea0b, CT is Azure/azure-functions-core-tools@3ee97a6.
const (
	srcSyncManagerPath = "src/WebJobs.Script.WebHost/Management/FunctionsSyncManager.cs"
	srcSyncManager     = srcSyncManagerPath + "@89dc438"
	srcSyncService     = "src/WebJobs.Script.WebHost/FunctionsSyncService.cs@89dc438"
	srcMesh            = "src/WebJobs.Script.WebHost/Management/MeshServiceClient.cs@89dc438"
	srcHostLog         = "src/WebJobs.Script/Diagnostics/Extensions/ScriptHostLoggerExtension.cs@89dc438"
	srcServiceLog      = "src/WebJobs.Script.WebHost/Diagnostics/Extensions/ScriptHostServiceLoggerExtension.cs@89dc438"
	srcLoaderLog       = "src/WebJobs.Script/Diagnostics/Extensions/LoggerExtension.cs@89dc438"
	srcSDKLog          = "azure-webjobs-sdk:src/Microsoft.Azure.WebJobs.Host/Loggers/Logger/LoggerExtensions.cs@f79ea0b"
	srcSDKLease        = "azure-webjobs-sdk:src/Microsoft.Azure.WebJobs.Host.Storage/Singleton/BlobLeaseDistributedLockManager.cs@f79ea0b"
	srcJwt             = "src/WebJobs.Script.WebHost/Security/Authentication/Jwt/ScriptJwtBearerExtensions.cs@89dc438"
	srcCorePublish     = "azure-functions-core-tools:src/Cli/func/Actions/AzureActions/PublishFunctionAppAction.cs@3ee97a6"
	srcCoreRetry       = "azure-functions-core-tools:src/Cli/func/Helpers/RetryHelper.cs@3ee97a6"
	srcVSCode          = "vscode-azuretools:appservice/src/deploy/syncTriggersPostDeploy.ts"
	srcKudu            = "Kudu trace (<step> element naming admin/host/synctriggers)"
	srcHarness         = "syncsim"
)

// rule is one template of the catalogue: re matches the message's first line (or the whole message
// when multiline is set); the named groups of re become Args.
type rule struct {
	kind      Kind
	side      Side
	template  string
	source    string
	re        *regexp.Regexp
	multiline bool
	// post refines the event from the whole message (content of a request, reason of a lease loss).
	post func(ev *Event, msg string)
}

func r(kind Kind, side Side, template, source, pattern string) rule {
	return rule{kind: kind, side: side, template: template, source: source, re: regexp.MustCompile(pattern)}
}

// hostRules are the upstream templates (real-host-contract.md section 6). Patterns accept older
// hosts' variants of a template where they are known (`Debug=False` in place of `InDebugMode=`).
var hostRules = []rule{
	r(KindHostStarting, SideHost, "Starting Host (HostId={hostId}, InstanceId={instanceId}, Version={version}, ProcessId={processId}, AppDomainId={appDomainId}, InDebugMode={inDebugMode}, InDiagnosticMode={inDiagnosticMode}, FunctionsExtensionVersion={extensionVersion})",
		srcHostLog+":141-143", `^Starting Host \((?P<params>.*?)\)?$`),
	r(KindHostStarted, SideHost, "Host started ({ms}ms)", srcHostLog+":89", `^Host started \((?P<ms>\d+)ms\)`),
	r(KindHostInit, SideHost, "Host initialized ({ms}ms)", srcHostLog+":83", `^Host initialized \((?P<ms>\d+)ms\)`),
	r(KindHostInit, SideHost, "Initializing Host. OperationId: '{operationId}'.", srcServiceLog+":37", `^Initializing Host\.(?: OperationId: '(?P<operationId>[^']*)')?`),
	r(KindHostInit, SideHost, "Host initialization: ConsecutiveErrors={attemptCount}, StartupCount={startCount}, OperationId={operationId}", srcServiceLog+":43", `^Host initialization: ConsecutiveErrors=(?P<attempts>\d+), StartupCount=(?P<startCount>\d+)`),
	r(KindHostInit, SideHost, "Building host: version spec: {functionsExtensionVersion}, ...", srcServiceLog+":97", `^Building host: version spec: (?P<version>[^,]*)`),
	r(KindHostInit, SideHost, "Job host started", "azure-webjobs-sdk:src/Microsoft.Azure.WebJobs.Host/JobHost.cs@f79ea0b:103-104", `^Job host started$`),
	r(KindHostInit, SideHost, "Starting JobHost", "azure-webjobs-sdk:src/Microsoft.Azure.WebJobs.Host/Hosting/JobHostService.cs@f79ea0b:25", `^Starting JobHost$`),
	r(KindHostInit, SideHost, "Loading functions metadata", srcLoaderLog+":87", `^Loading functions metadata$`),
	r(KindHostStandby, SideHost, "Host is in standby mode. OperationId: '{operationId}'.", srcServiceLog+":49", `^Host is in standby mode`),
	r(KindHostStopping, SideHost, "Stopping ScriptHost instance '{instanceId}'.", srcHostLog+":97-101", `^Stopping ScriptHost instance '(?P<instanceId>[^']*)'\.?$`),
	r(KindHostStopping, SideHost, "Stopping JobHost", "azure-webjobs-sdk:src/Microsoft.Azure.WebJobs.Host/Hosting/JobHostService.cs@f79ea0b:31", `^Stopping JobHost$`),
	r(KindHostStopping, SideHost, "Job host stopped", "azure-webjobs-sdk:src/Microsoft.Azure.WebJobs.Host/JobHost.cs@f79ea0b:142", `^Job host stopped$`),
	r(KindHostStopping, SideHost, "Stopping host...", srcServiceLog+":61", `^Stopping host\.\.\.`),
	r(KindHostStopping, SideHost, "Host shutdown completed.", srcServiceLog+":73", `^Host shutdown completed\.`),
	r(KindHostIDSet, SideHost, "Host id explicitly set in configuration. This is not a recommended configuration and may lead to unexpected behavior.", srcHostLog+":17", `^Host id explicitly set in configuration`),
	r(KindFunctionsFound, SideHost, "{count} functions loaded", srcLoaderLog+":92", `^(?P<count>\d+) functions loaded$`),
	r(KindFunctionsFound, SideHost, "Generating {n} job function(s)", "src/WebJobs.Script/Host/ScriptHost.cs@89dc438:520", `^Generating (?P<count>\d+) job function\(s\)`),
	r(KindHostNameUpdate, SideHost, "HostName updated from '{0}' to '{1}'", "src/WebJobs.Script/HostNameProvider.cs@89dc438:59", `^HostName updated from '(?P<from>[^']*)' to '(?P<to>[^']*)'`),

	r(KindLeaseAcquired, SideHost, "Host lock lease acquired by instance ID '{websiteInstanceId}'.", srcSDKLog+":95-99", `^Host lock lease acquired by instance ID '(?P<instance>[^']*)'`),
	{kind: KindLeaseRenewFailed, side: SideHost, template: "Failed to renew host lock lease: {reason}", source: srcSDKLog + ":77-81",
		re: regexp.MustCompile(`(?s)^Failed to renew host lock lease: (?P<reason>.*)`), multiline: true, post: leaseReason},
	{kind: KindLeaseRenewFailed, side: SideHost, template: "Singleton lock renewal failed for blob '{0}' with error code {1}. ... The lease period was {5} milliseconds.", source: srcSDKLease + ":396-411",
		re: regexp.MustCompile(`(?s)^Singleton lock renewal failed for blob '(?P<blob>[^']*/host)' with error code (?P<status>\d+)(?P<reason>.*)`), multiline: true, post: leaseReason},
	r(KindLeaseAcquireFail, SideHost, "Host instance '{websiteInstanceId}' failed to acquire host lock lease: {reason}", srcSDKLog+":83-87", `^Host instance '(?P<instance>[^']*)' failed to acquire host lock lease: (?P<reason>.*)`),
	r(KindLeaseReleased, SideHost, "Host instance '{websiteInstanceId}' released lock lease.", srcSDKLog+":89-93", `^Host instance '(?P<instance>[^']*)' released lock lease`),

	r(KindBackgroundStart, SideHost, "Initiating background SyncTriggers operation", srcSyncService+":74", `^Initiating background SyncTriggers operation`),
	r(KindInvalidEnvironment, SideHost, "Invalid environment for SyncTriggers operation.", srcSyncManager+":105-106", `^Invalid environment for SyncTriggers operation`),
	r(KindNoFunctions, SideHost, "No functions found. Skipping Sync operation.", srcSyncManager+":132", `^No functions found\. Skipping Sync operation`),
	r(KindHashChecked, SideHost, "SyncTriggers hash (Last='{lastHash}', Current='{currentHash}')", srcSyncManager+":254", `^SyncTriggers hash \(Last='(?P<last>[^']*)', Current='(?P<current>[^']*)'\)`),
	r(KindHashReadError, SideHost, "Error checking SyncTriggers hash", srcSyncManager+":267", `^Error checking SyncTriggers hash`),
	r(KindHashUpdated, SideHost, "SyncTriggers hash updated to '{hash}'", srcSyncManager+":285", `^SyncTriggers hash updated to '(?P<hash>[^']*)'`),
	r(KindHashWriteError, SideHost, "Error updating SyncTriggers hash", srcSyncManager+":290", `^Error updating SyncTriggers hash`),
	r(KindOversize, SideHost, "SyncTriggers payload of length '{n}' exceeds max length of '204800'. Reverting to minimal format.", srcSyncManager+":406", `^SyncTriggers payload of length '(?P<length>\d+)' exceeds max length`),
	{kind: KindFrontEndRequest, side: SideHost, template: "Making SyncTriggers request (RequestId={requestId}, Uri={uri}, Content={sanitizedContent}).", source: srcSyncManager + ":771",
		re: regexp.MustCompile(`(?s)^Making SyncTriggers request \(RequestId=(?P<requestId>[^,]*), Uri=(?P<uri>[^,]*), Content=(?P<content>.*?)\)\.?\s*$`), multiline: true, post: requestContent},
	r(KindFrontEndSucceeded, SideHost, "SyncTriggers call succeeded.", srcSyncManager+":777", `^SyncTriggers call succeeded`),
	r(KindFrontEndFailed, SideHost, "SyncTriggers call failed (StatusCode={StatusCode}).", srcSyncManager+":782-783", `^SyncTriggers call failed \(StatusCode=(?P<status>[^)]*)\)`),
	r(KindSyncFailed, SideHost, "SyncTriggers operation failed.", srcSyncManager+":159-160", `^SyncTriggers operation failed`),
	r(KindNotifyFailed, SideHost, "Failed to notify platform of triggers change.", "Azure/azure-functions-host#11813 (review of edf7213)", `^Failed to notify platform of triggers change`),
	r(KindNotifyFailed, SideHost, "Failed to notify triggers changed.", "src/WebJobs.Script.WebHost/Management/SignalBasedFunctionsSyncManager.cs@da2ac2a:55-56", `^Failed to notify triggers changed`),
	r(KindNotifyPlatform, SideHost, "Posting triggers changed notification to appserver.", "Azure/azure-functions-host#11690 (MeshServiceClient.cs hunk)", `^Posting triggers changed notification to appserver`),
	r(KindMeshRequest, SideHost, "Sending mesh request {operationName}", srcMesh+":145", `^Sending mesh request (?P<operation>\S+)`),
	r(KindMeshResponse, SideHost, "Mesh response {StatusCode}", srcMesh+":156", `^Mesh response (?P<status>\S+)`),
	r(KindGetTriggersFailed, SideHost, "Invalid environment for GetTriggers operation.", srcSyncManagerPath+"@57650fb:799-800", `^Invalid environment for GetTriggers operation`),
	r(KindGetTriggersFailed, SideHost, "GetTriggers operation failed.", srcSyncManagerPath+"@57650fb:819-820", `^GetTriggers operation failed`),
	r(KindNoFunctions, SideHost, "No functions found in GetTriggers operation.", srcSyncManagerPath+"@17dc30e:819", `^No functions found in GetTriggers operation`),
	r(KindTokenInvalid, SideHost, "Token issuer validation failed for issuer '{iss}'.", srcJwt+":188", `^Token issuer validation failed for issuer '(?P<issuer>[^']*)'`),
	r(KindTokenInvalid, SideHost, "Token audience validation failed for audience '{aud}'.", srcJwt+":191", `^Token audience validation failed for audience '(?P<audience>[^']*)'`),
	r(KindTokenInvalid, SideHost, "Token validation failed.", srcJwt+":194", `^Token validation failed\.`),
	r(KindStorageRefused, SideHost, "Unable to load the functions payload since the app was not provisioned with valid AzureWebJobsStorage connection string.", "src/WebJobs.Script.WebHost/WebJobsScriptHostService.cs@89dc438:255-261", `^Unable to load the functions payload since the app was not provisioned with valid`),
}

// callerRules are the lines of the admin API's callers.
var callerRules = []rule{
	r(KindCallerSyncing, SideCaller, "Syncing triggers (Attempt {n}/{m})...", srcVSCode, `^(?:\S+ ?: )?Syncing triggers \(Attempt (?P<attempt>\d+)/(?P<of>\d+)\)`),
	r(KindCallerSyncing, SideCaller, "Syncing triggers...", srcCorePublish+":785", `^(?:\S+ ?: )?Syncing triggers(?:\.\.\.| for function app)`),
	r(KindCallerSyncing, SideCaller, "Retry: {n} of {total}", srcCoreRetry+":35", `^Retry: (?P<attempt>\d+) of (?P<of>\d+)$`),
	r(KindCallerFailed, SideCaller, "Error calling sync triggers ({StatusCode}). Request ID = '{id}'.", srcCorePublish+":792", `(?i)^(?:\S+ ?: )?(?:Error: )?Error calling sync triggers \((?P<status>[^)]*)\)(?:\.\s*Request ID = '(?P<requestId>[^']*)')?`),
	r(KindCallerFailed, SideCaller, "Encountered an error ({StatusCode}) from host runtime.", "Microsoft.Web (ARM) answer to syncfunctiontriggers, shown by VS Code and the CLI", `(?i)^(?:\S+ ?: )?(?:Error: )?Encountered an error \((?P<status>[^)]*)\) from host runtime`),
	r(KindCallerFailed, SideCaller, "Encountered a retriable status code: {status}. Message: '{text}'.", "Azure Pipelines AzureFunctionApp task (##[debug])", `^Encountered a retriable status code: (?P<status>\d{3})`),
	r(KindCallerRequest, SideCaller, "[POST]{uri naming syncfunctiontriggers or admin/host/synctriggers}", "Azure Pipelines AzureFunctionApp task (##[debug])", `(?i)^\[POST\](?P<uri>\S*(?:syncfunctiontriggers|admin/host/synctriggers|/host/default/sync\?)\S*)`),
	r(KindCallerSucceeded, SideCaller, "Syncing {n} function triggers with payload size {m} bytes successful.", "Kudu deployment log (settriggers)", `^(?:\S+ ?: )?Syncing (?P<count>\d+) function triggers with payload size (?P<bytes>\d+) bytes successful`),
	r(KindCallerFailed, SideCaller, "Syncing function triggers by calling the functions runtime site failed", "Kudu deployment log", `(?i)^(?:\S+ ?: )?Syncing function triggers by calling the functions runtime site failed`),
	{kind: KindCallerFailed, side: SideCaller, template: "Failed to sync triggers for function app '{site}'. Error: {error}", source: "azure-pipelines-tasks AzureFunctionApp task (FailedToSyncTriggers)",
		re: regexp.MustCompile(`(?i)(?:^|\W)Failed to sync triggers(?: for function app '(?P<site>[^']*)')?`), post: callerStatus},
	r(KindCallerSucceeded, SideCaller, "Functions in {site}:", "azure-functions-core-tools:src/Cli/func/Helpers/AzureHelper.cs@3ee97a6:671", `^Functions in (?P<site>[^\s:]+):$`),
}

// harnessRules are syncsim's own texts (category Syncsim.*).
var harnessRules = []rule{
	{kind: KindSiteSettings, side: SideHarness, template: "Site settings (Site={site}, HostId={hostId}, Mode={mode}, ...)", source: srcHarness,
		re: regexp.MustCompile(`^Site settings \((?P<pairs>.*)\)$`), post: settingsPairs},
	r(KindDeploy, SideHarness, "Deployment completed (Site={site})", srcHarness, `^Deployment completed \(Site=(?P<site>[^)]*)\)`),
	r(KindInstanceDeleted, SideHarness, "Instance deleted ({reason})", srcHarness, `^Instance deleted \((?P<reason>.*)\)$`),
	r(KindKeyUpdated, SideHarness, "Host key '{name}' updated", srcHarness, `^(?P<scope>Host|System|Function) key '(?P<name>[^']*)' (?:updated|created)`),
	r(KindKeyUpdated, SideHarness, "Master key updated", srcHarness, `^(?P<scope>Master) key (?:updated|created)`),
	r(KindFetchFailed, SideHarness, "GET /admin/host/triggers failed (StatusCode={status}); retrying", srcHarness, `^GET /admin/host/triggers failed \(StatusCode=(?P<status>[^)]*)\)`),
	r(KindFetchAbandoned, SideHarness, "GET /admin/host/triggers abandoned after {n} s", srcHarness, `^GET /admin/host/triggers abandoned after (?P<seconds>\d+) s`),
}

var (
	storageRefusal = regexp.MustCompile(`This request is not authorized to perform this operation|AuthorizationFailure|AuthenticationFailed|Status: (?P<s1>40[13])\b|\((?P<s2>40[13])\)|\b(?P<s3>40[13]) \((?:Forbidden|Unauthorized|This request)`)
	storageAny     = regexp.MustCompile(`(?:StorageException|RequestFailedException)\b`)
	storageStatus  = regexp.MustCompile(`(?:Status: |HttpStatusCode[:=] ?|\()(\d{3})\b`)
	exceptionHead  = regexp.MustCompile(`(?m)^\s*(?:Unhandled exception\. |Exception: |Inner exception |---> )?(?P<type>(?:[A-Za-z_][\w]*\.)*[A-Za-z_]\w*(?:Exception|Error))(?:\s*:|\s*\(|$)`)
	stackLine      = regexp.MustCompile(`(?m)^\s+at \S|^\s*--- End of (?:inner exception )?stack trace`)
	leaseAgo       = regexp.MustCompile(`\((?P<ms>\d+) milliseconds ago\)`)
	emptyTriggers  = regexp.MustCompile(`["']?triggers["']?\s*:\s*\[\s*\]`)
	anyTriggers    = regexp.MustCompile(`["']?triggers["']?\s*:\s*\[`)
	settingPair    = regexp.MustCompile(`^\s*([A-Za-z_][\w.:-]*)=(.*)$`)
)

// Classify reads one message (with its category and level) against the catalogue. Harness categories
// (`Syncsim.*`) are read against the harness's texts only; other lines against the host's templates,
// then the callers' lines, then storage refusals and exceptions. A template's kind wins over the
// exception it carries: `Error checking SyncTriggers hash` over a StorageException stays
// KindHashReadError, with the exception's `exception` type and, for a refusal, `status` and
// `storage`="refused" in Args. A message the catalogue does not know is KindUnknown, SideUnknown.
func Classify(category, level, message string) Event {
	msg := strings.TrimSpace(message)
	if isHarnessCategory(category) {
		if ev, ok := match(harnessRules, msg); ok {
			return ev
		}
		return Event{Kind: KindHarnessNote, Side: SideHarness, Template: "any other Syncsim.* line", Source: srcHarness}
	}
	if ev, ok := match(hostRules, msg); ok {
		exceptionArgs(&ev, msg)
		return ev
	}
	if ev, ok := match(callerRules, msg); ok {
		return ev
	}
	if ev, ok := storageEvent(msg); ok {
		return ev
	}
	if ev, ok := exceptionEvent(msg); ok {
		return ev
	}
	if category == "" {
		// A pasted harness line without its category still reads as the harness's.
		if ev, ok := match(harnessRules, msg); ok {
			return ev
		}
	}
	return Event{Kind: KindUnknown, Side: SideUnknown}
}

// Known says whether the catalogue knows message (its kind is not KindUnknown), or message is the
// first line of a template that goes on over further lines (a request's JSON content).
func Known(message string) bool {
	return Classify("", "", message).Kind != KindUnknown || multilineHead.MatchString(message)
}

// multilineHead matches the first line of the templates whose text may run over several lines.
var multilineHead = regexp.MustCompile(`^(?:Making SyncTriggers request \(|Failed to renew host lock lease: |Singleton lock renewal failed for blob '[^']*/host')`)

func isHarnessCategory(c string) bool { return c == "Syncsim" || strings.HasPrefix(c, "Syncsim.") }

func match(rules []rule, msg string) (Event, bool) {
	head := msg
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		head = strings.TrimRight(msg[:i], "\r")
	}
	for _, ru := range rules {
		text := head
		if ru.multiline {
			text = msg
		}
		m := ru.re.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		ev := Event{Kind: ru.kind, Side: ru.side, Template: ru.template, Source: ru.source, Args: map[string]string{}}
		for i, name := range ru.re.SubexpNames() {
			if name != "" && m[i] != "" {
				ev.Args[name] = m[i]
			}
		}
		if ru.post != nil {
			ru.post(&ev, msg)
		}
		if ev.Kind == KindHostStarting {
			startingParams(&ev)
		}
		if len(ev.Args) == 0 {
			ev.Args = nil
		}
		return ev, true
	}
	return Event{}, false
}

// callerStatus reads the status a caller's failure line names: `Encountered an error (X)`, `Error:
// X -`, or `(CODE: n)`.
var callerStatusText = regexp.MustCompile(`Encountered an error \((?P<s1>[^)]+)\)|\(CODE: (?P<s2>\d{3})\)|Error: (?P<s3>[A-Z][A-Za-z]+) -`)

func callerStatus(ev *Event, msg string) {
	m := callerStatusText.FindStringSubmatch(msg)
	if m == nil {
		return
	}
	for _, s := range m[1:] {
		if s != "" {
			ev.Args["status"] = s
			return
		}
	}
}

// startingParams splits `HostId=..., InstanceId=..., Version=...` into hostId, instanceId, version.
func startingParams(ev *Event) {
	params := ev.Args["params"]
	delete(ev.Args, "params")
	for _, p := range strings.Split(params, ", ") {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		switch k {
		case "HostId":
			ev.Args["hostId"] = v
		case "InstanceId":
			ev.Args["instanceId"] = v
		case "Version":
			ev.Args["version"] = v
		case "FunctionsExtensionVersion":
			ev.Args["extensionVersion"] = v
		}
	}
}

// leaseReason reads the lease loss's reason: `Another host has acquired the lease. The last
// successful renewal completed at {ts} ({ms} milliseconds ago) with a duration of {ms} milliseconds.`
// (PrimaryHostCoordinator.cs:139,172 via LoggerExtensions.cs:77-81).
func leaseReason(ev *Event, msg string) {
	reason := strings.TrimSpace(ev.Args["reason"])
	if i := strings.IndexByte(reason, '\n'); i >= 0 {
		reason = strings.TrimSpace(reason[:i])
	}
	if m := leaseAgo.FindStringSubmatch(reason); m != nil {
		ev.Args["ms"] = m[1]
	}
	switch {
	case strings.Contains(reason, "Another host has acquired the lease"):
		reason = "Another host has acquired the lease"
	case strings.Contains(reason, "The lease ID specified did not match") || strings.Contains(reason, "LeaseIdMismatch"):
		reason = "lease id mismatch"
	default:
		reason, _, _ = strings.Cut(reason, ". ")
		reason = strings.TrimPrefix(strings.TrimSpace(reason), ":")
		reason = strings.TrimSpace(strings.TrimPrefix(reason, "."))
	}
	if reason == "" {
		delete(ev.Args, "reason")
	} else {
		ev.Args["reason"] = reason
	}
	exceptionArgs(ev, msg)
}

// requestContent reads the content of `Making SyncTriggers request`: triggers is "0" when its
// `triggers` array is empty (the content is sanitized and may run over several lines).
func requestContent(ev *Event, _ string) {
	c := ev.Args["content"]
	switch {
	case emptyTriggers.MatchString(c):
		ev.Args["triggers"] = "0"
	case anyTriggers.MatchString(c):
		ev.Args["triggers"] = strconv.Itoa(countTriggers(c))
	}
	if len(c) > 4096 {
		ev.Args["content"] = c[:4096]
	}
}

// countTriggers counts the objects directly inside the content's `triggers` array.
func countTriggers(c string) int {
	loc := anyTriggers.FindStringIndex(c)
	depth, n, inStr := 0, 0, false
	for i := loc[1]; i < len(c); i++ {
		ch := c[i]
		switch {
		case inStr:
			if ch == '\\' {
				i++
			} else if ch == '"' {
				inStr = false
			}
		case ch == '"':
			inStr = true
		case ch == '{' || ch == '[':
			if depth == 0 && ch == '{' {
				n++
			}
			depth++
		case ch == '}' || ch == ']':
			if depth == 0 {
				return n
			}
			depth--
		}
	}
	return n
}

// settingsPairs splits the harness's `Site settings (Key=Value, ...)` into Args: site, hostId, mode
// and every further key by its own name (values hold no comma).
func settingsPairs(ev *Event, _ string) {
	pairs := ev.Args["pairs"]
	delete(ev.Args, "pairs")
	for _, p := range strings.Split(pairs, ",") {
		m := settingPair.FindStringSubmatch(p)
		if m == nil {
			continue
		}
		k, v := m[1], strings.TrimSpace(m[2])
		switch k {
		case "Site":
			k = "site"
		case "HostId":
			k = "hostId"
		case "Mode":
			k = "mode"
		}
		ev.Args[k] = v
	}
}

// exceptionArgs adds to a template's event what the exception under it says: its type, and for a
// storage refusal status and storage="refused".
func exceptionArgs(ev *Event, msg string) {
	if !strings.Contains(msg, "\n") && !strings.Contains(msg, "Exception") {
		return
	}
	if ev.Args == nil {
		ev.Args = map[string]string{}
	}
	if st, ok := refusalStatus(msg); ok {
		ev.Args["storage"] = "refused"
		ev.Args["status"] = st
	}
	if t := exceptionType(msg); t != "" {
		ev.Args["exception"] = t
	}
}

// refusalStatus says whether msg is a storage authorization failure, and its status (403 unless the
// text says 401).
func refusalStatus(msg string) (string, bool) {
	m := storageRefusal.FindStringSubmatch(msg)
	if m == nil {
		return "", false
	}
	for _, s := range m[1:] {
		if s != "" {
			return s, true
		}
	}
	if strings.Contains(msg, "401") || strings.Contains(msg, "AuthenticationFailed") || strings.Contains(msg, "Unauthorized") {
		return "401", true
	}
	return "403", true
}

func storageEvent(msg string) (Event, bool) {
	if st, ok := refusalStatus(msg); ok {
		ev := Event{Kind: KindStorageRefused, Side: SideHost, Args: map[string]string{"status": st},
			Template: "This request is not authorized to perform this operation. (Status: 403, AuthorizationFailure)",
			Source:   "Azure Storage (RequestFailedException / StorageException under a host log)"}
		if t := exceptionType(msg); t != "" {
			ev.Args["type"] = t
		}
		return ev, true
	}
	if storageAny.MatchString(msg) {
		ev := Event{Kind: KindStorageError, Side: SideHost, Args: map[string]string{},
			Template: "StorageException / RequestFailedException", Source: "Azure Storage (exception under a host log)"}
		if m := storageStatus.FindStringSubmatch(msg); m != nil {
			ev.Args["status"] = m[1]
		}
		if t := exceptionType(msg); t != "" {
			ev.Args["type"] = t
		}
		return ev, true
	}
	return Event{}, false
}

// exceptionEvent reads a message that is an exception with a stack, or starts with an exception's
// type (`System.NullReferenceException: Object reference ...`).
func exceptionEvent(msg string) (Event, bool) {
	t := exceptionType(msg)
	if t == "" {
		return Event{}, false
	}
	head, _, _ := strings.Cut(msg, "\n")
	if !stackLine.MatchString(msg) && !exceptionHead.MatchString(head) {
		return Event{}, false
	}
	return Event{Kind: KindException, Side: SideHost, Args: map[string]string{"type": t},
		Template: "{ExceptionType}: {message} with its stack", Source: ".NET exception text (Exception.ToString)"}, true
}

// exceptionType names the first exception type msg shows ("" when none).
func exceptionType(msg string) string {
	m := exceptionHead.FindStringSubmatch(msg)
	if m == nil {
		return ""
	}
	return m[1]
}

// IsExceptionHead says whether a line starts an exception's text (`Namespace.FooException: ...`).
func IsExceptionHead(line string) bool {
	m := exceptionHead.FindStringSubmatchIndex(line)
	return m != nil && strings.TrimSpace(line[:m[2]]) == "" || m != nil && strings.HasPrefix(strings.TrimSpace(line), "Unhandled exception")
}

// statusNames are .NET HttpStatusCode names.
var statusNames = map[string]int{
	"Continue": 100, "SwitchingProtocols": 101, "OK": 200, "Created": 201, "Accepted": 202,
	"NonAuthoritativeInformation": 203, "NoContent": 204, "ResetContent": 205, "PartialContent": 206,
	"MultipleChoices": 300, "Ambiguous": 300, "MovedPermanently": 301, "Moved": 301, "Found": 302,
	"Redirect": 302, "SeeOther": 303, "RedirectMethod": 303, "NotModified": 304, "UseProxy": 305,
	"TemporaryRedirect": 307, "RedirectKeepVerb": 307, "PermanentRedirect": 308, "BadRequest": 400,
	"Unauthorized": 401, "PaymentRequired": 402, "Forbidden": 403, "NotFound": 404,
	"MethodNotAllowed": 405, "NotAcceptable": 406, "ProxyAuthenticationRequired": 407,
	"RequestTimeout": 408, "Conflict": 409, "Gone": 410, "LengthRequired": 411,
	"PreconditionFailed": 412, "RequestEntityTooLarge": 413, "RequestUriTooLong": 414,
	"UnsupportedMediaType": 415, "RequestedRangeNotSatisfiable": 416, "ExpectationFailed": 417,
	"MisdirectedRequest": 421, "UnprocessableEntity": 422, "Locked": 423, "FailedDependency": 424,
	"UpgradeRequired": 426, "PreconditionRequired": 428, "TooManyRequests": 429,
	"RequestHeaderFieldsTooLarge": 431, "UnavailableForLegalReasons": 451,
	"InternalServerError": 500, "NotImplemented": 501, "BadGateway": 502, "ServiceUnavailable": 503,
	"GatewayTimeout": 504, "HttpVersionNotSupported": 505, "VariantAlsoNegotiates": 506,
	"InsufficientStorage": 507, "LoopDetected": 508, "NotExtended": 510,
	"NetworkAuthenticationRequired": 511,
}

// StatusCode reads an HTTP status as a .NET HttpStatusCode name (`ServiceUnavailable`, `BadRequest`)
// or a number (100-599); `503 ServiceUnavailable` and `ServiceUnavailable (503)` read too.
func StatusCode(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil {
		return n, n >= 100 && n <= 599
	}
	if n, ok := statusNames[s]; ok {
		return n, true
	}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '(' || r == ')' || r == ':' }) {
		if n, err := strconv.Atoi(f); err == nil && n >= 100 && n <= 599 {
			return n, true
		}
		if n, ok := statusNames[f]; ok {
			return n, true
		}
	}
	return 0, false
}
