package meshhttp

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// writeStore writes a real data file: a 100 KiB entry (so the store bucket has its own page,
// with overflow) and a pending record, then closes it.
func writeStore(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "mesh.db")
	d, err := openDurable(path)
	if err != nil {
		t.Fatal(err)
	}
	body := bytes.Repeat([]byte("p"), 100<<10)
	if err := d.putEntry(testSite.Name, storedEntry{Body: body, Hash: "h1", Revision: 1, Via: "mesh", Writes: 1}); err != nil {
		t.Fatal(err)
	}
	if err := d.accepted(3, time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	if err := d.close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// layout is where a store's pages are: its page size, the active meta page's offset, the
// freelist page, the root bucket's page and the store bucket's page.
type layout struct {
	ps                         int64
	metaOff                    int64
	freelist, root, storeRoot  uint64
	rootLeafFirstKeyOff, pages int64
}

func layoutOf(t *testing.T, path string) layout {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	m, err := activeMeta(path, f, fi.Size())
	if err != nil {
		t.Fatal(err)
	}
	l := layout{ps: int64(m.pageSize), freelist: m.freelist, root: m.root, pages: int64(m.hwm)}
	m0, _ := readMeta(f, 0)
	if m0.txid != m.txid {
		l.metaOff = l.ps
	}
	page := make([]byte, l.ps)
	f.ReadAt(page, int64(m.root)*l.ps)
	if ne.Uint16(page[8:]) != flagLeaf {
		t.Fatalf("root bucket page %d is not a leaf", m.root)
	}
	for i := range int(ne.Uint16(page[10:])) {
		e := page[pageHeaderSize+i*elementSize:]
		kstart := pageHeaderSize + i*elementSize + int(ne.Uint32(e[4:]))
		key := string(page[kstart : kstart+int(ne.Uint32(e[8:]))])
		if i == 0 {
			l.rootLeafFirstKeyOff = int64(m.root)*l.ps + int64(kstart)
		}
		if key == "store" {
			l.storeRoot = ne.Uint64(page[kstart+int(ne.Uint32(e[8:])):])
		}
	}
	if l.storeRoot == 0 {
		t.Fatal("the store bucket is inline; the test needs its own page")
	}
	return l
}

func patch(t *testing.T, path string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

func u16(v uint16) []byte { return ne.AppendUint16(nil, v) }
func u32(v uint32) []byte { return ne.AppendUint32(nil, v) }

// Every damaged, foreign or locked data file is refused with an error that names the file, says
// what is wrong and what to do; none panics or crashes the process (a truncated file would be a
// SIGBUS in bbolt's mapping without the check).
func TestDataFileRefused(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, path string, l layout)
		kind   error
		want   string
	}{
		{"truncated to half", func(t *testing.T, path string, l layout) {
			os.Truncate(path, l.pages*l.ps/2)
		}, ErrDataDamaged, "truncated"},
		{"truncated to a page boundary past the meta pages", func(t *testing.T, path string, l layout) {
			os.Truncate(path, l.ps*3)
		}, ErrDataDamaged, "high-water mark"},
		{"truncated mid-page", func(t *testing.T, path string, l layout) {
			os.Truncate(path, l.pages*l.ps-100)
		}, ErrDataDamaged, "not a multiple of its page size"},
		{"truncated to 0 bytes", func(t *testing.T, path string, l layout) {
			os.Truncate(path, 0)
		}, ErrDataNotStore, "empty file (0 bytes), not a store (fix: delete it"},
		{"garbage", func(t *testing.T, path string, l layout) {
			b := make([]byte, 64<<10)
			r := rand.NewChaCha8([32]byte{1})
			r.Read(b)
			os.WriteFile(path, b, 0o600)
		}, ErrDataNotStore, "not a bbolt store"},
		{"text file", func(t *testing.T, path string, l layout) {
			os.WriteFile(path, []byte("notifications: 3\n"), 0o600)
		}, ErrDataNotStore, "not a bbolt store"},
		{"both meta checksums wrong", func(t *testing.T, path string, l layout) {
			patch(t, path, pageHeaderSize+48, u32(999))
			patch(t, path, l.ps+pageHeaderSize+48, u32(999))
		}, ErrDataDamaged, "both meta pages are corrupt"},
		{"another bbolt format version", func(t *testing.T, path string, l layout) {
			patch(t, path, pageHeaderSize+4, u32(7))
			patch(t, path, l.ps+pageHeaderSize+4, u32(7))
		}, ErrDataNotStore, "format version 7"},
		{"freelist page of another type", func(t *testing.T, path string, l layout) {
			patch(t, path, int64(l.freelist)*l.ps+8, u16(flagLeaf))
		}, ErrDataDamaged, "invalid freelist page"},
		{"freelist count past its page", func(t *testing.T, path string, l layout) {
			patch(t, path, int64(l.freelist)*l.ps+10, u16(0xFFFF))
			patch(t, path, int64(l.freelist)*l.ps+pageHeaderSize, ne.AppendUint64(nil, 1<<40))
		}, ErrDataDamaged, "more than fit"},
		{"data page of an unknown type", func(t *testing.T, path string, l layout) {
			patch(t, path, int64(l.storeRoot)*l.ps+8, u16(0x77))
		}, ErrDataDamaged, "should be a branch or leaf page"},
		{"data page element past its end", func(t *testing.T, path string, l layout) {
			patch(t, path, int64(l.storeRoot)*l.ps+pageHeaderSize+4, u32(0xFFFFFF00))
		}, ErrDataDamaged, "points past the page's end"},
		{"data page overflow past the file", func(t *testing.T, path string, l layout) {
			patch(t, path, int64(l.storeRoot)*l.ps+12, u32(1<<20))
		}, ErrDataDamaged, "past the file"},
		{"data page id wrong", func(t *testing.T, path string, l layout) {
			patch(t, path, int64(l.storeRoot)*l.ps, ne.AppendUint64(nil, 12345))
		}, ErrDataDamaged, "says it is page 12345"},
		{"bucket keys out of order (bbolt's check)", func(t *testing.T, path string, l layout) {
			patch(t, path, l.rootLeafFirstKeyOff, []byte("zz"))
		}, ErrDataDamaged, "consistency check"},
		{"bbolt file of another program", func(t *testing.T, path string, l layout) {
			os.Remove(path)
			db, err := bolt.Open(path, 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("users")); return err })
			db.Close()
		}, ErrDataNotStore, `another program: its buckets are "users"`},
		{"over the size limit", func(t *testing.T, path string, l layout) {
			os.Truncate(path, DefaultDataFileMaxBytes+l.ps)
		}, ErrDataTooLarge, "--data-max-bytes"},
		{"a directory", func(t *testing.T, path string, l layout) {
			os.Remove(path)
			os.Mkdir(path, 0o700)
		}, ErrDataNotStore, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeStore(t)
			tt.damage(t, path, layoutOf(t, path))
			d, err := openDurableWith(path, 100*time.Millisecond, 0)
			if err == nil {
				d.close()
				t.Fatal("opened; want it refused")
			}
			t.Log(err)
			var dfe *DataFileError
			if !errors.Is(err, tt.kind) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v\nwant %v naming %s and %q", err, tt.kind, path, tt.want)
			}
			if errors.As(err, &dfe) && dfe.Fix == "" {
				t.Errorf("%v: no fix", err)
			}
			// The refused file is left as it was, and its lock is released: a fixed file opens.
			if err := os.RemoveAll(path); err != nil {
				t.Fatal(err)
			}
			if d, err := openDurableWith(path, 100*time.Millisecond, 0); err != nil {
				t.Errorf("a new store on the same path after the refusal: %v", err)
			} else {
				d.close()
			}
		})
	}
}

