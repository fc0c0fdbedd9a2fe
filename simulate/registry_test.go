package simulate

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func nop(context.Context, *Run) error { return nil }

func validTechnique() *Technique {
	return &Technique{
		ID: "aws.impact.test-thing", Name: "n", Description: "d", Tactics: []Tactic{Impact}, MITRE: []string{"T1496"},
		Parameters: []Param{{Name: "count", Type: TypeInt, Default: "1", Min: 1, Max: 5, Description: "how many"}},
		Detonate:   nop, Cleanup: nop,
	}
}

func TestRegistryRules(t *testing.T) {
	t.Parallel()
	r := NewRegistry()
	if err := r.Register(validTechnique()); err != nil {
		t.Fatal(err)
	}
	if err := r.Register(validTechnique()); !errors.Is(err, ErrDuplicate) {
		t.Errorf("duplicate: %v", err)
	}
	for _, tc := range []struct {
		name   string
		change func(*Technique)
		want   string
	}{
		{"no MITRE IDs", func(t *Technique) { t.MITRE = nil }, "no MITRE ATT&CK technique ID"},
		{"bad MITRE ID", func(t *Technique) { t.MITRE = []string{"1496"} }, `MITRE technique ID "1496"`},
		{"no cleanup", func(t *Technique) { t.Cleanup = nil }, "no Cleanup"},
		{"no detonate", func(t *Technique) { t.Detonate = nil }, "no Detonate"},
		{"bad id", func(t *Technique) { t.ID = "impact.x" }, "want aws.<tactic>.<name>"},
		{"id tactic", func(t *Technique) { t.ID = "aws.discovery.x" }, `the id's tactic "discovery" is not the first tactic "impact"`},
		{"no tactic", func(t *Technique) { t.Tactics = nil }, "no MITRE ATT&CK tactic"},
		{"bad default", func(t *Technique) { t.Parameters[0].Default = "nine" }, "parameter count: default: want an integer"},
		{"telemetry", func(t *Technique) { t.Telemetry = []string{"s3"} }, `telemetry "s3"`},
	} {
		tech := validTechnique()
		tech.ID = "aws.impact.other"
		tc.change(tech)
		if err := r.Register(tech); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	if _, err := r.Lookup("aws.impact.nope"); err == nil || !strings.Contains(err.Error(), "aws.impact.test-thing") {
		t.Errorf("lookup: %v", err)
	}
}

func TestResolveParams(t *testing.T) {
	t.Parallel()
	tech := validTechnique()
	tech.Parameters = append(tech.Parameters,
		Param{Name: "ip", Type: TypeIP, Default: "203.0.113.99", Description: "d"},
		Param{Name: "mode", Type: TypeEnum, Enum: []string{"a", "b"}, Default: "a", Description: "d"},
		Param{Name: "ttl", Type: TypeDuration, Default: "1h", Description: "d"},
		Param{Name: "on", Type: TypeBool, Default: "false", Description: "d"})
	p, err := tech.ResolveParams(map[string]string{"count": "3", "on": "true"})
	if err != nil || p.Int("count") != 3 || !p.Bool("on") || p.String("ip") != "203.0.113.99" || p.Duration("ttl").Hours() != 1 {
		t.Errorf("%v %v", p.Map(), err)
	}
	for given, want := range map[string]string{
		"count=9":  "--param count=9: want 1 to 5, not 9",
		"count=x":  "want an integer",
		"ip=1.2.3": "want an IP address",
		"mode=c":   "want one of a, b",
		"ttl=-1s":  "want a duration",
		"on=maybe": "want true or false",
		"cuont=1":  "--param cuont: aws.impact.test-thing has no such parameter (it has count, ip, mode, ttl, on)",
	} {
		name, value, _ := strings.Cut(given, "=")
		if _, err := tech.ResolveParams(map[string]string{name: value}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", given, err, want)
		}
	}
	if _, err := ParseParamFlags([]string{"a=1", "a=2"}); err == nil || !strings.Contains(err.Error(), "given twice") {
		t.Errorf("twice: %v", err)
	}
	if _, err := ParseParamFlags([]string{"noequals"}); err == nil || !strings.Contains(err.Error(), "want name=value") {
		t.Errorf("no '=': %v", err)
	}
	if m, err := ParseParamFlags([]string{"a=b=c", "e="}); err != nil || m["a"] != "b=c" || m["e"] != "" {
		t.Errorf("values with '=': %v %v", m, err)
	}
}

// FuzzParams: any --param flags and values are parsed and validated or
// refused with an error naming --param; never a panic.
func FuzzParams(f *testing.F) {
	f.Add("count=3", "ip=::1")
	f.Add("mode=b", "=x")
	f.Add("count=99999999999999999999", "ttl=1h")
	tech := validTechnique()
	tech.Parameters = append(tech.Parameters, Param{Name: "ip", Type: TypeIP, Default: "::1", Description: "d"},
		Param{Name: "ttl", Type: TypeDuration, Default: "1m", Description: "d"}, Param{Name: "mode", Type: TypeEnum, Enum: []string{"a", "b"}, Default: "a", Description: "d"})
	f.Fuzz(func(t *testing.T, a, b string) {
		m, err := ParseParamFlags([]string{a, b})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "--param") {
				t.Fatalf("error %q", err)
			}
			return
		}
		p, err := tech.ResolveParams(m)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "--param") {
				t.Fatalf("error %q", err)
			}
			return
		}
		_ = p.Int("count")
		_ = p.Duration("ttl")
	})
}
