package blobhttp_test

import (
	"context"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	azb "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"

	"github.com/syncsim/syncsim/fakes/blob/blobhttp"
)

// Serve answers azblob with a SharedKey connection string, errors satisfy bloberror.HasCode (from
// the header on HEAD, the XML body otherwise), and stop closes the port.
func TestServeWithAzblob(t *testing.T) {
	ctx := context.Background()
	addr, stop, err := blobhttp.Serve(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	client, err := azblob.NewClientFromConnectionString(blobhttp.ConnectionString(addr), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateContainer(ctx, "azure-webjobs-hosts", nil); err != nil {
		t.Fatal(err)
	}
	bb := client.ServiceClient().NewContainerClient("azure-webjobs-hosts").NewBlockBlobClient("synctriggers/app/last")
	_, err = bb.GetProperties(ctx, nil)
	if !bloberror.HasCode(err, bloberror.BlobNotFound) {
		t.Fatalf("GetProperties of a missing blob: %v", err)
	}
	first, err := bb.Upload(ctx, streaming.NopCloser(strings.NewReader("ab12")), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bb.Upload(ctx, streaming.NopCloser(strings.NewReader("cd34")), nil); err != nil {
		t.Fatal(err)
	}
	_, err = bb.Upload(ctx, streaming.NopCloser(strings.NewReader("ef56")), &blockblob.UploadOptions{
		AccessConditions: &azb.AccessConditions{ModifiedAccessConditions: &azb.ModifiedAccessConditions{IfMatch: first.ETag}},
	})
	if !bloberror.HasCode(err, bloberror.ConditionNotMet) {
		t.Fatalf("Upload with a stale If-Match: %v", err)
	}
	resp, err := bb.DownloadStream(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(data) != "cd34" {
		t.Errorf("content = %q", data)
	}

	if err := stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if err := stop(); err != nil {
		t.Fatalf("second stop: %v", err)
	}
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Errorf("%s still accepts connections after stop", addr)
	}
}

// Cancelling Serve's context stops the server.
func TestServeStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	addr, stop, err := blobhttp.Serve(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := stop(); err != nil {
		t.Fatalf("stop after cancel: %v", err)
	}
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Errorf("%s still accepts connections", addr)
	}
}
