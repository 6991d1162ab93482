package scenarios

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// Load reads and parses one scenario file. Only a regular file (or a symbolic link to one) is
// read, and at most MaxFileBytes of it: a pipe, a device such as /dev/zero, a socket or a
// directory is refused by name before it is opened, as reading it could block or never end.
func Load(path string) (*Scenario, error) {
	data, err := readScenario(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// readScenario reads a regular file of at most MaxFileBytes.
func readScenario(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, &Error{File: path, Msg: "cannot read the file: " + err.Error(), Fix: "check the path and its permissions", cause: err}
	}
	if e := notRegular(path, info); e != nil {
		return nil, e
	}
	if info.Size() > MaxFileBytes {
		return nil, tooLarge(path, info.Size())
	}
	// O_NONBLOCK: should the path be swapped for a pipe after the Stat, opening it does not wait for
	// a writer, and the Stat of the open file refuses it.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, &Error{File: path, Msg: "cannot read the file: " + err.Error(), Fix: "check the path and its permissions", cause: err}
	}
	defer f.Close()
	if info, err = f.Stat(); err != nil {
		return nil, &Error{File: path, Msg: "cannot read the file: " + err.Error(), Fix: "check the path and its permissions", cause: err}
	}
	if e := notRegular(path, info); e != nil {
		return nil, e
	}
	// The file can grow after the Stat: read one byte past the limit to tell.
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, &Error{File: path, Msg: "cannot read the file: " + err.Error(), Fix: "check the path and its permissions", cause: err}
	}
	if len(data) > MaxFileBytes {
		return nil, tooLarge(path, int64(len(data)))
	}
	return data, nil
}

// notRegular refuses anything but a regular file, saying what it is.
func notRegular(path string, info fs.FileInfo) *Error {
	m := info.Mode()
	if m.IsRegular() {
		return nil
	}
	what := "not a regular file"
	switch {
	case m.IsDir():
		what = "a directory"
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	case m&fs.ModeCharDevice != 0:
		what = "a character device"
	case m&fs.ModeDevice != 0:
		what = "a device"
	}
	fix := "name a scenario file; a pipe, device or socket is never read, as reading it could block or never end"
	if m.IsDir() {
		fix = "pass the directory itself to load the scenarios in it, or name a file in it"
	}
	return &Error{File: path, Msg: "is " + what + ", not a regular file", Fix: fix, cause: ErrNotRegular}
}

func tooLarge(path string, size int64) *Error {
	return limitError(path, pos{}, "", "the file holds "+thousands(int(size))+" bytes or more, more than "+thousands(MaxFileBytes),
		"split the scenario or shorten it"+fixed("MaxFileBytes"))
}

// Parse parses a scenario from data; path names the file in messages and in Scenario.Path. On
// failure the error is an *Error, or Errors when there are several problems. Data over
// MaxFileBytes is refused unread. A leading UTF-8 byte order mark is dropped and CRLF (or CR) line
// endings read as LF, so that positions are those of the same file with LF endings; SHA256 is
// still the hash of data as given.
func Parse(path string, data []byte) (*Scenario, error) {
	if len(data) > MaxFileBytes {
		return nil, tooLarge(path, int64(len(data)))
	}
	d := &decoder{file: path}
	root, syntax := parseTree(path, normalize(data), d.fail)
	if syntax != nil {
		return nil, syntax
	}
	// The schema checks each field's form first; the decoder then applies the defaults and the
	// rules across fields. A problem both see is reported once (mergeSchemaErrors).
	d.noteTreeSecrets(root)
	checked := d.validateSchema(root)
	s := d.scenario(path, root)
	d.errs = mergeSchemaErrors(checked, d.errs)
	if len(d.errs) > 0 {
		d.redact()
		return nil, joinErrors(d.errs)
	}
	sum := sha256.Sum256(data)
	s.Path, s.SHA256 = path, hex.EncodeToString(sum[:])
	return s, nil
}

// normalize drops a leading byte order mark and turns CRLF and lone CR line breaks into LF, as
// YAML reads them all as one line break: goccy counts a CRLF after a comment as two lines.
func normalize(data []byte) []byte {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if bytes.IndexByte(data, '\r') < 0 {
		return data
	}
	out := make([]byte, 0, len(data))
	for i := 0; i < len(data); i++ {
		switch {
		case data[i] != '\r':
			out = append(out, data[i])
		case i+1 < len(data) && data[i+1] == '\n':
			// the LF follows
		default:
			out = append(out, '\n')
		}
	}
	return out
}

