package detect

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse: any input parses into a detection that binds, or fails with
// ParseErrors that name the file; never a panic or a hang.
func FuzzParse(f *testing.F) {
	f.Add([]byte(validDetection))
	f.Add([]byte(sourceIPDetection))
	f.Add([]byte("id: x\ntitle: t\nseverity: low\nmitre: [T1496]\ntelemetry: guardduty\nfinding_criteria:\n  Criterion:\n    severity: {Gte: 7}\n"))
	f.Add([]byte("id: x\ntitle: t\nseverity: low\nmitre: T1496\ntelemetry: cloudtrail\nfilter_pattern: '{ $.a = ${p} }'\nparameters: {p: \"1\"}\nfires: {field: a, value: '${p}'}\n"))
	f.Add([]byte("a: &x [*x]\n"))
	f.Add([]byte("- \n---\n"))
	f.Add([]byte("id: !!binary aGk=\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse("fuzz.yaml", data)
		if err != nil {
			var pes ParseErrors
			if !errors.As(err, &pes) || len(pes) == 0 {
				t.Fatalf("error %v (%T) is not ParseErrors", err, err)
			}
			for _, pe := range pes {
				if pe.File != "fuzz.yaml" || !strings.HasPrefix(pe.Error(), "fuzz.yaml") {
					t.Fatalf("error %q does not name the file", pe)
				}
			}
			return
		}
		if _, err := d.Bind(nil); err != nil {
			t.Fatalf("a parsed detection does not bind with its defaults: %v", err)
		}
	})
}

// FuzzParseSuite: any input parses into a suite with named cases, or fails
// with ParseErrors.
func FuzzParseSuite(f *testing.F) {
	f.Add([]byte("cases:\n  - name: a\n    detection: x\n    fixtures: f\n    expect: fire\n    rows: 3\n    parameters: {a: b}\n    window: {start: 2021-07-29T01:39:30Z, end: 2021-07-29T01:40:30Z}\n"))
	f.Add([]byte("description: d\ncases: []\n"))
	f.Add([]byte("cases:\n  - name: a\n    expect: quiet\n    rows: 1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSuite("suite.yaml", data)
		if err != nil {
			var pes ParseErrors
			if !errors.As(err, &pes) || len(pes) == 0 {
				t.Fatalf("error %v (%T) is not ParseErrors", err, err)
			}
			return
		}
		for _, c := range s.Cases {
			if c.Name == "" || c.Detection == "" || c.Fixtures == "" || (c.Expect != ExpectFire && c.Expect != ExpectQuiet) {
				t.Fatalf("incomplete case %+v", c)
			}
		}
	})
}
