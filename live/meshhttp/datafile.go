package meshhttp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// Data file errors. Each is wrapped in a *DataFileError that names the file, the problem and the
// fix; `simrun serve` reports it with exit 3.
var (
	// ErrDataInUse: another server holds the file's lock.
	ErrDataInUse = errors.New("meshhttp: data file in use")
	// ErrDataNotStore: the file is empty, not a bbolt file, or a bbolt file of another program.
	ErrDataNotStore = errors.New("meshhttp: not a data file")
	// ErrDataDamaged: a bbolt file of ours that is truncated or has corrupt pages.
	ErrDataDamaged = errors.New("meshhttp: data file damaged")
	// ErrDataTooLarge: the file is over the data file limit (MeshConfig.DataFileMaxBytes).
	ErrDataTooLarge = errors.New("meshhttp: data file over its limit")
)

// DefaultDataFileMaxBytes bounds a data file (1 GiB). A store holds one site's payload (at most
// MaxBody) and the mesh's counters, so a real file stays far below; the bound keeps the open check
// and bbolt's mapping finite on any file.
const DefaultDataFileMaxBytes = 1 << 30

// DataFileError is a data file that cannot be used, with what to do about it.
type DataFileError struct {
	Path    string
	Problem string
	Fix     string
	// Kind is one of ErrDataInUse, ErrDataNotStore, ErrDataDamaged, ErrDataTooLarge.
	Kind error
}

func (e *DataFileError) Error() string {
	return "meshhttp: data file " + e.Path + ": " + e.Problem + " (fix: " + e.Fix + ")"
}

// Unwrap returns the error's kind.
func (e *DataFileError) Unwrap() error { return e.Kind }

const (
	fixMoveAside = "move the file aside, or delete it, to start with an empty store; or give --data another file"
	fixOtherFile = "give --data a file this server wrote, or a path that does not exist yet to start an empty store"
)

func damaged(path, format string, args ...any) error {
	return &DataFileError{Path: path, Problem: fmt.Sprintf(format, args...), Fix: fixMoveAside, Kind: ErrDataDamaged}
}

func notStore(path, format string, args ...any) error {
	return &DataFileError{Path: path, Problem: fmt.Sprintf(format, args...), Fix: fixOtherFile, Kind: ErrDataNotStore}
}

// bbolt's on-disk format (go.etcd.io/bbolt, internal/common), read here with bounds checks before
// bbolt maps the file: bbolt trusts the file, and a page id or length past the end of the mapping
// is a SIGBUS or SIGSEGV, which no recover catches. Integers are in the machine's byte order.
const (
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	pageHeaderSize = 16 // id u64, flags u16, count u16, overflow u32
	metaSize       = 64 // magic, version, pageSize, flags u32; root, sequence, freelist, pgid, txid, checksum u64
	elementSize    = 16 // branch: pos, ksize u32, pgid u64; leaf: flags, pos, ksize, vsize u32
	bucketHeader   = 16 // root pgid u64, sequence u64
	noFreelist     = ^uint64(0)

	flagBranch   = 0x01
	flagLeaf     = 0x02
	flagFreelist = 0x10
	leafBucket   = 0x01

	minPageSize = 1 << 10
	maxPageSize = 1 << 24
	// maxDepth bounds the B+tree walk: bbolt's trees here are two or three levels deep, and
	// buckets nest one level; a deeper chain is a corrupt file (and would recurse for ever).
	maxDepth = 64
)

var ne = binary.NativeEndian

// metaPage is a decoded meta page.
type metaPage struct {
	pageSize, version uint32
	root, freelist    uint64
	hwm, txid         uint64
	magicOK, sumOK    bool
}

func (m metaPage) valid() bool { return m.magicOK && m.version == boltVersion && m.sumOK }

