package check

import "testing"

// The store.snapshot records (the store's own Get) decide P1, P2, P4 and P13 over what the writes
// reported.
func TestStoreSnapshotsJudgeTheStore(t *testing.T) {
	lost := []string{
		"world content.change revision=1 expected_hash=h1",
		"frontend store.write via=frontend hash=h1 revision=1",
		"world store.snapshot at=write hash=h1 revision=1 writes=1",
		"world content.change revision=2 expected_hash=h2",
		"frontend store.write via=frontend hash=h2 revision=2",
		"world store.snapshot at=write hash=h1 revision=1 writes=2",
		"storage blob.write value=h2",
		"world store.snapshot at=settle-end hash=h1 revision=1 writes=2",
	}
	kept := []string{
		"world content.change revision=1 expected_hash=h1",
		"frontend store.write via=frontend hash=h1 revision=1",
		"world store.snapshot at=write hash=h1 revision=1 writes=1",
		"world content.change revision=2 expected_hash=h2",
		"frontend store.write via=frontend hash=h2 revision=2",
		"world store.snapshot at=write hash=h2 revision=2 writes=2",
		"storage blob.write value=h2",
		"world store.snapshot at=settle-end hash=h2 revision=2 writes=2",
	}
	cases := []struct {
		name    string
		check   func(Input) Verdict
		lines   []string
		want    Status
		checked int
		ev      []string
	}{
		{"P1 on the snapshot: lost update", EventualConvergence, lost, Fail, 1, []string{"holds hash h1 (revision 1)"}},
		{"P1 on the snapshot: kept", EventualConvergence, kept, Pass, 1, nil},
		{"P2 write and snapshot disagree", NoStaleOverwrite, lost, Fail, 4,
			[]string{"store write at #5 ", "acknowledged revision 2 hash h2 but the store then held revision 1 hash h1 (#6 "}},
		{"P2 write and snapshot agree", NoStaleOverwrite, kept, Pass, 4, nil},
		{"P2 revision down in the snapshots though the writes go up", NoStaleOverwrite, []string{
			"frontend store.write via=frontend hash=h2 revision=2",
			"world store.snapshot at=write hash=h2 revision=2 writes=1",
			"world store.snapshot at=settle-end hash=h1 revision=1 writes=1",
		}, Fail, 2, []string{"revision went down from 2 (#2 "}},
		{"P2 without snapshots judges the writes (live runs)", NoStaleOverwrite, []string{
			"frontend store.write via=frontend hash=h2 revision=2",
			"frontend store.write via=frontend hash=h1 revision=1",
		}, Fail, 1, []string{"revision went down from 2"}},
		{"P4 on the snapshot", HashImpliesPublished, lost, Fail, 2, []string{"but the store holds h1"}},
		{"P13 on the snapshot: never converged", ConvergenceLatency, lost, Fail, 1, []string{"did not converge"}},
		{"P13 on the snapshot: converged", ConvergenceLatency, kept, Pass, 1, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expect(t, c.check(Input{Trace: script(c.lines...), Complete: true}), c.want, c.checked, c.ev...)
		})
	}
}