// A second server on a file another holds is told who holds it (here this process).
func TestDataFileInUse(t *testing.T) {
	path := writeStore(t)
	d, err := openDurable(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()
	_, err = openDurableWith(path, 100*time.Millisecond, 0)
	t.Log(err)
	if !errors.Is(err, ErrDataInUse) || !strings.Contains(err.Error(), path+": in use by another server (pid") ||
		!strings.Contains(err.Error(), "stop that server first") {
		t.Fatalf("got %v, want in use naming the holder's pid", err)
	}
	if p, err := d.pending(); err != nil || p.Accepted != 3 {
		t.Errorf("the holder's store after the refused open: %+v %v", p, err)
	}
}

// The cases that are not refused: a path that does not exist starts an empty store, a store of
// ours opens with its content, and a bbolt file with no bucket at all (a first open interrupted
// before it created the buckets) gets them.
func TestDataFileAccepted(t *testing.T) {
	dir := t.TempDir()
	fresh := filepath.Join(dir, "new.db")
	d, err := openDurable(fresh)
	if err != nil {
		t.Fatalf("a new path: %v", err)
	}
	d.close()

	path := writeStore(t)
	d, err = openDurable(path)
	if err != nil {
		t.Fatalf("a sound store: %v", err)
	}
	e, ok, err := d.entry(testSite.Name)
	d.close()
	if err != nil || !ok || e.Revision != 1 || len(e.Body) != 100<<10 {
		t.Errorf("the store's entry: rev %d, %d bytes, %v %v", e.Revision, len(e.Body), ok, err)
	}

	bare := filepath.Join(dir, "bare.db")
	db, err := bolt.Open(bare, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	d, err = openDurable(bare)
	if err != nil {
		t.Fatalf("a bbolt file without buckets: %v", err)
	}
	if p, err := d.pending(); err != nil || p.Accepted != 0 {
		t.Errorf("pending %+v %v, want an empty store", p, err)
	}
	d.close()
}

// The servers report a refused data file from Serve, and a stored entry that is not JSON is an
// error naming the file, not an empty store.
func TestServersRefuseDamagedDataFile(t *testing.T) {
	path := writeStore(t)
	os.Truncate(path, 0)
	if _, _, err := NewMesh(MeshConfig{Site: testSite, SiteURL: "http://127.0.0.1:9", DataFile: path}).Serve("127.0.0.1:0"); !errors.Is(err, ErrDataNotStore) {
		t.Errorf("mesh on an empty file: %v", err)
	}
	if _, _, err := NewFrontEnd(FrontEndConfig{Site: testSite, DataFile: path}).Serve("127.0.0.1:0"); !errors.Is(err, ErrDataNotStore) {
		t.Errorf("front end on an empty file: %v", err)
	}

	path = writeStore(t)
	d, err := openDurable(path)
	if err != nil {
		t.Fatal(err)
	}
	d.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketStore).Put([]byte(testSite.Name), []byte("{not json")) })
	d.close()
	_, _, err = NewMesh(MeshConfig{Site: testSite, SiteURL: "http://127.0.0.1:9", DataFile: path}).Serve("127.0.0.1:0")
	if !errors.Is(err, ErrDataDamaged) || !strings.Contains(err.Error(), path) {
		t.Errorf("mesh on a store with a bad entry: %v", err)
	}
}

