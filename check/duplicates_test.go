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
		// fleet seed 23, platform mode: the mesh answered the original 503 (an injected mesh fault)
		// and accepted the injected copy, whose fetch delivered the site's new content.
		{"a copy accepted after the mesh refused the original is the first accepted arrival", []string{
			"@1s mesh net.deliver msg=5 from=instance/a kind=msg2.request",
			"@1s mesh mesh.accept notification=1",
			"@1.3s mesh store.write via=mesh hash=h1 revision=1 cover=1",
			"@2s mesh net.deliver msg=6 from=instance/a kind=msg2.request",
			"@2s mesh net.send msg=7 to=instance/a kind=msg2.response status=503",
			"@2.1s mesh net.deliver msg=6 from=instance/a kind=msg2.request duplicate=true injected=true",
			"@2.1s mesh mesh.accept notification=2",
			"@2.4s mesh store.write via=mesh hash=h2 revision=2 cover=2",
		}, Pass, 0, nil},
		{"a copy accepted after an accepted original is still judged", []string{
			"@1s mesh net.deliver msg=6 from=instance/a kind=msg2.request",
			"@1s mesh net.send msg=7 to=instance/a kind=msg2.response status=503",
			"@1.5s mesh net.deliver msg=6 from=instance/a kind=msg2.request duplicate=true injected=true",
			"@1.5s mesh mesh.accept notification=1",
			"@1.8s mesh store.write via=mesh hash=h2 revision=2 cover=1",
			"@2.1s mesh net.deliver msg=6 from=instance/a kind=msg2.request duplicate=true injected=true",
			"@2.1s mesh mesh.accept notification=2",
			"@2.4s mesh store.write via=mesh hash=h3 revision=3 cover=2",
		}, Fail, 1, []string{"owed only to duplicated notifications 2..2 at #8 "}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expect(t, DuplicateHarmless(Input{Trace: script(c.lines...)}), c.want, c.checked, c.ev...)
		})
	}
}
