package check

import (
	"strings"

	"github.com/syncsim/syncsim/trace"
)

// Evidence is one finding of a verdict: the records it cites, the values it compares, and the text a
// person reads. Checkers build it from parts (cite), so the records a text names are the ones Records
// lists, by construction; renderers (the CLI, JSON, explain, the HTML and JUnit reports) turn it into
// text at the edge, and read Records where they point at the trace.
type Evidence struct {
	// Text is the finding as a sentence, naming the records it cites as "#57 00:02:32.180 storage
	// blob.write" (secrets masked, PAY-4).
	Text string
	// Records are the sequence numbers (trace.Record.Seq) of the records the text cites, in the order
	// it cites them.
	Records []int
	// At is the sequence number of the record where the finding happens: one of Records, the first
	// unless the text names an earlier record first (P2: "revision went down from 2 (#11) to 1 at
	// #40" happens at #40); 0 when the finding is about the run as a whole (P1, at its end).
	At int
	// Values are the values the finding compares, by name, in full (the text may abbreviate them: a
	// hash to 12 digits).
	Values []trace.Field
}

// String is the evidence's text.
func (e Evidence) String() string { return e.Text }

// Note is evidence that cites no record (a count, a reason for an inconclusive verdict).
func Note(text string) Evidence { return Evidence{Text: text} }

// Notes makes one Note of each text.
func Notes(texts ...string) []Evidence {
	if len(texts) == 0 {
		return nil
	}
	out := make([]Evidence, len(texts))
	for i, t := range texts {
		out[i] = Note(t)
	}
	return out
}

// EvidenceText renders evidence as its lines of text.
func EvidenceText(es []Evidence) []string {
	if es == nil {
		return nil
	}
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Text
	}
	return out
}

// shown is a value compared whose text is not its value (a hash abbreviated to 12 digits).
type shown struct {
	field trace.Field
	text  string
}

// hashValue is a hash compared under key, shown as short shows it.
func hashValue(key, h string) shown { return shown{trace.Field{Key: key, Value: h}, short(h)} }

// wholeRecord cites a record rendered in full (trace.Record.String), fields and all.
type wholeRecord struct{ r *trace.Record }

// happening cites the record where a finding happens, when the text names others before it.
type happening struct{ r *trace.Record }

// happensAt cites r, rendered as ref renders it, as the record where the finding happens.
func happensAt(r *trace.Record) happening { return happening{r} }

// cite builds evidence from its parts, in order: a string is text; a record (*trace.Record or
// trace.Record) is cited and rendered as ref renders it; a wholeRecord is cited and rendered in full;
// a happening is cited as a record is, and is where the finding happens (else the first record
// cited is); a trace.Field is a value compared, rendered as its value; a shown is a value compared,
// rendered as its text; a []any is spliced in. Any other part is a programmer error.
func cite(parts ...any) Evidence {
	var e Evidence
	var b strings.Builder
	e.add(&b, parts)
	e.Text = b.String()
	if e.At == 0 && len(e.Records) > 0 {
		e.At = e.Records[0]
	}
	return e
}

func (e *Evidence) add(b *strings.Builder, parts []any) {
	for _, p := range parts {
		switch x := p.(type) {
		case string:
			b.WriteString(x)
		case *trace.Record:
			b.WriteString(ref(*x))
			e.Records = append(e.Records, x.Seq)
		case trace.Record:
			b.WriteString(ref(x))
			e.Records = append(e.Records, x.Seq)
		case wholeRecord:
			b.WriteString(x.r.String())
			e.Records = append(e.Records, x.r.Seq)
		case happening:
			b.WriteString(ref(*x.r))
			e.Records = append(e.Records, x.r.Seq)
			e.At = x.r.Seq
		case trace.Field:
			b.WriteString(x.Value)
			e.Values = append(e.Values, x)
		case shown:
			b.WriteString(x.text)
			e.Values = append(e.Values, x.field)
		case []any:
			e.add(b, x)
		default:
			panic("check: unsupported evidence part")
		}
	}
}

// maxEvidence bounds how many violations a verdict quotes; the rest are only counted.
const maxEvidence = 5

// violations collects the breaking situations a checker finds: the first few are quoted, all counted.
type violations struct {
	n     int
	found []Evidence
	// secrets, when set, are masked in the quoted evidence (for checkers that quote texts from records).
	secrets []string
}

func (vs *violations) add(e Evidence) {
	vs.n++
	if len(vs.found) < maxEvidence {
		vs.found = append(vs.found, e.redacted(vs.secrets))
	}
}

// redacted masks the run's secrets and anything JWT-shaped in the evidence's text and values (PAY-4).
func (e Evidence) redacted(secrets []string) Evidence {
	e.Text = redact(e.Text, secrets)
	if len(e.Values) > 0 {
		vals := make([]trace.Field, len(e.Values))
		for i, f := range e.Values {
			vals[i] = trace.Field{Key: f.Key, Value: redact(f.Value, secrets)}
		}
		e.Values = vals
	}
	return e
}

// redact masks the run's secrets and anything JWT-shaped in a text quoted as evidence (PAY-4).
func redact(text string, secrets []string) string {
	for i, s := range secrets {
		if len(s) >= minSecretLen {
			text = strings.ReplaceAll(text, s, "(secret #"+itoa(i+1)+")")
		}
	}
	return jwtPattern.ReplaceAllString(text, "(token)")
}

// judge fails v when anything broke the property, quoting the evidence and a count ("3 <what>").
func (vs *violations) judge(v *Verdict, what string) {
	if vs.n == 0 {
		return
	}
	v.Status = Fail
	v.Evidence = append(append(v.Evidence, vs.found...), Note(itoa(vs.n)+" "+what))
}
