package detect

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Tree is a directory of detections and test suites, as `irdrill detect
// test DIR` reads it: every .yaml or .yml file below it (hidden
// directories skipped) is a test suite when it has a top-level cases
// field, a fixture manifest when it has recording, and a detection
// otherwise.
type Tree struct {
	Root       string
	Detections []*Detection
	Suites     []*Suite
	// Problems are the files that did not parse (ParseErrors) and the
	// detection IDs given twice.
	Problems []*FileProblem

	byID   map[string]*Detection
	byPath map[string]*Detection
}

// FileProblem is a file of the tree that could not be used.
type FileProblem struct {
	File string // relative to the root
	Err  error
}

// LoadTree reads the detections and suites below root.
func LoadTree(root string) (*Tree, error) {
	st, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("read detections: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("read detections: %s is not a directory", root)
	}
	t := &Tree{Root: root, byID: map[string]*Detection{}, byPath: map[string]*Detection{}}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && strings.HasPrefix(name, ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if ext := filepath.Ext(name); ext != ".yaml" && ext != ".yml" {
			return nil
		}
		t.addFile(path)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read detections: %w", err)
	}
	sort.Slice(t.Detections, func(i, j int) bool { return t.Detections[i].ID < t.Detections[j].ID })
	return t, nil
}

func (t *Tree) rel(path string) string {
	if r, err := filepath.Rel(t.Root, path); err == nil {
		return filepath.ToSlash(r)
	}
	return path
}

func (t *Tree) addFile(path string) {
	rel := t.rel(path)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Problems = append(t.Problems, &FileProblem{rel, err})
		return
	}
	switch classify(rel, data) {
	case "suite":
		s, err := ParseSuite(rel, data)
		if err != nil {
			t.Problems = append(t.Problems, &FileProblem{rel, err})
			return
		}
		s.File = path
		t.Suites = append(t.Suites, s)
	case "recording":
	default:
		d, err := Parse(rel, data)
		if err != nil {
			t.Problems = append(t.Problems, &FileProblem{rel, err})
			return
		}
		if prev, dup := t.byID[d.ID]; dup {
			t.Problems = append(t.Problems, &FileProblem{rel, fmt.Errorf("%s: id: %q is also the id of %s", d.Where(), d.ID, prev.Where())})
			return
		}
		t.byID[d.ID] = d
		abs, _ := filepath.Abs(path)
		t.byPath[abs] = d
		t.Detections = append(t.Detections, d)
	}
}

// classify tells a suite from a detection by the top-level keys, without
// judging the rest.
func classify(name string, data []byte) string {
	_, entries, err := parseYAML(name, data)
	if err != nil {
		return "detection"
	}
	for _, mv := range entries {
		switch keyName(mv) {
		case "cases":
			return "suite"
		case "recording":
			return "recording"
		}
	}
	return "detection"
}

// Detection finds a detection by ID.
func (t *Tree) Detection(id string) (*Detection, bool) {
	d, ok := t.byID[id]
	return d, ok
}

// resolve finds a case's detection: an ID, or a file relative to the
// suite.
func (t *Tree) resolve(suite *Suite, ref string) (*Detection, error) {
	if d, ok := t.byID[ref]; ok {
		return d, nil
	}
	if !strings.HasSuffix(ref, ".yaml") && !strings.HasSuffix(ref, ".yml") {
		return nil, fmt.Errorf("no detection in the tree has the id %q", ref)
	}
	path := ref
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(suite.File), ref)
	}
	abs, _ := filepath.Abs(path)
	if d, ok := t.byPath[abs]; ok {
		return d, nil
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("detection file %s (%s): not found", ref, t.rel(path))
	}
	return ParseFile(path)
}