// No file makes opening a data file panic or crash the process: a real store (small, so that
// mutations reach its pages) with bytes changed anywhere is either refused or opened and read.
func FuzzDataFile(f *testing.F) {
	dir := f.TempDir()
	path := filepath.Join(dir, "seed.db")
	d, err := openDurable(path)
	if err != nil {
		f.Fatal(err)
	}
	d.putEntry(testSite.Name, storedEntry{Body: []byte(`{"triggers":[]}`), Hash: "h", Revision: 1, Writes: 1})
	d.accepted(2, time.Unix(0, 0))
	d.close()
	seed, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed, uint32(0), []byte{})
	f.Add(seed, uint32(4096+16), []byte{0xff, 0xff})
	f.Add(seed[:len(seed)/2], uint32(0), []byte{})
	f.Fuzz(func(t *testing.T, file []byte, at uint32, patch []byte) {
		if len(file) > 1<<20 {
			return
		}
		b := append([]byte(nil), file...)
		if len(b) > 0 {
			for i, c := range patch {
				b[(int(at)+i)%len(b)] = c
			}
		}
		p := filepath.Join(t.TempDir(), "f.db")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		d, err := openDurableWith(p, 10*time.Millisecond, 0)
		if err != nil {
			var dfe *DataFileError
			if !errors.As(err, &dfe) || !strings.Contains(err.Error(), p) {
				t.Fatalf("not a DataFileError naming the file: %v", err)
			}
			return
		}
		defer d.close()
		d.entry(testSite.Name)
		d.pending()
	})
}