// readMeta decodes the meta page at off (the page header's start); ok is false past the end.
func readMeta(f io.ReaderAt, off int64) (metaPage, bool) {
	var b [pageHeaderSize + metaSize]byte
	if _, err := f.ReadAt(b[:], off); err != nil {
		return metaPage{}, false
	}
	m := b[pageHeaderSize:]
	h := fnv.New64a()
	h.Write(m[:56])
	return metaPage{
		magicOK: ne.Uint32(m[0:]) == boltMagic, version: ne.Uint32(m[4:]),
		pageSize: ne.Uint32(m[8:]), root: ne.Uint64(m[16:]), freelist: ne.Uint64(m[32:]), hwm: ne.Uint64(m[40:]),
		txid: ne.Uint64(m[48:]), sumOK: ne.Uint64(m[56:]) == h.Sum64(),
	}, true
}

// checkDataFile checks an existing, non-empty file before bbolt opens it: its size against the
// limit, its meta pages (magic, version, checksum), its size against the page size and the meta's
// high-water mark, and every page reachable from the root and the freelist for ids, lengths and
// offsets inside the file. What it does not check (key order, pages referenced twice, freed pages
// still in use) bbolt's Check does once the file is open.
func checkDataFile(path string, f *os.File, maxBytes int64) error {
	fi, err := f.Stat()
	if err != nil {
		return &DataFileError{Path: path, Problem: err.Error(), Fix: "check the path and its permissions", Kind: ErrDataNotStore}
	}
	size := fi.Size()
	switch {
	case !fi.Mode().IsRegular():
		return notStore(path, "not a regular file (%s)", fi.Mode().Type())
	case size == 0:
		return &DataFileError{Path: path, Problem: "empty file (0 bytes), not a store",
			Fix: "delete it to start with an empty store, or give --data the store's file", Kind: ErrDataNotStore}
	case size > maxBytes:
		return &DataFileError{Path: path, Problem: fmt.Sprintf("%d bytes, over the data file limit of %d bytes", size, maxBytes),
			Fix: "--data-max-bytes raises the limit", Kind: ErrDataTooLarge}
	}
	active, err := activeMeta(path, f, size)
	if err != nil {
		return err
	}
	ps := int64(active.pageSize)
	need := int64(active.hwm) * ps
	switch {
	case size < 2*ps:
		return damaged(path, "truncated: %d bytes, less than two pages of %d", size, ps)
	case size%ps != 0:
		return damaged(path, "truncated or damaged: %d bytes is not a multiple of its page size %d", size, ps)
	case active.hwm < 2 || need/ps != int64(active.hwm) || need > maxBytes:
		return damaged(path, "its meta page's high-water mark (%d pages) is impossible", active.hwm)
	case size < need:
		return damaged(path, "truncated: %d bytes, but its meta page's high-water mark of %d pages needs %d", size, active.hwm, need)
	}
	w := &pageWalker{path: path, f: f, ps: ps, hwm: active.hwm, seen: map[uint64]bool{}}
	if active.freelist != noFreelist {
		if err := w.freelist(active.freelist); err != nil {
			return err
		}
	}
	return w.tree(active.root, 0)
}

// activeMeta returns the meta page bbolt will use: the valid one with the higher txid. Like
// bbolt, it looks for the second meta page at every possible page size when the first is bad.
func activeMeta(path string, f io.ReaderAt, size int64) (metaPage, error) {
	m0, _ := readMeta(f, 0)
	var m1 metaPage
	switch {
	case m0.valid() && validPageSize(m0.pageSize):
		m1, _ = readMeta(f, int64(m0.pageSize))
	default:
		for ps := int64(minPageSize); ps <= maxPageSize && ps+pageHeaderSize+metaSize <= size; ps <<= 1 {
			if m, ok := readMeta(f, ps); ok && m.valid() && int64(m.pageSize) == ps {
				m1 = m
				break
			}
		}
	}
	ok0, ok1 := m0.valid() && validPageSize(m0.pageSize), m1.valid() && validPageSize(m1.pageSize)
	switch {
	case ok0 && ok1 && m0.pageSize != m1.pageSize:
		return metaPage{}, damaged(path, "its two meta pages disagree on the page size (%d, %d)", m0.pageSize, m1.pageSize)
	case ok0 && (!ok1 || m0.txid >= m1.txid):
		return m0, nil
	case ok1:
		return m1, nil
	case !m0.magicOK && !m1.magicOK:
		return metaPage{}, notStore(path, "not a bbolt store: no bbolt meta page (magic number) in its first pages")
	case m0.magicOK && m0.version != boltVersion:
		return metaPage{}, notStore(path, "bbolt format version %d, this build reads version %d", m0.version, boltVersion)
	case m1.magicOK && m1.version != boltVersion:
		return metaPage{}, notStore(path, "bbolt format version %d, this build reads version %d", m1.version, boltVersion)
	}
	return metaPage{}, damaged(path, "both meta pages are corrupt (checksum mismatch or a bad page size)")
}

