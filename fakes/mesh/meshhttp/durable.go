package meshhttp

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/syncsim/syncsim/fakes/mesh"
)

// durable is a server's bbolt file: the platform store (bucket "store", one JSON entry per site) and,
// for the mesh, its pending work (bucket "mesh", key "pending": the newest accepted notification, the
// newest one delivered or abandoned, and when the pending round started). Every write is a committed,
// fsynced transaction, made before the server answers 2xx for what it records. A nil *durable is the
// in-memory mode: every method does nothing.
type durable struct{ db *bolt.DB }

var (
	bucketStore = []byte("store")
	bucketMesh  = []byte("mesh")
	keyPending  = []byte("pending")
)

// errDurable prefixes the durable file's failures.
var errDurable = errors.New("meshhttp: data file")

// pendingRecord is the mesh's pending work: notifications Covered+1..Accepted are owed a fetch.
type pendingRecord struct {
	Accepted int       `json:"accepted"`
	Covered  int       `json:"covered"`
	Since    time.Time `json:"since"`
}

// Pending is the number of accepted notifications not yet delivered or abandoned.
func (p pendingRecord) Pending() int { return max(p.Accepted-p.Covered, 0) }

// storedEntry is mesh.Entry as written to disk (the body is a credential: the file is 0600).
type storedEntry struct {
	Body     []byte    `json:"body"`
	Hash     string    `json:"hash"`
	Revision int       `json:"revision"`
	Via      string    `json:"via"`
	At       time.Time `json:"at"`
	Writes   int       `json:"writes"`
}

// openDurable opens (or creates) path; an empty path is the in-memory mode. A file another process
// holds fails after 2 s instead of waiting for ever.
func openDurable(path string) (*durable, error) {
	if path == "" {
		return nil, nil
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", errDurable, path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketStore, bucketMesh} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("%w %s: %w", errDurable, path, err)
	}
	return &durable{db: db}, nil
}

func (d *durable) close() error {
	if d == nil {
		return nil
	}
	return d.db.Close()
}

// entry reads a site's stored entry.
func (d *durable) entry(site string) (storedEntry, bool, error) {
	var e storedEntry
	var found bool
	if d == nil {
		return e, false, nil
	}
	err := d.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketStore).Get([]byte(site))
		if v == nil {
			return nil
		}
		found = true
		return json.Unmarshal(v, &e)
	})
	if err != nil {
		return e, false, fmt.Errorf("%w: %w", errDurable, err)
	}
	return e, found, nil
}

// pending reads the mesh's pending work.
func (d *durable) pending() (pendingRecord, error) {
	var p pendingRecord
	if d == nil {
		return p, nil
	}
	err := d.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMesh).Get(keyPending); v != nil {
			return json.Unmarshal(v, &p)
		}
		return nil
	})
	if err != nil {
		return p, fmt.Errorf("%w: %w", errDurable, err)
	}
	return p, nil
}

// putEntry stores a site's entry unless a newer write (by Writes) is already on disk: concurrent
// commits may land out of order, and the newest must win. Batched: concurrent callers share an fsync.
func (d *durable) putEntry(site string, e storedEntry) error {
	if d == nil {
		return nil
	}
	return d.batch(func(tx *bolt.Tx) error { return putEntryTx(tx, site, e) })
}

func putEntryTx(tx *bolt.Tx, site string, e storedEntry) error {
	b := tx.Bucket(bucketStore)
	if old := b.Get([]byte(site)); old != nil {
		var prev storedEntry
		if json.Unmarshal(old, &prev) == nil && prev.Writes >= e.Writes {
			return nil
		}
	}
	v, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return b.Put([]byte(site), v)
}

// accepted records that notifications up to n are accepted; since is the round's start when none
// was pending. Idempotent and order-free (the counters only grow), as bbolt's Batch requires.
func (d *durable) accepted(n int, since time.Time) error {
	if d == nil {
		return nil
	}
	return d.batch(func(tx *bolt.Tx) error {
		return updatePendingTx(tx, func(p *pendingRecord) {
			if p.Pending() == 0 {
				p.Since = since
			}
			p.Accepted = max(p.Accepted, n)
		})
	})
}

// delivered records a completed (or abandoned) fetch round in one transaction: notifications up to
// cover are done, and entry, when not nil, is the store's new entry for site. Not batched: it runs
// once per fetch round, under the server's lock.
func (d *durable) delivered(site string, entry *storedEntry, cover int) error {
	if d == nil {
		return nil
	}
	err := d.db.Update(func(tx *bolt.Tx) error {
		if entry != nil {
			if err := putEntryTx(tx, site, *entry); err != nil {
				return err
			}
		}
		return updatePendingTx(tx, func(p *pendingRecord) {
			p.Covered = max(p.Covered, cover)
			p.Accepted = max(p.Accepted, p.Covered)
		})
	})
	if err != nil {
		return fmt.Errorf("%w: %w", errDurable, err)
	}
	return nil
}

func updatePendingTx(tx *bolt.Tx, change func(*pendingRecord)) error {
	b := tx.Bucket(bucketMesh)
	var p pendingRecord
	if v := b.Get(keyPending); v != nil {
		if err := json.Unmarshal(v, &p); err != nil {
			return err
		}
	}
	change(&p)
	v, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return b.Put(keyPending, v)
}

func (d *durable) batch(fn func(*bolt.Tx) error) error {
	if err := d.db.Batch(fn); err != nil {
		return fmt.Errorf("%w: %w", errDurable, err)
	}
	return nil
}

func toStored(e mesh.Entry, writes int) storedEntry {
	return storedEntry{Body: e.Body, Hash: e.Hash, Revision: e.Revision, Via: e.Via, At: e.At, Writes: writes}
}

// restoreEntry puts a stored entry back into a fresh store and returns the offset between the
// on-disk write count and the store's (which restarts at 1).
func restoreEntry(store *mesh.Store, site string, e storedEntry) int {
	got := store.Put(e.At, site, e.Body, e.Hash, e.Revision, e.Via)
	return e.Writes - got.Writes
}
