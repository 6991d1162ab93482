package host

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/syncsim/syncsim/internal/ids"
)

// Storage names (BLOB-1 and the primary lock of PROTOCOL.md section 1).
const (
	HostsContainer = "azure-webjobs-hosts"
)

// HashBlobName is BLOB-1's blob for a hostId.
func HashBlobName(hostID string) string { return "synctriggers/" + hostID + "/last" }

// LockBlobName is the primary lock's blob for a hostId.
func LockBlobName(hostID string) string { return "locks/" + hostID + "/host" }

// Defaults of the reference host's timing (PROTOCOL.md sections 1, 5, 6).
const (
	DefaultBackgroundDelay = 30 * time.Second // SYNC-8
	// The primary lease as PrimaryHostCoordinator runs it (PROTOCOL.md section 1;
	// src/Microsoft.Azure.WebJobs.Host/Hosting/PrimaryHostCoordinator.cs@f79ea0b:59-63,231-235 in
	// Azure/azure-webjobs-sdk; PrimaryHostCoordinatorOptions.cs:12 for the 15 s LeaseTimeout).
	DefaultLeaseDuration   = 15 * time.Second  // LeaseTimeout
	DefaultLeaseRenew      = 12 * time.Second  // renewal: LeaseTimeout - 3 s, while primary
	DefaultLeaseRetry      = 5 * time.Second   // acquisition attempts, the first 5 s after start
	DefaultAdminWait       = 30 * time.Second  // MSG-4's [RequiresRunningHost]
	DefaultFrontEndTimeout = 100 * time.Second // MSG-1
	DefaultMeshTimeout     = 30 * time.Second  // MSG-2
)

// Config is everything an instance's sync manager is given at creation.
type Config struct {
	Site          Site
	Mode          Mode
	ContainerName string
	// FrontEndURL is the FE's base URL (MSG-1 posts to FrontEndURL + "/operations/settriggers").
	FrontEndURL string
	// MeshURL is MESH_INIT_URI (MSG-2).
	MeshURL string
	// Secrets reads the site's current keys and the revision at which they last changed: what the host
	// reloads from its secret store after SYNC-3 clears the cache.
	Secrets func() (Keys, int)
	// Rand is the instance's own random stream (request ids, lease ids).
	Rand *rand.Rand
	// Timing; zero values take the defaults above.
	BackgroundDelay, LeaseDuration, LeaseRenew, LeaseRetry, AdminWait, FrontEndTimeout, MeshTimeout time.Duration
	// Hosting is the platform the host runs on, which decides whether SYNC-1's gate waits for
	// WEBSITE_CONTAINER_READY (IsSyncTriggersEnvironment); the zero value is Linux Consumption.
	Hosting Hosting
	// KeySetEmpty is a WEBSITE_AUTH_ENCRYPTION_KEY that is present with an empty value (Site.EncryptionKey
	// is then ""): upstream's gate only asks for a non-null value, so it passes, and signing MSG-1's
	// token then throws (no usable key).
	KeySetEmpty bool
	// Seams are the decisions a planted defect may replace, and Wrapper wraps the machine's inputs
	// and effects; the zero values are the reference host.
	Seams   Seams
	Wrapper Wrapper
	// PlaceholderGuard is PR #11874's guard (on in the reference host): a sync while the active host
	// is the placeholder stops with success and publishes nothing.
	PlaceholderGuard bool
	// UnstablePayload serializes semantically equal payloads differently on every build (the payload
	// object's keys in another order), as worker-indexed metadata can (#9255); off in the reference
	// host (PAY-2).
	UnstablePayload bool
	// NoStorage is a site without AzureWebJobsStorage (#10686): no hash blob and no lease blob. A
	// background sync stops with success before anything else (SYNC-4's no-storage short-circuit,
	// FunctionsSyncManager.cs#TrySyncTriggersAsync @89dc438, `hashBlobClient == null`); foreground
	// syncs publish without the hash; every instance is primary (an in-memory lock, no lease).
	NoStorage bool
	// MeshStatusThrownOnly is upstream's reading of SYNC-7 on the mesh path (NotifyTriggersChanged
	// fails only when the call throws; MeshServiceClient.cs#SendAsync @89dc438 does not check the
	// status): a non-2xx mesh answer counts as published. Off (the model's reading): non-2xx fails.
	MeshStatusThrownOnly bool
	// OversizeFallback is how a payload over MaxPayloadLength is handled (PAY-1): OversizeMinimal
	// (default) or OversizeKeepsTriggers, upstream's GetMinimalPayload as #12035 describes it.
	OversizeFallback OversizeFallback
	// SecretsError reports why the host's keys cannot be read from storage now ("" when they can):
	// a storage that refuses the host (#11796's 403, #11782's 401). SYNC-3's secrets reload then
	// throws, so a sync fails with SYNC-7's "SyncTriggers operation failed." and MSG-3 with 500.
	SecretsError func() string
}