// LoadAll loads scenario files and directories. A directory is searched recursively for *.yaml and
// *.yml files, skipping directories named testdata below it (fixtures, often invalid on purpose);
// a file named explicitly is loaded whatever its extension. The scenarios come sorted by path,
// each file once. It fails when no file is found, when any file is invalid (reporting every
// problem of every file) or when two files declare the same scenario name.
func LoadAll(paths ...string) ([]*Scenario, error) {
	files, err := scenarioFiles(paths)
	if err != nil {
		return nil, err
	}
	var out []*Scenario
	var problems []*Error
	byName := map[string]*Scenario{}
	for _, file := range files {
		s, err := Load(file)
		if err != nil {
			problems = append(problems, flatten(err)...)
			continue
		}
		if first, dup := byName[s.Name]; dup {
			problems = append(problems, &Error{File: s.Path, Line: max(s.nameLine, 1), Field: "name",
				Msg: "scenario name " + quote(s.Name) + " is also used by " + first.Path, Fix: "give each scenario its own name (it defaults to the file name)"})
			continue
		}
		byName[s.Name] = s
		out = append(out, s)
	}
	if len(problems) > 0 {
		return nil, joinErrors(problems)
	}
	return out, nil
}

func flatten(err error) []*Error {
	switch e := err.(type) {
	case *Error:
		return []*Error{e}
	case Errors:
		return e
	}
	return []*Error{{Msg: err.Error()}}
}

// scenarioFiles expands the arguments into a sorted list of files. An entry of a directory named
// like a scenario that is not a regular file (a pipe, a socket, a device, a link to anything but a
// regular file) is refused by name without being opened, so that it can neither block the walk nor
// be skipped unnoticed.
func scenarioFiles(paths []string) ([]string, error) {
	seen := map[string]bool{}
	var files []string
	var problems []*Error
	add := func(p string) {
		p = filepath.Clean(p)
		if !seen[p] {
			seen[p] = true
			files = append(files, p)
		}
	}
	for _, root := range paths {
		info, err := os.Stat(root)
		if err != nil {
			return nil, &Error{File: root, Msg: "cannot read: " + err.Error(), Fix: "pass an existing scenario file or directory", cause: err}
		}
		if !info.IsDir() {
			add(root)
			continue
		}
		err = filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if e.IsDir() {
				if p != root && e.Name() == "testdata" {
					return filepath.SkipDir
				}
				return nil
			}
			if ext := strings.ToLower(filepath.Ext(p)); ext != ".yaml" && ext != ".yml" {
				return nil
			}
			if problem := entryProblem(p, e); problem != nil {
				problems = append(problems, problem)
				return nil
			}
			add(p)
			return nil
		})
		if err != nil {
			return nil, &Error{File: root, Msg: "cannot read: " + err.Error(), Fix: "check the directory's permissions", cause: err}
		}
	}
	if len(problems) > 0 {
		return nil, joinErrors(problems)
	}
	if len(files) == 0 {
		return nil, &Error{File: strings.Join(paths, ", "), Msg: "no scenario files found", Fix: "pass .yaml files or directories that contain them"}
	}
	sort.Strings(files)
	return files, nil
}

// entryProblem refuses a directory entry named like a scenario that is not a regular file. The
// entry's type comes from the directory listing; only a symbolic link is followed, with Stat.
func entryProblem(p string, e fs.DirEntry) *Error {
	t := e.Type()
	if t.IsRegular() {
		return nil
	}
	if t&fs.ModeSymlink == 0 {
		info, err := e.Info()
		if err != nil {
			return &Error{File: p, Msg: "cannot read: " + err.Error(), Fix: "check the file's permissions", cause: err}
		}
		return inWalk(notRegular(p, info))
	}
	info, err := os.Stat(p)
	if err != nil {
		return &Error{File: p, Msg: "is a symbolic link that cannot be followed: " + err.Error(), Fix: "point the link at a scenario file or remove it", cause: err}
	}
	return inWalk(notRegular(p, info))
}

// inWalk gives a refused directory entry the fix that fits a walk.
func inWalk(e *Error) *Error {
	if e != nil && errors.Is(e, ErrNotRegular) {
		e.Fix = "remove it from the directory, or rename it so that it does not end in .yaml or .yml"
	}
	return e
}
