package check

import "testing"

func TestP7MeshPath(t *testing.T) {
	cases := []struct {
		name    string
		lines   []string
		want    Status
		checked int
		ev      []string
	}{
		{"a duplicated notification's fetch stores the same payload", []string{
			"@1s mesh net.deliver msg=5 from=instance/a kind=msg2.request",
			"@1s mesh mesh.accept notification=1",
			"@1.3s mesh store.write via=mesh hash=h1 revision=1 cover=1",
			"@2s mesh net.deliver msg=5 from=instance/a kind=msg2.request duplicate=true injected=true",
			"@2s mesh mesh.accept notification=2",
			"@2.3s mesh store.write via=mesh hash=h1 revision=1 cover=2",
		}, Pass, 1, nil},
		{"a fetch owed only to a duplicate changes the store", []string{
			"@1s mesh net.deliver msg=5 from=instance/a kind=msg2.request",
			"@1s mesh mesh.accept notification=1",
			"@1.3s mesh store.write via=mesh hash=h1 revision=1 cover=1",
			"@2s mesh net.deliver msg=5 from=instance/a kind=msg2.request duplicate=true injected=true",
			"@2s mesh mesh.accept notification=2",
			"@2.3s mesh store.write via=mesh hash=h0 revision=0 cover=2",
		}, Fail, 1, []string{"owed only to duplicated notifications 2..2 at #6 ", "to revision 0 hash h0"}},
		{"a duplicated fetch answer stores again", []string{
			"@1s mesh net.deliver msg=9 from=router kind=msg3.response",
			"@1s mesh store.write via=mesh hash=h2 revision=2 cover=1",
			"@1.5s mesh store.write via=mesh hash=h3 revision=3 cover=2",
			"@2s mesh net.deliver msg=9 from=router kind=msg3.response duplicate=true injected=true",
			"@2s mesh store.write via=mesh hash=h2 revision=2 cover=2",
		}, Fail, 1, []string{"duplicated fetch answer (#4 "}},
		{"a copy that overtook its original is the first arrival", []string{
			"@1s mesh net.deliver msg=5 from=instance/a kind=msg2.request duplicate=true injected=true",
			"@1s mesh mesh.accept notification=1",
			"@1.3s mesh store.write via=mesh hash=h1 revision=1 cover=1",
			"@1.4s mesh net.deliver msg=5 from=instance/a kind=msg2.request",
			"@1.4s mesh mesh.accept notification=2",
		}, Pass, 1, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expect(t, DuplicateHarmless(Input{Trace: script(c.lines...)}), c.want, c.checked, c.ev...)
		})
	}
}