// OversizeFallback names the handling of a payload over MaxPayloadLength (PAY-1).
type OversizeFallback string

// The oversize fallbacks.
const (
	// OversizeMinimal publishes the minimal form {"triggers":[...],"hostId":...}; a rejected publish
	// is a SYNC-7 failure like any other (logged at Error, the model's level).
	OversizeMinimal OversizeFallback = "minimal"
	// OversizeKeepsTriggers is upstream's GetMinimalPayload (#12035): the same minimal form, which
	// keeps the full triggers array and so stays over the front end's limit when the triggers alone
	// exceed it, and the front end's rejection of it logged only at Debug
	// (FunctionsSyncManager.cs#SetTriggersAsync @89dc438), invisible at the default log level.
	OversizeKeepsTriggers OversizeFallback = "keeps-triggers"
)

func (c *Config) applyDefaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.BackgroundDelay, DefaultBackgroundDelay)
	def(&c.LeaseDuration, DefaultLeaseDuration)
	def(&c.LeaseRenew, DefaultLeaseRenew)
	def(&c.LeaseRetry, DefaultLeaseRetry)
	def(&c.AdminWait, DefaultAdminWait)
	def(&c.FrontEndTimeout, DefaultFrontEndTimeout)
	def(&c.MeshTimeout, DefaultMeshTimeout)
}

// Loaded is what the active host loaded at its start: the functions it indexed and their revision.
type Loaded struct {
	Functions []Function
	Revision  int
	// Placeholder is set while the active host is still the placeholder during specialization
	// (#11873): its only function is WarmUp.
	Placeholder bool
	// Took is how long the start took, for `Host started ({ms}ms)`.
	Took time.Duration
}

// Hosting names the platform a host runs on, as far as SYNC-1's gate tells them apart
// (src/WebJobs.Script/Environment/EnvironmentExtensions.cs@89dc438).
type Hosting string

// The hostings.
const (
	// HostingLinuxConsumption is Linux Consumption or Flex (IsAnyLinuxConsumption: CONTAINER_NAME or
	// WEBSITE_SKU=FlexConsumption): the gate waits for WEBSITE_CONTAINER_READY, and the mesh is
	// reachable. The zero value: every scenario's instance is a named container with a mesh.
	HostingLinuxConsumption Hosting = ""
	// HostingWindowsAppService is Windows App Service (IsWindowsAzureManagedHosting): the gate waits
	// for WEBSITE_CONTAINER_READY too.
	HostingWindowsAppService Hosting = "windows-app-service"
	// HostingOther is any other host (Linux App Service, Kubernetes, a self-hosted host): the gate
	// does not look at WEBSITE_CONTAINER_READY.
	HostingOther Hosting = "other"
)

// needsContainerReady reports whether IsSyncTriggersEnvironment asks for WEBSITE_CONTAINER_READY
// (FunctionsSyncManager.cs@89dc438:220-225: Windows App Service or any Linux Consumption).
func (h Hosting) needsContainerReady() bool { return h != HostingOther }

// WarmUp is the placeholder host's one function (#11873).
var WarmUp = Function{Name: "WarmUp", Language: "dotnet-isolated", Bindings: []Binding{
	{"type": "httpTrigger", "direction": "in", "name": "req", "authLevel": "anonymous", "route": "warmup"},
}}

// Timer keys the machine sets.
const (
	timerBackground = "background"
	timerLease      = "lease"
	timerAdminWait  = "admin-wait:"
)

// Machine is one instance's host: the sync manager (SYNC-1..8), the admin API (MSG-3, MSG-4) and the
// primary lease loop, as a step machine. It is not safe for concurrent use: its driver calls one method
// at a time with the current virtual time, and performs the returned effects in order.
type Machine struct {
	cfg Config

	running bool
	loaded  Loaded
	// secrets is the secrets cache SYNC-3 clears; keysRev is the revision it was read at.
	secrets Keys
	keysRev int

	primary   bool
	leaseID   string
	leaseBusy bool
	// leaseAsked is when the lease operation in flight was sent; leaseUntil is when the lease that
	// the last successful acquire or renew gave ends at the latest, on this host's own clock.
	leaseAsked, leaseUntil time.Time

	nextID   int
	spans    map[int]*span
	holder   *span
	waiting  []*span
	sends    map[int]*span
	blobs    map[int]blobWait
	admins   []pendingAdmin
	effects  []Effect
	spanSeq  int
	hashBlob string
	lockBlob string
	// leaseDone is when the last successful acquire or renew completed and leaseTook how long it
	// took: the reason a failed renewal logs (PrimaryHostCoordinator's _lastRenewal and latency).
	leaseDoneAt time.Time
	leaseTook   time.Duration
	// renewTimer and retryTimer are the lease loop's SetTimers, boxed once: the primary renews
	// every LeaseRenew, the others try to acquire every LeaseRetry.
	renewTimer, retryTimer Effect
	// scriptHostID is the running ScriptHost's instance id (a new one on every start).
	scriptHostID string
	now          time.Time
	builds       int
	// containerReady is WEBSITE_CONTAINER_READY (SYNC-1): set once the container's host first
	// starts and never cleared, so an in-place host restart (a deploy) keeps the gate open.
	containerReady bool
}

