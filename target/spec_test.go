package target

import (
	"strings"
	"testing"
)

func TestParseSpec(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want Spec
		err  string
	}{
		{"", Spec{Kind: KindSandbox}, ""},
		{"sandbox", Spec{Kind: KindSandbox}, ""},
		{"aws", Spec{Kind: KindAWS}, ""},
		{"endpoint:http://127.0.0.1:4566", Spec{Kind: KindEndpoint, URL: "http://127.0.0.1:4566"}, ""},
		{"endpoint:https://sandbox.example/", Spec{Kind: KindEndpoint, URL: "https://sandbox.example"}, ""},
		{"endpoint:", Spec{}, "not a URL"},
		{"endpoint:ftp://x", Spec{}, "scheme must be http or https"},
		{"endpoint:http://", Spec{}, "no host"},
		{"endpoint:http://h/path", Spec{}, "no path"},
		{"endpoint:http://h?x=1", Spec{}, "without user, query or fragment"},
		{"localstack", Spec{}, "want sandbox (embedded, the default)"},
		{"AWS", Spec{}, "want sandbox"},
	} {
		got, err := ParseSpec(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: err %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q: %+v %v", tc.in, got, err)
		}
	}
}

// FuzzParseSpec: any input parses or is refused with an error naming
// --target, and a parsed spec prints back to itself.
func FuzzParseSpec(f *testing.F) {
	for _, s := range []string{"", "sandbox", "aws", "endpoint:http://127.0.0.1:4566", "endpoint:https://h:1/", "endpoint:http://[::1]:80", "endpoint:%zz", "endpoint:http://u@h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		spec, err := ParseSpec(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "--target ") {
				t.Fatalf("error %q does not name --target", err)
			}
			return
		}
		again, err := ParseSpec(spec.String())
		if err != nil || again != spec {
			t.Fatalf("%q → %+v → %q → %+v, %v", s, spec, spec.String(), again, err)
		}
	})
}

func FuzzParseHealth(f *testing.F) {
	f.Add([]byte(`{"status":"ok","services":["sts"]}`))
	f.Add([]byte(`{"status":"ok","services":["cloudtrail","logs"],"extensions":["clock"],"clock":{"now":"2021-07-29T01:39:30Z"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ParseHealth(data)
		if err == nil {
			_ = h.capabilities()
		}
	})
}
