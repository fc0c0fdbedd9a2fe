package detect

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// testTree writes a directory such as a detection engineer keeps: two
// detections, a broken one, fixtures and a suite with passing, failing and
// erroring cases.
func testTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "detections", "source-ip.yaml"), sourceIPDetection)
	writeFile(t, filepath.Join(root, "detections", "denied.yaml"), "# Source: a test\nid: t.denied\ntitle: denied\nseverity: medium\nmitre: [T1087.004]\ntelemetry: cloudtrail\nfilter_pattern: AccessDenied\n")
	writeFile(t, filepath.Join(root, "detections", "dns.yaml"), "id: t.dns\ntitle: d\nseverity: low\nmitre: [T1071.004]\ntelemetry: dns\ninsights: fields query_name\n")
	writeFile(t, filepath.Join(root, "detections", "untested.yaml"), "id: t.untested\ntitle: u\nseverity: low\nmitre: [T1496]\ntelemetry: cloudtrail\nfilter_pattern: Nothing\n")
	writeFile(t, filepath.Join(root, "detections", "broken.yaml"), "id: t.broken\ntitle: b\nseverity: low\nmitre: [T1496]\ntelemetry: cloudtrail\ninsights: |\n  filter eventName = \"x\"\n  | statz count(*)\n")
	attackFixture(t, filepath.Join(root, "fixtures", "attack"))
	writeFile(t, filepath.Join(root, "fixtures", "attack", RecordingFile), "recording:\n  description: test\n  parameters:\n    attacker_ip: 203.0.113.99\n")
	writeFile(t, filepath.Join(root, "fixtures", "empty", "cloudtrail.jsonl"), "")
	writeFile(t, filepath.Join(root, "tests", "cases.yaml"), `# The test suite.
cases:
  - name: fires on the attack
    detection: t.source-ip
    fixtures: ../fixtures/attack
    expect: fire
    rows: 4
  - name: wrong row count
    detection: t.source-ip
    fixtures: ../fixtures/attack
    expect: fire
    rows: 3
  - name: quiet on nothing
    detection: ../detections/denied.yaml
    fixtures: ../fixtures/empty
    expect: quiet
  - name: should be quiet but fires
    detection: t.denied
    fixtures: ../fixtures/attack
    expect: quiet
  - name: another address
    detection: t.source-ip
    fixtures: ../fixtures/attack
    expect: fire
    parameters:
      attacker_ip: 192.0.2.1
  - name: no such detection
    detection: t.missing
    fixtures: ../fixtures/attack
    expect: fire
  - name: no such fixtures
    detection: t.denied
    fixtures: ../fixtures/missing
    expect: fire
  - name: quiet in a window without the denials
    detection: t.denied
    fixtures: ../fixtures/attack
    expect: quiet
    window:
      start: 2021-07-29T01:39:32Z
      end: 2021-07-29T01:39:33Z
  - name: no DNS in the fixtures
    detection: t.dns
    fixtures: ../fixtures/attack
    expect: quiet
  - name: unknown parameter
    detection: t.denied
    fixtures: ../fixtures/attack
    expect: quiet
    parameters:
      attacker_ip: 1.2.3.4
`)
	return root
}

func fixedClock() func() time.Time {
	t := t0
	return func() time.Time { return t }
}

func TestRunTests(t *testing.T) {
	root := testTree(t)
	rep, err := RunTests(context.Background(), root, TestOptions{Clock: fixedClock()})
	if err != nil {
		t.Fatal(err)
	}
	passed, failed, errored := rep.Counts()
	if passed != 3 || failed != 3 || errored != 5 || rep.OK() {
		t.Errorf("passed %d failed %d errored %d", passed, failed, errored)
	}
	if len(rep.Untested) != 1 || rep.Untested[0] != "t.untested" {
		t.Errorf("untested %v", rep.Untested)
	}
	if len(rep.Problems) != 1 || rep.Problems[0].File != "detections/broken.yaml" || !strings.Contains(rep.Problems[0].Err.Error(), "detections/broken.yaml:8:5: insights:") {
		t.Errorf("problems %v", rep.Problems[0].Err)
	}
	var text, junit bytes.Buffer
	if err := rep.WriteText(&text, true); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteJUnit(&junit); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.golden", text.Bytes())
	golden(t, "junit.golden", junit.Bytes())
}

// A copy of the folder anywhere runs the same: every path is relative.
func TestRunTestsFromACopy(t *testing.T) {
	root := testTree(t)
	moved := filepath.Join(t.TempDir(), "elsewhere")
	if err := os.Rename(root, moved); err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	defer os.Chdir(wd)
	if err := os.Chdir(filepath.Dir(moved)); err != nil {
		t.Fatal(err)
	}
	rep, err := RunTests(context.Background(), "elsewhere", TestOptions{Clock: fixedClock()})
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	rep.WriteText(&text, true)
	golden(t, "report.golden", text.Bytes())
}

func TestRunTestsParameterOverride(t *testing.T) {
	root := testTree(t)
	rep, err := RunTests(context.Background(), root, TestOptions{Parameters: map[string]string{"attacker_ip": "192.0.2.1"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range rep.Cases {
		if c.Name == "fires on the attack" && (c.Passed || !strings.Contains(c.Message, "expected to fire, got 0 rows")) {
			t.Errorf("override ignored: %+v", c)
		}
	}
}

func TestRunTestsEmpty(t *testing.T) {
	rep, err := RunTests(context.Background(), t.TempDir(), TestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	rep.WriteText(&text, false)
	if rep.OK() || !strings.Contains(text.String(), "no test cases") || !strings.HasSuffix(text.String(), "0 passed, 0 failed\n") {
		t.Errorf("empty tree: OK %v, report %q", rep.OK(), text.String())
	}
	if _, err := RunTests(context.Background(), filepath.Join(t.TempDir(), "nope"), TestOptions{}); err == nil {
		t.Error("RunTests of a missing directory succeeded")
	}
}

// testdataDir is absolute, for tests that change directory.
var testdataDir = func() string {
	wd, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	return filepath.Join(wd, "testdata")
}()

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join(testdataDir, name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}
