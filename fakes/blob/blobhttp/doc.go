// Package blobhttp serves syncsim's blob model (package blob) over the Azure Blob Storage REST API,
// so that the azblob SDK, curl or a live host can talk to the model as they talk to Azurite. It is
// the adapter around the step machine: it owns the network and the wall clock (injected as a func()
// time.Time), and a mutex makes the single-threaded Store safe to share; the listener and its
// goroutine are live/realtime's Server, stopped gracefully. A blob call answers at once and arms
// no timer, so the model needs no realtime.Party; the live runtime reaches storage through the azblob
// SDK, a client that shares nothing with this server.
//
// Speaks the subset the host and azblob use, path-style (http://HOST/{account}/{container}/{blob}):
// Create Container, Get Blob Properties (HEAD), Get Blob (GET, with an optional byte range), Put
// Blob (block blobs only), Delete Blob and Lease Blob (acquire, renew, release, break, change), with
// If-Match, If-None-Match and x-ms-lease-id. Failures carry the status, the x-ms-error-code header
// and Azure's XML error body, so bloberror.HasCode works on the client side.
//
// It is a test double: any account name is accepted, and a SharedKey signature is not verified (a
// request without any credential fails 403 AuthorizationFailure, as Azurite answers). Everything
// else is an explicit 400 (or 405 for a verb), never a silent default; see DEVIATIONS.md in package
// blob for where it and the model differ from Azure Storage.
//
//	addr, stop, err := blobhttp.Serve(ctx, "127.0.0.1:0")
//	if err != nil { ... }
//	defer stop()
//	client, _ := azblob.NewClientFromConnectionString(blobhttp.ConnectionString(addr), nil)
package blobhttp
