package check

import "testing"

// P1 judges the store semantically and says when only the text differs; P18 fails a republish of the
// same payload in other text with no content change since, and passes a same-bytes rewrite, a
// changed payload and a rewrite after a content change.
func TestSemanticConvergenceAndRepublish(t *testing.T) {
	textOnly := []string{
		"world content.change revision=1 expected_hash=h1 expected_canonical=c1",
		"frontend store.write via=frontend hash=h1 canonical=c1 revision=1 from=instance/a",
		"world store.snapshot at=write hash=h1 canonical=c1 revision=1 writes=1",
		"frontend store.write via=frontend hash=h1b canonical=c1 revision=1 from=instance/b",
		"world store.snapshot at=settle-end hash=h1b canonical=c1 revision=1 writes=2",
	}
	sameBytes := []string{
		"world content.change revision=1 expected_hash=h1 expected_canonical=c1",
		"frontend store.write via=frontend hash=h1 canonical=c1 revision=1",
		"frontend store.write via=frontend hash=h1 canonical=c1 revision=1",
	}
	afterChange := []string{
		"world content.change revision=1 expected_hash=h1 expected_canonical=c1",
		"mesh store.write via=mesh hash=h1 canonical=c1 revision=1 cover=1",
		"world content.change revision=2 expected_hash=h2 expected_canonical=c1",
		"mesh store.write via=mesh hash=h2 canonical=c1 revision=2 cover=2",
	}
	changed := []string{
		"world content.change revision=1 expected_hash=h1 expected_canonical=c1",
		"frontend store.write via=frontend hash=h0 canonical=c0 revision=0",
		"frontend store.write via=frontend hash=h1 canonical=c1 revision=1",
		"world store.snapshot at=settle-end hash=h0 canonical=c0 revision=0 writes=2",
	}
	meshRepublish := []string{
		"world content.change revision=1 expected_hash=h1 expected_canonical=c1",
		"mesh store.write via=mesh hash=h1 canonical=c1 revision=1 cover=1",
		"mesh store.write via=mesh hash=h1x canonical=c1 revision=1 cover=2",
	}
	noCanonical := []string{
		"world content.change revision=1 expected_hash=h1",
		"frontend store.write via=frontend hash=h1b revision=1",
	}
	cases := []struct {
		name    string
		check   func(Input) Verdict
		lines   []string
		want    Status
		checked int
		ev      []string
	}{
		{"P1 text only differs: pass, said", EventualConvergence, textOnly, Pass, 1, []string{"only the text differs", "store hash h1b"}},
		{"P1 semantically different: fail", EventualConvergence, changed, Fail, 1, []string{"holds hash h0"}},
		{"P1 without canonical hashes: exact", EventualConvergence, noCanonical, Fail, 1, []string{"not the expected payload's hash h1"}},
		{"P13 text only differs: converged", ConvergenceLatency, textOnly, Pass, 1, nil},
		{"P18 text-only republish", NoRepublishWithoutChange, textOnly, Fail, 1,
			[]string{"replaced hash h1 with h1b", "from instance/b", "no content change since the store got it at #2 "}},
		{"P18 mesh republish", NoRepublishWithoutChange, meshRepublish, Fail, 1, []string{"a fetch covering notifications up to 2"}},
		{"P18 same bytes again", NoRepublishWithoutChange, sameBytes, Pass, 1, nil},
		{"P18 after a content change", NoRepublishWithoutChange, afterChange, Pass, 0, nil},
		{"P18 a changed payload", NoRepublishWithoutChange, changed, Pass, 1, nil},
		{"P18 without canonical hashes", NoRepublishWithoutChange, noCanonical, Pass, 0, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expect(t, c.check(Input{Trace: script(c.lines...), Complete: true}), c.want, c.checked, c.ev...)
		})
	}
}
