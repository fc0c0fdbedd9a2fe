// Package library is irdrill's own detections, one YAML file each, with
// the test suites (tests/) and fixtures (fixtures/) that `irdrill detect
// test detect/library` and `go test ./detect/library` run. Every detection
// names the seed section it comes from in a comment at its top.
package library

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"

	"github.com/irdrill/irdrill/detect"
)

// FS holds the library's detection files.
//
//go:embed *.yaml
var FS embed.FS

// Detections parses every detection of the library, sorted by ID.
func Detections() ([]*detect.Detection, error) {
	entries, err := fs.ReadDir(FS, ".")
	if err != nil {
		return nil, err
	}
	var out []*detect.Detection
	for _, e := range entries {
		if path.Ext(e.Name()) != ".yaml" {
			continue
		}
		data, err := FS.ReadFile(e.Name())
		if err != nil {
			return nil, err
		}
		d, err := detect.Parse("detect/library/"+e.Name(), data)
		if err != nil {
			return nil, fmt.Errorf("library: %w", err)
		}
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}
