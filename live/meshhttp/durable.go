package meshhttp

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/syncsim/syncsim/fakes/mesh"
)

// durable is a server's bbolt file: the platform store (bucket "store", one JSON entry per site) and,
// for the mesh, its pending work (bucket "mesh", key "pending": the newest accepted notification, the
// newest one delivered or abandoned, and when the pending round started). Every write is a committed,
// fsynced transaction, made before the server answers 2xx for what it records. A nil *durable is the
// in-memory mode: every method does nothing.
type durable struct {
	db   *bolt.DB
	path string
}

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

// dataFileLockWait is how long opening a data file waits for another server's lock.
const dataFileLockWait = 2 * time.Second

// openDurable opens (or creates) path with the default lock wait and size limit; an empty path is
// the in-memory mode.
func openDurable(path string) (*durable, error) {
	return openDurableWith(path, dataFileLockWait, DefaultDataFileMaxBytes)
}

// openDurableWith opens path, waiting up to lockWait for another holder's lock, refusing a file over
// maxBytes. Only a path that does not exist starts an empty store; an existing file must be a
// sound bbolt file of ours (checkDataFile before bbolt maps it, bbolt's Check after, our buckets),
// else the error is a *DataFileError that says what to do.
func openDurableWith(path string, lockWait time.Duration, maxBytes int64) (*durable, error) {
	if path == "" {
		return nil, nil
	}
	if maxBytes <= 0 {
		maxBytes = DefaultDataFileMaxBytes
	}
	o := &dataFileOpener{path: path, wait: lockWait, maxBytes: maxBytes}
	db, err := o.open()
	if err != nil {
		return nil, err
	}
	d := &durable{db: db, path: path}
	if err := d.check(o.created); err != nil {
		db.Close()
		return nil, err
	}
	return d, nil
}

// dataFileOpener is bbolt's OpenFile hook: it opens the file itself so that it can take the lock
// and check the file on the same descriptor before bbolt reads or maps a byte of it.
type dataFileOpener struct {
	path     string
	wait     time.Duration
	maxBytes int64
	created  bool
	file     *os.File
}

func (o *dataFileOpener) open() (db *bolt.DB, err error) {
	defer func() {
		// bbolt panics on some corrupt pages; its file (and lock) is released here.
		if r := recover(); r != nil {
			if o.file != nil {
				o.file.Close()
			}
			db, err = nil, damaged(o.path, "bbolt cannot read it: %v", r)
		}
	}()
	db, err = bolt.Open(o.path, 0o600, &bolt.Options{Timeout: o.wait, OpenFile: o.openFile, MaxSize: int(min(o.maxBytes, math.MaxInt))})
	switch {
	case err == nil:
		return db, nil
	case errors.Is(err, berrors.ErrTimeout):
		return nil, inUse(o.path, 0)
	}
	var dfe *DataFileError
	if errors.As(err, &dfe) {
		return nil, err
	}
	return nil, &DataFileError{Path: o.path, Problem: err.Error(), Fix: "check the path and its permissions", Kind: ErrDataNotStore}
}

func (o *dataFileOpener) openFile(name string, flag int, perm os.FileMode) (*os.File, error) {
	f, err := os.OpenFile(name, flag&^os.O_CREATE, perm)
	if errors.Is(err, fs.ErrNotExist) && flag&os.O_CREATE != 0 {
		// Only a path that does not exist starts an empty store.
		f, err = os.OpenFile(name, flag|os.O_CREATE|os.O_EXCL, perm)
		o.created = err == nil
	}
	if err != nil {
		return nil, err
	}
	held, err := lockDataFile(f, o.wait)
	switch {
	case held:
		pid := lockHolder(f)
		f.Close()
		return nil, inUse(o.path, pid)
	case err != nil:
		f.Close()
		return nil, err
	}
	if !o.created {
		if err := checkDataFile(o.path, f, o.maxBytes); err != nil {
			f.Close()
			return nil, err
		}
	}
	o.file = f
	return f, nil
}

func inUse(path string, pid int) error {
	who := "its pid cannot be told here"
	switch {
	case pid == os.Getpid():
		who = fmt.Sprintf("pid %d: this process", pid)
	case pid != 0:
		who = fmt.Sprintf("pid %d", pid)
	}
	return &DataFileError{Path: path, Problem: "in use by another server (" + who + ")",
		Fix: "stop that server first, or give this one another --data file", Kind: ErrDataInUse}
}

// check runs bbolt's consistency check (a corrupt page is an error, not a panic) and checks that
// the file holds our buckets; a file created now, or one with no bucket at all (a first open
// interrupted before its first commit), gets them.
func (d *durable) check(created bool) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = damaged(d.path, "bbolt cannot read it: %v", r)
		}
	}()
	var problems []string
	var names []string
	err = d.db.View(func(tx *bolt.Tx) error {
		for e := range tx.Check() {
			if len(problems) < 3 {
				problems = append(problems, e.Error())
			}
		}
		if len(problems) > 0 {
			return nil
		}
		return tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			names = append(names, strconv.Quote(string(name)))
			return nil
		})
	})
	if err != nil {
		return damaged(d.path, "bbolt cannot read it: %v", err)
	}
	if len(problems) > 0 {
		return damaged(d.path, "bbolt's consistency check: %s", strings.Join(problems, "; "))
	}
	ours := len(names) == 2 && slices.Contains(names, strconv.Quote(string(bucketStore))) &&
		slices.Contains(names, strconv.Quote(string(bucketMesh)))
	switch {
	case ours:
		return nil
	case len(names) > 0:
		return notStore(d.path, "a bbolt file of another program: its buckets are %s, a store's are \"store\" and \"mesh\"",
			strings.Join(names, ", "))
	}
	err = d.db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketStore, bucketMesh} {
			if _, err := tx.CreateBucket(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%w %s: %w", errDurable, d.path, err)
	}
	return nil
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
		return e, false, damaged(d.path, "the store's entry for site %q cannot be read: %v", site, err)
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
		return p, damaged(d.path, "the mesh's pending record cannot be read: %v", err)
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
		return fmt.Errorf("%w %s: %w", errDurable, d.path, err)
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
		return fmt.Errorf("%w %s: %w", errDurable, d.path, err)
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
