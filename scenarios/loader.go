package scenarios

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Load reads and parses one scenario file.
func Load(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{File: path, Msg: "cannot read the file: " + err.Error(), Fix: "check the path and its permissions", cause: err}
	}
	return Parse(path, data)
}

// Parse parses a scenario from data; path names the file in messages and in Scenario.Path. On
// failure the error is an *Error, or Errors when there are several problems.
func Parse(path string, data []byte) (*Scenario, error) {
	d := &decoder{file: path}
	root, syntax := parseTree(path, data, d.fail)
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

// scenarioFiles expands the arguments into a sorted list of files.
func scenarioFiles(paths []string) ([]string, error) {
	seen := map[string]bool{}
	var files []string
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
			if ext := strings.ToLower(filepath.Ext(p)); ext == ".yaml" || ext == ".yml" {
				add(p)
			}
			return nil
		})
		if err != nil {
			return nil, &Error{File: root, Msg: "cannot read: " + err.Error(), Fix: "check the directory's permissions", cause: err}
		}
	}
	if len(files) == 0 {
		return nil, &Error{File: strings.Join(paths, ", "), Msg: "no scenario files found", Fix: "pass .yaml files or directories that contain them"}
	}
	sort.Strings(files)
	return files, nil
}