type blobWait struct {
	span *span
	// lease is the lease-loop operation this call belongs to, "" for a sync span's call.
	lease BlobOp
}

type pendingAdmin struct {
	id  int
	req AdminRequest
}

type stage int

const (
	stageQueued stage = iota
	stageHashExists
	stageHashDownload
	stagePublishing
	stageHashWrite
	stageDone
)

type span struct {
	id         int
	background bool
	origin     string
	reqID      int
	stage      stage
	payload    Payload
	revision   int
	readHash   bool
	// feDone is set in additive mode once MSG-1 succeeded and the best-effort MSG-2 is out.
	feDone bool
	// ack marks platform-ack's hash write after a served MSG-3: it holds the lock but is no sync span.
	ack bool
}

// NewMachine creates an instance's host in the stopped state; HostStarted starts it.
func NewMachine(cfg Config) *Machine {
	cfg.applyDefaults()
	cfg.Seams = cfg.Seams.withReference()
	cfg.Wrapper = cfg.Wrapper.withReference()
	return &Machine{
		cfg: cfg, spans: map[int]*span{}, sends: map[int]*span{}, blobs: map[int]blobWait{},
		hashBlob: HashBlobName(cfg.Site.HostID), lockBlob: LockBlobName(cfg.Site.HostID),
		renewTimer: SetTimer{Key: timerLease, After: cfg.LeaseRenew},
		retryTimer: SetTimer{Key: timerLease, After: cfg.LeaseRetry},
	}
}

// SetPlaceholderGuard switches PR #11874's guard; the driver sets it from the placeholder fault.
func (m *Machine) SetPlaceholderGuard(on bool) { m.cfg.PlaceholderGuard = on }

// Running reports whether the host is running.
func (m *Machine) Running() bool { return m.running }

// Primary reports whether the instance holds the primary lease.
func (m *Machine) Primary() bool { return m.primary }

// Name is the instance's CONTAINER_NAME.
func (m *Machine) Name() string { return m.cfg.ContainerName }

// Site is the site the instance serves.
func (m *Machine) Site() Site { return m.cfg.Site }

func (m *Machine) emit(e Effect) {
	if m.effects == nil {
		m.effects = effectArrays.get()
	}
	m.effects = append(m.effects, e)
}

// take ends a step: its effects leave the machine, which holds none between steps, through the
// Wrapper's Effects.
func (m *Machine) take() []Effect {
	out := m.effects
	m.effects = nil
	return m.cfg.Wrapper.Effects(m, m.now, out)
}

// Recycle hands back the effects a step returned, once the caller has carried them out, so that a
// later step (of any machine) appends into the same array instead of a new one. The caller must not
// read or keep effects afterwards. Not recycling is always correct.
func (m *Machine) Recycle(effects []Effect) { effectArrays.put(effects) }

// effectArrays are the arrays of steps' effects handed back (Recycle), for later steps. They are
// scratch: a machine's state between steps is the same whether its last array came from here or not.
var effectArrays arrays[Effect]

// arrays is a pool of empty arrays of T. Its boxes carry an array in and out of the pool, and are
// kept apart when empty, so that neither way allocates once the pool is warm.
type arrays[T any] struct{ full, empty sync.Pool }

type arrayBox[T any] struct{ a []T }

// get is an empty array from the pool, or nil.
func (p *arrays[T]) get() []T {
	b, _ := p.full.Get().(*arrayBox[T])
	if b == nil {
		return nil
	}
	a := b.a
	b.a = nil
	p.empty.Put(b)
	return a
}

// put keeps a's array for a later get; its elements are cleared, so that they hold nothing past
// their step.
func (p *arrays[T]) put(a []T) {
	if cap(a) == 0 || cap(a) > 64 {
		return
	}
	clear(a)
	b, _ := p.empty.Get().(*arrayBox[T])
	if b == nil {
		b = new(arrayBox[T])
	}
	b.a = a[:0]
	p.full.Put(b)
}

