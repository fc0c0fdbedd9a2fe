package ids

import (
	"regexp"
	"testing"
)

func TestShapes(t *testing.T) {
	tests := []struct {
		name string
		gen  func() string
		re   string
	}{
		{"uuid v4", UUID, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`},
		{"hex 17", func() string { return Hex(17) }, `^[0-9a-f]{17}$`},
		{"iam id alphabet", func() string { return Upper(16) }, `^[A-Z2-7]{16}$`},
		{"secret", Secret, `^[A-Za-z0-9+/]{40}$`},
	}
	for _, tt := range tests {
		re := regexp.MustCompile(tt.re)
		seen := map[string]bool{}
		for range 200 {
			v := tt.gen()
			if !re.MatchString(v) {
				t.Fatalf("%s: %q does not match %s", tt.name, v, tt.re)
			}
			if seen[v] {
				t.Fatalf("%s: %q repeated within 200 draws", tt.name, v)
			}
			seen[v] = true
		}
	}
}
