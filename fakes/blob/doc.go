// Package blob is syncsim's model of the Azure Blob Storage subset the host uses (PROTOCOL.md
// section 3): containers, block blobs with ETags, Exists (Get Blob Properties), Download, Upload
// (overwrite) with If-Match / If-None-Match / lease-id conditions, Delete, and blob leases (acquire,
// renew, release, break, change) that expire on virtual time.
//
// Store is a step machine: the simulator calls it synchronously and passes the virtual time `now`
// into every operation. Nothing here reads the wall clock, starts a goroutine or draws random
// numbers; ETags and generated lease ids come from counters, so the same operations give the same
// results. Failures are *Error values carrying the HTTP status and the Azure error code that
// Azurite answers (BLOB-3); test them with IsCode and StatusOf.
//
//	s := blob.New()
//	_ = s.CreateContainer(now, "azure-webjobs-hosts")
//	p, _ := s.Upload(now, "azure-webjobs-hosts", "synctriggers/app/last", []byte("ab12"), blob.Conditions{})
//	_, err := s.Upload(now, "azure-webjobs-hosts", "synctriggers/app/last", []byte("cd34"),
//		blob.Conditions{IfMatch: "\"stale\""})
//	fmt.Println(p.ETag, blob.IsCode(err, blob.CodeConditionNotMet)) // "0x8DC0000000000001" true
//
// Where Azure Storage and Azurite differ, the model follows Azurite unless a comment says "decided
// here"; Peek, Containers and Blobs read state for checkers without conditions or side effects.
// Store.Seams names the decisions a planted defect (package plant) may replace; its zero
// value is the reference model.
package blob
