package check

import "testing"

func TestP16P17NotificationToFetch(t *testing.T) {
	host := "@0s instance/a host.start revision=1"
	end := "@60s world run.end reason=end complete=true"
	cases := []struct {
		name              string
		lines             []string
		start, complete   Status
		startN, completeN int
		ev                []string
	}{
		{"fetch after 300 ms, answered", []string{host,
			"@10s mesh mesh.accept notification=1",
			"@10.3s mesh mesh.fetch fetch=1 attempt=1 cover=1",
			"@10.35s mesh mesh.fetch.done fetch=1 status=200", end}, Pass, Pass, 1, 1, nil},
		{"a trickle postpones the fetch past the max-wait (MESH-6)", []string{host,
			"@10s mesh mesh.accept notification=1",
			"@10.2s mesh mesh.accept notification=2",
			"@12.5s mesh mesh.fetch fetch=1 attempt=1 cover=2",
			"@12.6s mesh mesh.fetch.done fetch=1 status=200", end}, Fail, Pass, 2, 2,
			[]string{"notification 1 accepted at #2 ", "started at #4 00:00:12.500 mesh mesh.fetch, 2.5s later"}},
		{"a notification during a fetch: the next one starts after it ends (MESH-5)", []string{host,
			"@10s mesh mesh.fetch fetch=1 attempt=1 cover=0",
			"@10.1s mesh mesh.accept notification=1",
			"@14s mesh mesh.fetch.done fetch=1 status=200",
			"@14.5s mesh mesh.fetch fetch=2 attempt=1 cover=1",
			"@14.6s mesh mesh.fetch.done fetch=2 status=200", end}, Pass, Pass, 1, 1, nil},
		{"fetches fail for 40 s with a host running (MESH-2)", []string{host,
			"@10s mesh mesh.accept notification=1",
			"@10.3s mesh mesh.fetch fetch=1 attempt=1 cover=1",
			"@10.4s mesh mesh.fetch.done fetch=1 status=503",
			"@50s mesh mesh.fetch fetch=2 attempt=2 cover=1",
			"@50.1s mesh mesh.fetch.done fetch=2 status=200", end}, Pass, Fail, 1, 1,
			[]string{"no fetch that started after it completed with 200 by 00:00:41.050"}},
		{"no host: completion not judged", []string{
			"@10s mesh mesh.accept notification=1",
			"@10.3s mesh mesh.fetch fetch=1 attempt=1 cover=1",
			"@10.4s mesh mesh.fetch.done fetch=1 status=503", end}, Pass, Pass, 1, 0, nil},
		{"a live mesh's longer max-wait, as its run.start says, bounds the start", []string{
			"@0s world run.start mode=platform mesh_max_wait=10s", host,
			"@10s mesh mesh.accept notification=1",
			"@12.5s mesh mesh.fetch fetch=1 attempt=1 cover=1",
			"@12.6s mesh mesh.fetch.done fetch=1 status=200", end}, Pass, Pass, 1, 1, nil},
		{"a live mesh's max-wait still bounds it", []string{
			"@0s world run.start mode=platform mesh_max_wait=2s", host,
			"@10s mesh mesh.accept notification=1",
			"@12.5s mesh mesh.fetch fetch=1 attempt=1 cover=1",
			"@12.6s mesh mesh.fetch.done fetch=1 status=200", end}, Fail, Pass, 1, 1,
			[]string{"2.5s later"}},
		{"near an injected fault: not judged", []string{host,
			"@5s world fault.fire fault=delete-instance injected=true",
			"@10s mesh mesh.accept notification=1", end}, Pass, Pass, 0, 0, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := script(c.lines...)
			s, d := NotificationToFetch(Input{Trace: tr}), FetchCompletes(Input{Trace: tr})
			if c.start == Fail {
				expect(t, s, c.start, c.startN, c.ev...)
				expect(t, d, c.complete, c.completeN)
				return
			}
			expect(t, s, c.start, c.startN)
			expect(t, d, c.complete, c.completeN, c.ev...)
		})
	}
}
