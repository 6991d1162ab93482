package check

import "strings"

// maxEvidence bounds how many violations a verdict quotes; the rest are only counted.
const maxEvidence = 5

// violations collects the breaking situations a checker finds: the first few are quoted, all counted.
type violations struct {
	n     int
	lines []string
	// secrets, when set, are masked in the quoted lines (for checkers that quote texts from records).
	secrets []string
}

func (vs *violations) add(line string) {
	vs.n++
	if len(vs.lines) < maxEvidence {
		vs.lines = append(vs.lines, redact(line, vs.secrets))
	}
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
	v.Evidence = append(append(v.Evidence, vs.lines...), itoa(vs.n)+" "+what)
}
