package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeLoop runs the README's detection engineer's loop as written:
// its commands, its detection and its cases, and compares the report.
func TestReadmeLoop(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	start := strings.Index(readme, "## The detection engineer's loop in five commands")
	end := strings.Index(readme, "## Targets and techniques")
	if start < 0 || end < start {
		t.Fatal("the README has no loop section")
	}
	section := readme[start:end]
	blocks := regexp.MustCompile("(?s)```(sh|yaml|text)\n(.*?)```").FindAllStringSubmatch(section, -1)
	if len(blocks) != 4 {
		t.Fatalf("%d code blocks in the loop section, want sh, two yaml and text", len(blocks))
	}
	dir := t.TempDir()
	abs := func(s string) string {
		return strings.NewReplacer("fixtures/", dir+"/fixtures/", "detections/", dir+"/detections/", "report.xml", dir+"/report.xml").Replace(s)
	}
	for _, b := range blocks[1:3] {
		name, _, _ := strings.Cut(strings.TrimPrefix(b[2], "# "), "\n")
		path := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(b[2]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	state := t.TempDir()
	var last string
	for _, line := range strings.Split(strings.TrimSpace(blocks[0][2]), "\n") {
		cmdline, _, _ := strings.Cut(line, "#")
		fields := strings.Fields(abs(cmdline))
		if len(fields) == 0 || fields[0] == "$EDITOR" {
			continue
		}
		if fields[0] != "irdrill" {
			t.Fatalf("README command %q", line)
		}
		args := fields[1:]
		if fields[1] == "simulate" {
			args = append(args, "--state-dir", state)
		}
		out, stderr, err := execute(t, args...)
		if err != nil {
			t.Fatalf("%s: %v\n%s\n%s", line, err, out, stderr)
		}
		last = out
	}
	if want := blocks[3][2]; last != want {
		t.Errorf("detect test printed\n%s\nthe README shows\n%s", last, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "report.xml")); err != nil {
		t.Errorf("no JUnit report: %v", err)
	}
}