func validPageSize(ps uint32) bool {
	return ps >= minPageSize && ps <= maxPageSize && ps&(ps-1) == 0
}

// pageWalker reads pages with bounds checks; seen stops a walk from visiting a page twice.
type pageWalker struct {
	path string
	f    io.ReaderAt
	ps   int64
	hwm  uint64
	seen map[uint64]bool
}

// header reads page id's header and returns its flags, count and span (bytes, overflow included).
func (w *pageWalker) header(id uint64, want string) (flags uint16, count uint16, span int64, err error) {
	if id < 2 || id >= w.hwm {
		return 0, 0, 0, damaged(w.path, "%s page id %d is outside the file's %d pages", want, id, w.hwm)
	}
	if w.seen[id] {
		return 0, 0, 0, damaged(w.path, "page %d is referenced twice", id)
	}
	w.seen[id] = true
	var b [pageHeaderSize]byte
	if _, err := w.f.ReadAt(b[:], int64(id)*w.ps); err != nil {
		return 0, 0, 0, damaged(w.path, "cannot read page %d: %v", id, err)
	}
	overflow := uint64(ne.Uint32(b[12:]))
	switch {
	case ne.Uint64(b[0:]) != id:
		return 0, 0, 0, damaged(w.path, "page %d says it is page %d", id, ne.Uint64(b[0:]))
	case id+overflow >= w.hwm:
		return 0, 0, 0, damaged(w.path, "page %d runs %d pages past the file's %d", id, overflow, w.hwm)
	}
	return ne.Uint16(b[8:]), ne.Uint16(b[10:]), int64(overflow+1) * w.ps, nil
}

// freelist checks the freelist page: its type, its id count within its span and every id in range.
func (w *pageWalker) freelist(id uint64) error {
	flags, count, span, err := w.header(id, "freelist")
	if err != nil {
		return err
	}
	if flags != flagFreelist {
		return damaged(w.path, "invalid freelist page %d (type %#x)", id, flags)
	}
	start, n := int64(pageHeaderSize), uint64(count)
	if count == 0xFFFF {
		var b [8]byte
		if _, err := w.f.ReadAt(b[:], int64(id)*w.ps+pageHeaderSize); err != nil {
			return damaged(w.path, "cannot read freelist page %d: %v", id, err)
		}
		start, n = pageHeaderSize+8, ne.Uint64(b[:])
	}
	if n > uint64(span-start)/8 {
		return damaged(w.path, "freelist page %d lists %d ids, more than fit in it", id, n)
	}
	// Read in chunks: a freelist may span many pages.
	buf := make([]byte, 8*1024)
	for off := int64(0); off < int64(n)*8; off += int64(len(buf)) {
		chunk := buf[:min(int64(len(buf)), int64(n)*8-off)]
		if _, err := w.f.ReadAt(chunk, int64(id)*w.ps+start+off); err != nil {
			return damaged(w.path, "cannot read freelist page %d: %v", id, err)
		}
		for i := 0; i < len(chunk); i += 8 {
			if free := ne.Uint64(chunk[i:]); free < 2 || free >= w.hwm {
				return damaged(w.path, "freelist page %d lists page %d, outside the file's %d pages", id, free, w.hwm)
			}
		}
	}
	return nil
}

