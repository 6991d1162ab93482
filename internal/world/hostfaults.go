package world

import (
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/trace"
)

// instanceFaults applies the faults that stay with a new instance: clock skew (TOK-2..5) and an
// unstable payload serialization (#9255).
func (w *World) instanceFaults(n *node, cfg *host.Config) {
	c := w.engine.AtCreate(n.party, n.inst.Index)
	n.skew = c.Skew
	cfg.UnstablePayload = c.UnstablePayload
}

// hostFaults decides what a starting host loads (drive.Faults.AtHostStart): nothing, the placeholder
// for a while, or what it was given.
func (w *World) hostFaults(n *node, loaded host.Loaded) host.Loaded {
	st := w.engine.AtHostStart(n.party, n.inst.Index, n.placeholderFor, loaded)
	if st.TookPlaceholder {
		n.placeholderFor = 0
	}
	if st.Guard != nil {
		n.m.SetPlaceholderGuard(*st.Guard)
	}
	if st.Loaded.Placeholder {
		w.specializeAfter(n, st.Specialize)
	}
	return st.Loaded
}

// specializeAfter has a placeholder host specialize d from now: the real host starts.
func (w *World) specializeAfter(n *node, d time.Duration) {
	n.specialize.Stop()
	n.specialize = w.k.After(d, func() {
		if !n.alive() {
			return
		}
		w.k.Trace.Put(n.party, trace.HostSpecialized())
		n.h.Start(w.site.Loaded())
	})
}

// secretsError is a host's SYNC-3 secrets reload under storage-refuses (drive.Faults.SecretsError).
func (w *World) secretsError(n *node) string { return w.engine.SecretsError(n.inst.Index, n.inst.Name) }

// pointFault fires the point faults (delete-instance, restart-instance) armed for a fault point the
// instance's host reached: the instance is deleted, and restart-instance starts a new one.
func (w *World) pointFault(n *node, p host.Point) {
	in := w.engine.AtPoint(p.Name, p.Background, n.inst.Index)
	if in == nil {
		return
	}
	w.engine.Fire(in, n.party, trace.F("point", p.Name), trace.F("span", p.Span))
	w.deleteInstance(n, "fault "+in.Spec.Name+" at "+p.Name, true)
	if in.Spec.Name == "restart-instance" {
		w.startInstance("fault restart-instance")
	}
}
