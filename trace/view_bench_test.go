package trace

import "testing"

// BenchmarkAsSyncPublish is one typed read of a record, as every checker does per record it reads:
// go test -run '^$' -bench AsSyncPublish -benchmem ./trace/
func BenchmarkAsSyncPublish(b *testing.B) {
	e := SyncPublish(12, true, PartyFrontEnd, "0123456789abcdef0123456789abcdef", 3, 1024)
	r := Record{Seq: 1, Kind: e.Kind, Fields: e.Fields}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := AsSyncPublish(r); err != nil {
			b.Fatal(err)
		}
	}
}