// tree checks the B+tree page id and everything under it: branch elements' children, leaf
// elements' keys and values inside the page, and the buckets a leaf holds.
func (w *pageWalker) tree(id uint64, depth int) error {
	if depth > maxDepth {
		return damaged(w.path, "its B+tree is deeper than %d levels at page %d", maxDepth, id)
	}
	flags, count, span, err := w.header(id, "tree")
	if err != nil {
		return err
	}
	if flags != flagBranch && flags != flagLeaf {
		return damaged(w.path, "page %d should be a branch or leaf page, its type is %#x", id, flags)
	}
	if int64(count)*elementSize > span-pageHeaderSize {
		return damaged(w.path, "page %d has %d elements, more than fit in it", id, count)
	}
	elems := make([]byte, int(count)*elementSize)
	if _, err := w.f.ReadAt(elems, int64(id)*w.ps+pageHeaderSize); err != nil {
		return damaged(w.path, "cannot read page %d: %v", id, err)
	}
	if flags == flagBranch {
		if count == 0 {
			return damaged(w.path, "branch page %d has no elements", id)
		}
		for i := range int(count) {
			e := elems[i*elementSize:]
			if err := w.inPage(id, i, span, ne.Uint32(e[0:]), uint64(ne.Uint32(e[4:]))); err != nil {
				return err
			}
			if err := w.tree(ne.Uint64(e[8:]), depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return w.leaf(id, int64(id)*w.ps, span, elems, depth)
}

// inPage checks that element i's key and value (n bytes from pos, relative to the element)
// lie inside the page's span.
func (w *pageWalker) inPage(id uint64, i int, span int64, pos uint32, n uint64) error {
	start := pageHeaderSize + int64(i)*elementSize + int64(pos)
	if uint64(start)+n > uint64(span) {
		return damaged(w.path, "element %d of page %d points past the page's end", i, id)
	}
	return nil
}

// leaf checks a leaf page's elements (at base, span bytes) and walks the buckets it holds.
func (w *pageWalker) leaf(id uint64, base, span int64, elems []byte, depth int) error {
	for i := range len(elems) / elementSize {
		e := elems[i*elementSize:]
		flags, pos, ksize, vsize := ne.Uint32(e[0:]), ne.Uint32(e[4:]), ne.Uint32(e[8:]), ne.Uint32(e[12:])
		if err := w.inPage(id, i, span, pos, uint64(ksize)+uint64(vsize)); err != nil {
			return err
		}
		if flags&leafBucket == 0 {
			continue
		}
		// A bucket's value is its header, then, for an inline bucket (root 0), its leaf page.
		if vsize < bucketHeader || int64(vsize) > bucketHeader+w.ps {
			return damaged(w.path, "bucket element %d of page %d has a %d-byte value", i, id, vsize)
		}
		value := make([]byte, vsize)
		if _, err := w.f.ReadAt(value, base+pageHeaderSize+int64(i)*elementSize+int64(pos)+int64(ksize)); err != nil {
			return damaged(w.path, "cannot read page %d: %v", id, err)
		}
		root := ne.Uint64(value)
		if root != 0 {
			if vsize != bucketHeader {
				return damaged(w.path, "bucket element %d of page %d has a %d-byte value", i, id, vsize)
			}
			if err := w.tree(root, depth+1); err != nil {
				return err
			}
			continue
		}
		if err := w.inline(id, value[bucketHeader:]); err != nil {
			return err
		}
	}
	return nil
}

// inline checks an inline bucket's page: a leaf page inside a value, holding no buckets.
func (w *pageWalker) inline(id uint64, page []byte) error {
	if len(page) < pageHeaderSize {
		return damaged(w.path, "an inline bucket on page %d is shorter than a page header", id)
	}
	flags, count := ne.Uint16(page[8:]), int(ne.Uint16(page[10:]))
	if flags != flagLeaf || pageHeaderSize+count*elementSize > len(page) {
		return damaged(w.path, "an inline bucket on page %d is not a leaf page that fits its value", id)
	}
	for i := range count {
		e := page[pageHeaderSize+i*elementSize:]
		start := uint64(pageHeaderSize+i*elementSize) + uint64(ne.Uint32(e[4:]))
		if ne.Uint32(e[0:])&leafBucket != 0 || start+uint64(ne.Uint32(e[8:]))+uint64(ne.Uint32(e[12:])) > uint64(len(page)) {
			return damaged(w.path, "an inline bucket on page %d has an element outside it", id)
		}
	}
	return nil
}
