package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/irdrill/irdrill/sandbox/sandboxtest"
	"github.com/irdrill/irdrill/simulate"
)

func TestTechniquesCommands(t *testing.T) {
	t.Parallel()
	out, _, err := execute(t, "techniques", "list")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"aws.impact.ec2-crypto-mining", "T1496", "aws.benign.baseline", "aws.defense-evasion.cloudtrail-stop  defense-evasion", "T1562.008"} {
		if !strings.Contains(out, s) {
			t.Errorf("list lacks %q:\n%s", s, out)
		}
	}
	out, _, err = execute(t, "techniques", "list", "--output", "json")
	var list []techniqueJSON
	if err != nil || json.Unmarshal([]byte(out), &list) != nil || len(list) < 6 {
		t.Fatalf("list json: %v\n%s", err, out)
	}
	for _, tech := range list {
		if len(tech.MITRE) == 0 || len(tech.Tactics) == 0 {
			t.Errorf("%s without MITRE IDs", tech.ID)
		}
	}
	out, _, err = execute(t, "techniques", "show", "aws.impact.ec2-crypto-mining")
	if err != nil || !strings.Contains(out, "instances-per-subnet  int") || !strings.Contains(out, "impact (TA0040)") {
		t.Errorf("show: %v\n%s", err, out)
	}
	if _, _, err := execute(t, "techniques", "show", "aws.impact.nope"); err == nil || !strings.Contains(err.Error(), `no technique "aws.impact.nope"`) {
		t.Errorf("show unknown: %v", err)
	}
}

// TestSimulateOnEmbedded detonates on the embedded sandbox with --record,
// and checks that the recording is a fixture directory detect test reads;
// the run's journal is closed with the sandbox.
func TestSimulateOnEmbedded(t *testing.T) {
	t.Parallel()
	state, rec := t.TempDir(), filepath.Join(t.TempDir(), "rec")
	out, stderr, err := execute(t, "simulate", "detonate", "aws.impact.ec2-crypto-mining", "--state-dir", state, "--record", rec, "--output", "json")
	if err != nil {
		t.Fatalf("detonate: %v\n%s", err, stderr)
	}
	var res runJSON
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if res.State != "detonated" || len(res.Calls) < 5 || res.Parameters["access_key_id"] != "AKIAIOSFODNN7EXAMPLE" || res.Parameters["attacker_ip"] != "203.0.113.99" {
		t.Errorf("result %+v", res)
	}
	for _, s := range []string{"lab: created user pipeline", "decoy i-", "recorded ", "the embedded sandbox stops with this command"} {
		if !strings.Contains(stderr, s) {
			t.Errorf("progress lacks %q:\n%s", s, stderr)
		}
	}
	data, err := os.ReadFile(filepath.Join(rec, "cloudtrail.jsonl"))
	if err != nil || !strings.Contains(string(data), "RunInstances") || strings.Contains(string(data), `\"eventName\":\"CreateUser\"`) {
		t.Errorf("recording: %v (CreateUser from the lab setup must be outside the window)", err)
	}
	// The recording is a fixture directory for detect test.
	burst, _ := filepath.Abs("../../detect/library/cloudtrail.run-instances-burst.yaml")
	users, _ := filepath.Abs("../../detect/library/lab.cloudtrail.users-roles-created.yaml")
	os.WriteFile(filepath.Join(filepath.Dir(rec), "cases.yaml"), []byte("cases:\n"+
		"  - {name: burst, detection: "+burst+", fixtures: rec, expect: fire, rows: 1}\n"+
		"  - {name: no setup in the window, detection: "+users+", fixtures: rec, expect: quiet}\n"), 0o644)
	if out, _, err := execute(t, "detect", "test", filepath.Dir(rec)); err != nil || !strings.Contains(out, "2 passed, 0 failed") {
		t.Errorf("detect test over the recording: %v\n%s", err, out)
	}
	rec2, err := simulate.LoadRun(state, res.Run)
	if err != nil || !rec2.Summary.Closed {
		t.Errorf("journal of a run on the embedded sandbox: %+v %v", rec2.Summary, err)
	}
	out, _, err = execute(t, "simulate", "status", "--state-dir", state, "--all")
	if err != nil || !strings.Contains(out, res.Run) || !strings.Contains(out, "(closed)") {
		t.Errorf("status: %v\n%s", err, out)
	}
}

// TestSimulateOnEndpoint plays a technique's phases in separate commands
// against a served sandbox, as a purple team does between steps.
func TestSimulateOnEndpoint(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t)
	state := t.TempDir()
	tgt := "endpoint:" + sb.URL
	out, stderr, err := execute(t, "simulate", "warmup", "aws.defense-evasion.cloudtrail-stop", "--target", tgt, "--state-dir", state)
	if err != nil || !strings.Contains(out, ": warm (journal ") {
		t.Fatalf("warmup: %v\n%s\n%s", err, out, stderr)
	}
	runID := strings.Fields(out)[1]
	out, stderr, err = execute(t, "simulate", "detonate", "aws.defense-evasion.cloudtrail-stop", "--target", tgt, "--state-dir", state)
	if err != nil || !strings.Contains(out, "run "+runID+" of aws.defense-evasion.cloudtrail-stop") || !strings.Contains(out, "irdrill detect run --target "+tgt) {
		t.Fatalf("detonate continues the warm run: %v\n%s\n%s", err, out, stderr)
	}
	if out, _, err = execute(t, "simulate", "revert", "aws.defense-evasion.cloudtrail-stop", "--target", tgt, "--state-dir", state); err != nil || !strings.Contains(out, ": reverted") {
		t.Fatalf("revert: %v\n%s", err, out)
	}
	out, _, err = execute(t, "simulate", "status", "--state-dir", state)
	if err != nil || !strings.Contains(out, runID) || !strings.Contains(out, "reverted") {
		t.Errorf("status: %v\n%s", err, out)
	}
	if out, stderr, err = execute(t, "simulate", "cleanup", "--all", "--state-dir", state); err != nil || !strings.Contains(out, "run "+runID+" of aws.defense-evasion.cloudtrail-stop: cleaned up") {
		t.Fatalf("cleanup --all: %v\n%s\n%s", err, out, stderr)
	}
	if out, _, err = execute(t, "simulate", "cleanup", "--run", runID, "--state-dir", state); err != nil || !strings.Contains(out, "cleaned up") {
		t.Errorf("second cleanup: %v\n%s", err, out)
	}
	if out, _, _ = execute(t, "simulate", "cleanup", "--all", "--state-dir", state); !strings.Contains(out, "no open run") {
		t.Errorf("cleanup --all with nothing open: %s", out)
	}
}