// log emits a line of the sync manager: its category is the one of the manager the mode runs.
func (m *Machine) log(level, text string) { m.logAs(level, m.syncCategory(), text) }

// logAs emits a line of the logger with that category.
func (m *Machine) logAs(level, category, text string) {
	m.emit(Log{Level: level, Category: category, Text: text})
}

// logError emits an Error line of the sync manager with its exception.
func (m *Machine) logError(text, exception string) {
	m.emit(Log{Level: "Error", Category: m.syncCategory(), Text: text, Exception: exception})
}

// syncCategory is the sync manager's category: PR #11690's SignalBasedFunctionsSyncManager in the
// modes built on it, FunctionsSyncManager otherwise (the additive mode is FunctionsSyncManager's own
// code, PR #11813).
func (m *Machine) syncCategory() string {
	switch m.cfg.Mode {
	case ModePlatform, ModePlatformAck, ModeSignalAll:
		return CategorySignalSyncManager
	}
	return CategorySyncManager
}

func (m *Machine) id() int {
	m.nextID++
	return m.nextID
}

// HostStarted starts (or restarts) the active host with what it loaded. SYNC-8: the background sync
// is armed for BackgroundDelay later; the first start also starts the primary lease loop.
func (m *Machine) HostStarted(now time.Time, loaded Loaded) []Effect {
	m.now = now
	first := !m.running && m.loaded.Functions == nil && m.loaded.Revision == 0
	m.running = true
	m.containerReady = true
	m.loaded = loaded
	m.scriptHostID = ids.UUID(m.cfg.Rand)
	m.logAs("Information", CategoryStartup, m.startingHost(m.scriptHostID))
	m.logAs("Information", CategoryStartup, fmt.Sprintf(TextHostStarted, loaded.Took.Milliseconds()))
	// SYNC-8: FunctionsSyncService is registered only where IsSyncTriggersEnvironment holds at the
	// host's build (WebScriptHostBuilderExtension.cs@89dc438:109-111); elsewhere no background sync.
	if m.syncEnvironment() {
		m.emit(SetTimer{Key: timerBackground, After: m.cfg.BackgroundDelay})
	}
	if first && m.cfg.NoStorage {
		// No storage, no lease blob: the lock manager is in memory and grants every instance.
		m.primary = true
		m.emit(PrimaryChanged{Primary: true})
	} else if first {
		// PrimaryHostCoordinator.cs@f79ea0b#StartAsync: the first acquisition is one retry interval
		// after start.
		m.emit(SetTimer{Key: timerLease, After: m.cfg.LeaseRetry})
	}
	pending := m.admins
	m.admins = nil
	for _, p := range pending {
		m.emit(CancelTimer{Key: timerAdminWait + strconv.Itoa(p.id)})
		m.startAdminSync(p.id)
	}
	return m.take()
}

// HostStopping stops the active host for an in-place restart (a deploy): the background timer of this
// start is cancelled. Syncs already running go on: the sync manager belongs to the web host.
func (m *Machine) HostStopping(now time.Time) []Effect {
	m.now = now
	m.running = false
	m.emit(CancelTimer{Key: timerBackground})
	m.logAs("Debug", CategoryStartup, fmt.Sprintf(TextStoppingHost, m.scriptHostID))
	return m.take()
}

// Timer handles a timer set with SetTimer.
func (m *Machine) Timer(now time.Time, key string) []Effect {
	m.now = now
	switch {
	case key == timerBackground:
		m.backgroundTimer()
	case key == timerLease:
		m.leaseTick()
	case len(key) > len(timerAdminWait) && key[:len(timerAdminWait)] == timerAdminWait:
		id, _ := strconv.Atoi(key[len(timerAdminWait):])
		m.adminWaitExpired(id)
	}
	return m.take()
}

// SYNC-8 (FunctionsSyncService.cs#OnSyncTimerTick @89dc438): once per host start, on the primary only, while the host runs.
func (m *Machine) backgroundTimer() {
	if !m.running {
		return
	}
	m.checkLeaseFresh()
	if !m.cfg.Seams.RunsBackground(m.primary) {
		m.logAs("Debug", CategoryModel, TextNotPrimary)
		return
	}
	m.logAs("Debug", CategoryGeneral, TextBackgroundSync)
	m.call(true, "background", 0)
}

// Sync runs a foreground sync (key or function changes; MSG-4 goes through Admin).
func (m *Machine) Sync(now time.Time, origin string) []Effect {
	m.now = now
	return m.cfg.Wrapper.Sync(m, now, origin, func() []Effect {
		m.call(false, origin, 0)
		return m.take()
	})
}
