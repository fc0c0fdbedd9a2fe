package detect

import (
	"errors"
	"strings"
	"testing"
	"time"
)

const validDetection = `# Source: lab §2.1.1 "IAM source ip address"
id: lab.cloudtrail.source-ip
title: API calls from a suspect address
description: Every call the address made.
severity: high
mitre: [T1078.004]
telemetry: cloudtrail
parameters:
  attacker_ip:
    default: 203.0.113.99
    description: the address the attacker calls from
insights: |
  filter sourceIPAddress = "${attacker_ip}"
  | fields awsRegion, userIdentity.arn, eventSource, eventName, sourceIPAddress, userAgent
fires:
  min_rows: 2
  field: sourceIPAddress
  value: ${attacker_ip}
timeout: 15m
`

func TestParseValid(t *testing.T) {
	d, err := Parse("source-ip.yaml", []byte(validDetection))
	if err != nil {
		t.Fatal(err)
	}
	if d.ID != "lab.cloudtrail.source-ip" || d.Severity != SeverityHigh || d.Telemetry != RoleCloudTrail ||
		len(d.MITRE) != 1 || d.MITRE[0] != "T1078.004" || d.Timeout != 15*time.Minute || d.Line != 2 {
		t.Errorf("parsed %+v", d)
	}
	if d.Rule.Kind != RuleInsights || !strings.HasPrefix(d.Rule.Text, `filter sourceIPAddress = "${attacker_ip}"`) {
		t.Errorf("rule %+v", d.Rule)
	}
	if d.Fires != (Fires{MinRows: 2, Field: "sourceIPAddress", Value: "${attacker_ip}", HasValue: true}) {
		t.Errorf("fires %+v", d.Fires)
	}
	if p, ok := d.Parameter("attacker_ip"); !ok || p.Default != "203.0.113.99" || p.Description == "" {
		t.Errorf("parameter %+v", p)
	}
	b, err := d.Bind(map[string]string{"attacker_ip": "192.0.2.1", "unrelated": "x"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.Text, `"192.0.2.1"`) || b.FieldValue != "192.0.2.1" {
		t.Errorf("bound %q / %q", b.Text, b.FieldValue)
	}
	if b, _ := d.Bind(nil); b.Values["attacker_ip"] != "203.0.113.99" {
		t.Errorf("default not used: %v", b.Values)
	}
}

// TestParseErrors: every error names the file, the line and the field.
func TestParseErrors(t *testing.T) {
	base := func(replace ...string) string {
		return strings.NewReplacer(replace...).Replace(validDetection)
	}
	tests := []struct {
		name  string
		src   string
		line  int
		col   int // 0: not checked
		field string
		msg   string
	}{
		{"YAML syntax", "id: [x\n", 1, 0, "", "not found"},
		{"empty file", "", 1, 0, "", "empty"},
		{"top level a list", "- id: x\n", 1, 0, "", "want a mapping of fields"},
		{"two documents", validDetection + "---\nid: y\n", 21, 0, "", "more than one YAML document"},
		{"unknown field", base("timeout: 15m", "timeout: 15m\nowner: me"), 20, 1, "owner", "unknown field"},
		{"duplicate field", base("severity: high", "severity: high\nseverity: low"), 6, 0, "", "already defined"},
		{"bad id", base("id: lab.cloudtrail.source-ip", "id: Lab Source IP"), 2, 5, "id", "not an id"},
		{"missing title", base("title: API calls from a suspect address\n", ""), 1, 0, "title", "missing"},
		{"bad severity", base("severity: high", "severity: urgent"), 5, 11, "severity", `"urgent" is not a severity`},
		{"bad MITRE id", base("[T1078.004]", "[T1078.004, TA0001]"), 6, 20, "mitre[1]", `"TA0001" is not an ATT&CK technique ID`},
		{"empty MITRE", base("[T1078.004]", "[]"), 6, 0, "mitre", "is empty"},
		{"bad telemetry", base("telemetry: cloudtrail", "telemetry: cloudwatch"), 7, 12, "telemetry", `"cloudwatch" is not a telemetry role`},
		{"no rule", base("insights: |\n  filter sourceIPAddress = \"${attacker_ip}\"\n  | fields awsRegion, userIdentity.arn, eventSource, eventName, sourceIPAddress, userAgent\n", ""), 1, 0, "insights", "exactly one rule"},
		{"two rules", base("fires:", "filter_pattern: AccessDenied\nfires:"), 15, 1, "filter_pattern", "exactly one rule"},
		{"query syntax error on its line", base("| fields awsRegion", "| fieldz awsRegion"), 14, 5, "insights", "does not compile"},
		{"query error after a parameter on the same line", base(`filter sourceIPAddress = "${attacker_ip}"`, `filter sourceIPAddress = "${attacker_ip}" and and`), 13, 0, "insights", "does not compile"},
		{"unknown parameter in the query", base(`"${attacker_ip}"`, `"${attacker_address}"`), 13, 29, "insights", "unknown parameter ${attacker_address}"},
		{"unknown parameter in fires.value", base("value: ${attacker_ip}", "value: ${ip}"), 18, 10, "fires.value", "unknown parameter ${ip}"},
		{"unused parameter", base("parameters:\n", "parameters:\n  region: us-east-1\n"), 9, 0, "parameters.region", "declared but not used"},
		{"unterminated reference", base(`"${attacker_ip}"`, `"${attacker_ip"`), 13, 29, "insights", "without a closing"},
		{"bad reference name", base(`"${attacker_ip}"`, `"${Attacker}"`), 13, 29, "insights", "a parameter name is lower-case"},
		{"parameter without default", base("    default: 203.0.113.99\n", ""), 9, 3, "parameters.attacker_ip", "needs a default"},
		{"parameter with null default", base("    default: 203.0.113.99", "    default:"), 10, 5, "parameters.attacker_ip.default", "has no value"},
		{"parameter bad name", base("  attacker_ip:\n", "  AttackerIP:\n"), 9, 3, "parameters.AttackerIP", "not a parameter name"},
		{"parameter unknown field", base("    description: the address", "    example: 1.2.3.4\n    description: the address"), 11, 5, "parameters.attacker_ip.example", "unknown field"},
		{"min_rows zero", base("min_rows: 2", "min_rows: 0"), 16, 13, "fires.min_rows", "at least 1"},
		{"min_rows text", base("min_rows: 2", "min_rows: many"), 16, 13, "fires.min_rows", "whole number"},
		{"fires unknown field", base("min_rows: 2", "min_rows: 2\n  max_rows: 3"), 17, 3, "fires.max_rows", "unknown field"},
		{"fires value without field", base("  field: sourceIPAddress\n", ""), 15, 1, "fires.value", "without fires.field"},
		{"bad timeout", base("timeout: 15m", "timeout: soon"), 19, 10, "timeout", "not a duration"},
		{"timeout too long", base("timeout: 15m", "timeout: 48h"), 19, 10, "timeout", "out of range"},
		{"criteria on cloudtrail", "id: x\ntitle: t\nseverity: low\nmitre: [T1496]\ntelemetry: cloudtrail\nfinding_criteria: '{\"Criterion\":{}}'\n", 5, 12, "telemetry", "must be guardduty"},
		{"query on guardduty", "id: x\ntitle: t\nseverity: low\nmitre: [T1496]\ntelemetry: guardduty\ninsights: fields @message\n", 5, 12, "telemetry", "read with finding_criteria"},
		{"bad criteria attribute", "id: x\ntitle: t\nseverity: low\nmitre: [T1496]\ntelemetry: guardduty\nfinding_criteria: |\n  {\"Criterion\": {\n    \"type\": {\"Eq\": [\"a\"]},\n    \"resource.name\": {\"Eq\": [\"b\"]}}}\n", 9, 5, "finding_criteria", "does not filter on the attribute"},
		{"bad criteria operator", "id: x\ntitle: t\nseverity: low\nmitre: [T1496]\ntelemetry: guardduty\nfinding_criteria: |\n  {\"Criterion\": {\n    \"type\": {\"Contains\": [\"a\"]}}}\n", 8, 14, "finding_criteria", `unknown operator "Contains"`},
		{"bad filter pattern", "id: x\ntitle: t\nseverity: low\nmitre: [T1496]\ntelemetry: cloudtrail\nfilter_pattern: '{ $.eventName = }'\n", 6, 0, "filter_pattern", "Invalid filter pattern"},
		{"rule is a list", "id: x\ntitle: t\nseverity: low\nmitre: [T1496]\ntelemetry: cloudtrail\ninsights: [a]\n", 6, 11, "insights", "want the rule as a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("det.yaml", []byte(tt.src))
			if err == nil {
				t.Fatal("Parse succeeded")
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is %T, want ParseErrors", err, err)
			}
			if pe.File != "det.yaml" || pe.Line != tt.line || (tt.col != 0 && pe.Column != tt.col) || pe.Field != tt.field || !strings.Contains(pe.Msg, tt.msg) {
				t.Errorf("got %s\n  (file %q line %d col %d field %q)\nwant line %d col %d field %q, message containing %q",
					err, pe.File, pe.Line, pe.Column, pe.Field, tt.line, tt.col, tt.field, tt.msg)
			}
			if !strings.HasPrefix(err.Error(), "det.yaml:") {
				t.Errorf("error %q does not start with the file name", err)
			}
		})
	}
}

