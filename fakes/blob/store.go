package blob

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"time"
)

// Store is one storage account: containers of block blobs. It is a step machine: not safe for
// concurrent use, and every operation takes the virtual time as an argument. The zero value is not
// usable; call New.
type Store struct {
	containers map[string]*container
	etagSeq    uint64 // last ETag issued; every write takes the next one
	leaseSeq   uint64 // last generated lease id
	// Seams are the decisions a planted defect may replace; the zero value is the reference store.
	Seams Seams
}

type container struct {
	blobs map[string]*entry
}

// entry is one stored blob. Its lease is kept as last written; the effective state at a moment
// comes from lease.at(now).
type entry struct {
	data     []byte
	etag     string
	modified time.Time
	lease    lease
}

// Properties is what GetProperties answers about a blob at a moment.
type Properties struct {
	ETag          string
	LastModified  time.Time
	ContentLength int
	Lease         LeaseInfo
}

// New returns an empty account.
func New() *Store {
	return &Store{containers: map[string]*container{}}
}

// CreateContainer creates an empty container; 409 ContainerAlreadyExists if it exists.
func (s *Store) CreateContainer(now time.Time, name string) error {
	if _, ok := s.containers[name]; ok {
		return ref{OpCreateContainer, name, ""}.fail(409, CodeContainerAlreadyExists)
	}
	s.containers[name] = &container{blobs: map[string]*entry{}}
	return nil
}

// Peek returns a copy of a blob's bytes and its ETag, for checkers: no conditions, no lease checks,
// no side effects.
func (s *Store) Peek(containerName, name string) (data []byte, etag string, ok bool) {
	c, found := s.containers[containerName]
	if !found {
		return nil, "", false
	}
	b, found := c.blobs[name]
	if !found {
		return nil, "", false
	}
	return bytes.Clone(b.data), b.etag, true
}

// Containers returns the container names, sorted.
func (s *Store) Containers() []string {
	return slices.Sorted(maps.Keys(s.containers))
}

// Blobs returns the blob names in a container, sorted; nil if the container does not exist.
func (s *Store) Blobs(containerName string) []string {
	c, ok := s.containers[containerName]
	if !ok {
		return nil
	}
	return slices.Sorted(maps.Keys(c.blobs))
}

// lookup finds the container (404 ContainerNotFound if missing) and the blob (nil if missing).
func (s *Store) lookup(r ref) (*container, *entry, error) {
	c, ok := s.containers[r.container]
	if !ok {
		return nil, nil, r.fail(404, CodeContainerNotFound)
	}
	return c, c.blobs[r.blob], nil
}

// lookupBlob is lookup for operations that need the blob to exist (404 BlobNotFound).
func (s *Store) lookupBlob(r ref) (*entry, error) {
	_, b, err := s.lookup(r)
	if err != nil {
		return nil, err
	}
	if b == nil {
		return nil, r.fail(404, CodeBlobNotFound)
	}
	return b, nil
}

// nextETag issues the next ETag. The format follows Azurite's ("0x8D..." hex in quotes); a counter,
// not a clock, makes it, so two stores fed the same operations issue the same ETags.
func (s *Store) nextETag() string {
	s.etagSeq++
	return fmt.Sprintf("\"0x8DC%013X\"", s.etagSeq)
}

// nextLeaseID issues a deterministic UUID-formatted lease id for an acquire without a proposed id.
func (s *Store) nextLeaseID() string {
	s.leaseSeq++
	return fmt.Sprintf("00000000-0000-4000-8000-%012x", s.leaseSeq)
}

func (b *entry) properties(now time.Time) Properties {
	return Properties{
		ETag:          b.etag,
		LastModified:  b.modified,
		ContentLength: len(b.data),
		Lease:         b.lease.at(now).info(),
	}
}
