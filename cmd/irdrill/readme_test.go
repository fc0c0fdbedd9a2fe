package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
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

// readmeFlagTables reads the README's flag tables: each follows a line
// "Flags of `irdrill …`:" and has the columns flag, env, default.
func readmeFlagTables(t *testing.T) map[string][][3]string {
	t.Helper()
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	tables := map[string][][3]string{}
	heading := regexp.MustCompile("^Flags of `(irdrill[a-z ]*)`:$")
	cell := regexp.MustCompile("^`([^`]*)`")
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		m := heading.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		i++
		for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
			i++
		}
		if i+1 >= len(lines) || lines[i] != "| flag | env | default |" || lines[i+1] != "|---|---|---|" {
			t.Fatalf("README: the table of %s at line %d does not start with | flag | env | default |", m[1], i+1)
		}
		for i += 2; i < len(lines) && strings.HasPrefix(lines[i], "|"); i++ {
			cells := strings.Split(strings.Trim(lines[i], "|"), "|")
			if len(cells) < 3 {
				t.Fatalf("README line %d: %q", i+1, lines[i])
			}
			var row [3]string
			for j := range row {
				c := strings.TrimSpace(cells[j])
				if sub := cell.FindStringSubmatch(c); sub != nil {
					c = sub[1]
				} else if j == 2 {
					c = strings.Fields(c + " -")[0]
					c = strings.TrimSuffix(c, ":")
				}
				row[j] = c
			}
			tables[m[1]] = append(tables[m[1]], row)
		}
	}
	return tables
}

// TestReadmeFlagTables: the README's flag tables list every flag of their
// command, with its environment variable and its default, and no flag the
// command does not have.
func TestReadmeFlagTables(t *testing.T) {
	t.Parallel()
	tables := readmeFlagTables(t)
	for _, path := range []string{"irdrill lab", "irdrill sandbox serve", "irdrill sandbox health"} {
		if tables[path] == nil {
			t.Errorf("the README has no flag table for %s", path)
		}
	}
	root := newRootCommand()
	for path, rows := range tables {
		cmd, _, err := root.Find(strings.Fields(path)[1:])
		if err != nil || cmd.CommandPath() != path {
			t.Errorf("README: a flag table for %s, which is not a command", path)
			continue
		}
		listed := map[string]bool{}
		for _, row := range rows {
			name := strings.TrimPrefix(row[0], "--")
			listed[name] = true
			f := cmd.LocalFlags().Lookup(name)
			if f == nil {
				t.Errorf("README: %s has no flag %s", path, row[0])
				continue
			}
			if env := flagEnv(f); row[1] != env {
				t.Errorf("README: %s %s: env %q, the flag reads %q", path, row[0], row[1], env)
			}
			if !sameDefault(f, row[2]) {
				t.Errorf("README: %s %s: default %q, the flag's is %q", path, row[0], row[2], f.DefValue)
			}
		}
		cmd.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if f.Name != "help" && !listed[f.Name] {
				t.Errorf("README: the table of %s lacks --%s", path, f.Name)
			}
		})
	}
}

// sameDefault compares a README default with the flag's: durations by
// value (`0`, `2160h`), booleans as off/on, lists as none, the rest as
// text. The environment must not change the defaults under test.
func sameDefault(f *pflag.Flag, readme string) bool {
	if env := flagEnv(f); env != "" && os.Getenv(env) != "" {
		return true
	}
	switch f.Value.Type() {
	case "duration":
		want, err1 := time.ParseDuration(f.DefValue)
		if readme == "0" {
			readme = "0s"
		}
		got, err2 := time.ParseDuration(readme)
		return err1 == nil && err2 == nil && got == want
	case "bool":
		return (readme == "off") == (f.DefValue == "false") && (readme == "on" || readme == "off")
	case "stringArray":
		return readme == "none" && f.DefValue == "[]"
	case "string":
		if f.DefValue == "" {
			return readme == "none"
		}
	}
	return readme == f.DefValue
}
