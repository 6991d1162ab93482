package blob_test

import (
	"fmt"
	"time"

	"github.com/syncsim/syncsim/fakes/blob"
)

// The host's hash blob (BLOB-1, BLOB-2): Exists, Download, then an unconditional overwrite; a
// conditional writer with a stale ETag loses.
func Example() {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const c, name = "azure-webjobs-hosts", "synctriggers/app/last"
	s := blob.New()
	_ = s.CreateContainer(now, c)

	ok, _ := s.Exists(now, c, name)
	fmt.Println("exists:", ok)

	first, _ := s.Upload(now, c, name, []byte("ab12"), blob.Conditions{})
	second, _ := s.Upload(now.Add(time.Second), c, name, []byte("cd34"), blob.Conditions{})
	data, _, _ := s.Download(now, c, name, blob.Conditions{})
	fmt.Println(first.ETag, second.ETag, string(data))

	_, err := s.Upload(now, c, name, []byte("ef56"), blob.Conditions{IfMatch: first.ETag})
	fmt.Println(err)

	id, _ := s.AcquireLease(now, c, name, 15*time.Second, "", blob.Conditions{})
	_, err = s.Upload(now, c, name, []byte("ef56"), blob.Conditions{})
	fmt.Println(id, blob.IsCode(err, blob.CodeLeaseIDMissing), blob.StatusOf(err))
	// Output:
	// exists: false
	// "0x8DC0000000000001" "0x8DC0000000000002" cd34
	// blob: upload azure-webjobs-hosts/synctriggers/app/last: 412 ConditionNotMet
	// 00000000-0000-4000-8000-000000000001 true 412
}