func TestParseCollectsEveryError(t *testing.T) {
	src := "id: X\ntitle: t\nseverity: bad\nmitre: [x]\ntelemetry: cloudtrail\ninsights: fields a\n"
	_, err := Parse("d.yaml", []byte(src))
	var pes ParseErrors
	if !errors.As(err, &pes) || len(pes) != 3 {
		t.Fatalf("got %v, want three errors", err)
	}
	if pes[0].Line != 1 || pes[1].Line != 3 || pes[2].Line != 4 {
		t.Errorf("errors not in line order: %v", err)
	}
}

func TestFindingCriteriaAsYAML(t *testing.T) {
	src := "id: x\ntitle: t\nseverity: high\nmitre: [T1496]\ntelemetry: guardduty\nfinding_criteria:\n  Criterion:\n    type:\n      Eq: [\"CryptoCurrency:EC2/BitcoinTool.B!DNS\"]\n    severity:\n      Gte: 7\n"
	d, err := Parse("x.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	b := d.MustBind(nil)
	if b.criteria == nil || !strings.Contains(b.criteria.String(), `"gte":7`) {
		t.Errorf("criteria %v from %s", b.criteria, d.Rule.Text)
	}
}

func TestBindErrors(t *testing.T) {
	d, err := Parse("x.yaml", []byte(validDetection))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Bind(map[string]string{"attacker_ip": `1.2.3.4" | fields`}); err == nil || !strings.Contains(err.Error(), `attacker_ip="1.2.3.4\" | fields"`) {
		t.Errorf("Bind with a value that breaks the query: %v", err)
	}
	if _, err := d.Bind(map[string]string{"attacker_ip": "a\nb"}); err == nil || !strings.Contains(err.Error(), "one line") {
		t.Errorf("Bind with a newline: %v", err)
	}
	if err := CheckParameters(map[string]string{"attacker_ip": "x", "atacker_ip": "y"}, []*Detection{d}); err == nil ||
		!strings.Contains(err.Error(), "unknown parameter atacker_ip") {
		t.Errorf("CheckParameters: %v", err)
	}
	if err := CheckParameters(map[string]string{"attacker_ip": "x"}, []*Detection{d}); err != nil {
		t.Errorf("CheckParameters: %v", err)
	}
}

func TestTemplates(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{`a ${x} b`, `a X b`},
		{`$${x} ${x}`, `${x} X`},
		{`/\.$/ and $x and $$`, `/\.$/ and $x and $$`},
		{`${x}${x}`, `XX`},
	} {
		if _, err := scanTemplate(tt.in); err != nil {
			t.Errorf("scanTemplate(%q): %v", tt.in, err)
		}
		if got := expand(tt.in, map[string]string{"x": "X"}); got != tt.want {
			t.Errorf("expand(%q) = %q, want %q", tt.in, got, tt.want)
		}
		got, _ := expandMapped(tt.in, map[string]string{"x": "X"})
		if got != tt.want {
			t.Errorf("expandMapped(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	_, origin := expandMapped(`ab ${long_name} cd`, map[string]string{"long_name": "v"})
	// "ab v cd": offset 5 is "c", at 16 in the template; 3 is the value.
	if origin(5) != 16 || origin(3) != 3 || origin(0) != 0 {
		t.Errorf("origin: %d %d %d", origin(5), origin(3), origin(0))
	}
}
