package scenarios

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/syncsim/syncsim/scenarios/faults"
)

// faults reads the fault profile. A scripted fault must be able to fire: faults fire only before
// faults_end, so its after must be earlier.
func (d *decoder) faults(f field, faultsEnd time.Duration) Faults {
	o := d.object(f, "scripted", "profile", "random")
	var out Faults
	sf, pf := o.get("scripted"), o.get("profile")
	if n := listLen(sf) + listLen(pf); n > MaxFaults {
		at := sf
		if !sf.present() {
			at = pf
		}
		d.failLimit(at.valueAt(), f.path, "lists "+thousands(n)+" scripted and profile faults, more than "+thousands(MaxFaults),
			"list fewer faults"+fixed("MaxFaults"))
		return out
	}
	for _, item := range d.list(sf) {
		if sf, ok := d.scripted(item, faultsEnd); ok {
			out.Scripted = append(out.Scripted, sf)
		}
	}
	for _, item := range d.list(pf) {
		if pf, ok := d.profile(item); ok {
			out.Profile = append(out.Profile, pf)
		}
	}
	r := d.object(o.get("random"), "drop", "duplicate", "reorder")
	out.Random = RandomFaults{
		Drop:      d.probability(r.get("drop")),
		Duplicate: d.probability(r.get("duplicate")),
		Reorder:   d.probability(r.get("reorder")),
	}
	return out
}

func (d *decoder) scripted(f field, faultsEnd time.Duration) (ScriptedFault, bool) {
	if !f.present() || f.v.kind != kindMap {
		d.fail(f.valueAt(), f.path, "must be a mapping", "write an entry such as {fault: delete-instance, point: after-hash-write}")
		return ScriptedFault{}, false
	}
	o := d.object(f, "fault", "point", "after", "count", "background", "params")
	sf := ScriptedFault{Line: f.valueAt().line}
	if ff := o.get("fault"); d.require(ff, "name the fault: "+strings.Join(FaultNames, ", ")) {
		sf.Fault = d.enum(ff, "", FaultNames)
	}
	if pf := o.get("point"); d.require(pf, "name the fault point: "+strings.Join(FaultPoints, ", ")) {
		sf.Point = d.enum(pf, "", FaultPoints)
	}
	af := o.get("after")
	sf.After = d.duration(af, 0)
	if sf.After >= faultsEnd {
		d.fail(af.valueAt(), af.path, "after "+sf.After.String()+" is not before faults_end "+faultsEnd.String()+", so the fault can never fire",
			"raise faults_end (default: the last timeline at) or lower after")
	}
	sf.Count = d.integer(o.get("count"), 1, 1, math.MaxInt)
	sf.Background = d.boolean(o.get("background"))
	pf := o.get("params")
	if pf.present() {
		sf.Params = map[string]string{}
	}
	for _, p := range d.dict(pf) {
		switch {
		case p.v == nil || p.v.kind == kindNull:
			sf.Params[p.name] = ""
		case p.v.kind == kindMap || p.v.kind == kindSeq:
			d.fail(p.valueAt(), p.path, "must be a scalar, not "+p.v.kind.describe(), "give a string, number or boolean")
		default:
			if d.knownParam(sf.Fault, p) {
				sf.Params[p.name] = p.v.text
			}
		}
	}
	return sf, true
}

// profile reads one catalogue fault: {fault: NAME, params: {...}}, checked against the catalogue.
func (d *decoder) profile(f field) (ProfileFault, bool) {
	if !f.present() || f.v.kind != kindMap {
		d.fail(f.valueAt(), f.path, "must be a mapping", "write an entry such as {fault: fe-status, params: {status: 503, p: 0.1}}")
		return ProfileFault{}, false
	}
	o := d.object(f, "fault", "params")
	pf := ProfileFault{Line: f.valueAt().line, Spec: faults.Spec{Params: map[string]string{}}}
	ff := o.get("fault")
	if !d.require(ff, "name a fault of the catalogue (simrun list faults)") {
		return pf, false
	}
	pf.Spec.Name = d.enum(ff, "", faults.Names())
	if _, known := faults.Lookup(pf.Spec.Name); !known {
		// Reported above; the parameters of an unknown fault cannot be checked.
		return pf, false
	}
	good := true
	for _, p := range d.dict(o.get("params")) {
		if p.v == nil || p.v.kind == kindMap || p.v.kind == kindSeq || p.v.kind == kindNull {
			d.fail(p.valueAt(), p.path, "must be a scalar", "give a string, number, duration or boolean")
			continue
		}
		good = d.finiteParam(pf.Spec.Name, p) && good
		pf.Spec.Params[p.name] = p.v.text
	}
	if !good {
		return pf, false
	}
	if err := pf.Spec.Validate(); err != nil {
		d.fail(o.get("params").valueAt(), o.get("params").path, strings.TrimPrefix(err.Error(), "faults: "), "see simrun list faults for the parameters and their values")
		return pf, false
	}
	return pf, true
}

// listLen is the length of a list field, 0 for anything else.
func listLen(f field) int {
	if f.present() && f.v.kind == kindSeq {
		return len(f.v.items)
	}
	return 0
}

// knownParam checks a scripted fault's parameter that the catalogue knows, at its own position;
// other parameters pass through unchecked (ScriptedFault.Params).
func (d *decoder) knownParam(fault string, p field) bool {
	f, ok := faults.Lookup(fault)
	if !ok {
		return true
	}
	if _, known := f.Param(p.name); !known {
		return true
	}
	if !d.finiteParam(fault, p) {
		return false
	}
	if err := (faults.Spec{Name: fault, Params: map[string]string{p.name: p.v.text}}).Validate(); err != nil {
		d.fail(p.valueAt(), p.path, strings.TrimPrefix(err.Error(), "faults: "), "see simrun list faults for the parameters and their values")
		return false
	}
	return true
}

// finiteParam refuses a probability parameter that strconv reads as NaN or an infinity ("NaN",
// "Inf", "-infinity"): a NaN probability would pass a range check and never fire, as every
// comparison with NaN is false.
func (d *decoder) finiteParam(fault string, p field) bool {
	f, _ := faults.Lookup(fault)
	if par, ok := f.Param(p.name); !ok || par.Type != faults.TypeProb {
		return true
	}
	if v, err := strconv.ParseFloat(p.v.text, 64); err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
		d.fail(p.valueAt(), p.path, "is not a finite number, got "+quote(p.v.text), "use a probability between 0 and 1, such as 0.05")
		return false
	}
	return true
}
