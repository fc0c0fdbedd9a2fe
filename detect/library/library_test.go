package library_test

import (
	"context"
	"strings"
	"testing"

	"github.com/irdrill/irdrill/detect"
	"github.com/irdrill/irdrill/detect/library"
)

// TestLibraryCases runs the library's own test cases, as `irdrill detect
// test detect/library` does: every case passes, every file parses, and
// every detection is tested.
func TestLibraryCases(t *testing.T) {
	rep, err := detect.RunTests(context.Background(), ".", detect.TestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	rep.WriteText(&out, false)
	if !rep.OK() {
		t.Errorf("library cases failed:\n%s", out.String())
	}
	if len(rep.Untested) > 0 {
		t.Errorf("detections without a case: %v", rep.Untested)
	}
	t.Log(out.String())
}

// TestLibraryIsEmbedded checks that the embedded library is the tree's
// detections and that every one names its source in a comment.
func TestLibraryIsEmbedded(t *testing.T) {
	embedded, err := library.Detections()
	if err != nil {
		t.Fatal(err)
	}
	tree, err := detect.LoadTree(".")
	if err != nil {
		t.Fatal(err)
	}
	if len(embedded) != len(tree.Detections) || len(embedded) < 19 {
		t.Fatalf("%d embedded detections, %d in the tree; want the same, at least 19", len(embedded), len(tree.Detections))
	}
	for i, d := range embedded {
		if d.ID != tree.Detections[i].ID {
			t.Errorf("embedded %s, tree %s", d.ID, tree.Detections[i].ID)
		}
		data, err := library.FS.ReadFile(strings.TrimPrefix(d.File, "detect/library/"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(data), "# Source: ") {
			t.Errorf("%s does not start with a # Source: comment naming where it comes from", d.File)
		}
	}
}
