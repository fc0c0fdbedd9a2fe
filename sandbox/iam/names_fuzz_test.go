package iam

import (
	"regexp"
	"testing"
)

// The patterns of IAM's API model, which the hand-written validators must
// agree with.
var (
	nameRE       = regexp.MustCompile(`^[\w+=,.@-]+$`)
	pathRE       = regexp.MustCompile(`^(/|/[\x21-\x7E]+/)$`)
	policyPathRE = regexp.MustCompile(`^((/[A-Za-z0-9\.,\+@=_-]+)*)/$`)
	versionRE    = regexp.MustCompile(`^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$`)
)

func FuzzValidators(f *testing.F) {
	for _, s := range []string{"pipeline", "bad name", "", "/", "/a/b/", "//", "/a//b/", "v1", "v10.x-1", "v0", "ü", "a/b", "arn:aws:iam::aws:policy/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := validName(s), nameRE.MatchString(s); got != want {
			t.Errorf("validName(%q) = %v, pattern says %v", s, got, want)
		}
		if got, want := validPath(s), pathRE.MatchString(s); got != want {
			t.Errorf("validPath(%q) = %v, pattern says %v", s, got, want)
		}
		if got, want := validPolicyPath(s), policyPathRE.MatchString(s); got != want {
			t.Errorf("validPolicyPath(%q) = %v, pattern says %v", s, got, want)
		}
		if got, want := validVersionID(s), versionRE.MatchString(s); got != want {
			t.Errorf("validVersionID(%q) = %v, pattern says %v", s, got, want)
		}
	})
}

func FuzzParseARNs(f *testing.F) {
	for _, s := range []string{
		"arn:aws:iam::aws:policy/AdministratorAccess",
		"arn:aws:iam::999999999999:policy/ops/team/p",
		"arn:aws:iam::999999999999:role/denyrole",
		"arn:aws:iam::999999999999:role/a/b/c",
		"arn:aws:iam::99999999999:role/x",
		"arn:aws:iam::999999999999:policy/",
		"arn:aws:iam::999999999999:policy//x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// A parsed ARN reassembles to the input: nothing is dropped or
		// normalised, so lookups by ARN cannot alias.
		if p, ok := parsePolicyARN(s); ok {
			if back := "arn:aws:iam::" + p.Account + ":policy" + p.Path + p.Name; back != s {
				t.Errorf("parsePolicyARN(%q) reassembles to %q", s, back)
			}
			if !validName(p.Name) || !validPolicyPath(p.Path) {
				t.Errorf("parsePolicyARN(%q) accepted %+v", s, p)
			}
		}
		if r, ok := parseRoleARN(s); ok {
			if back := "arn:aws:iam::" + r.Account + ":role" + r.Path + r.Name; back != s {
				t.Errorf("parseRoleARN(%q) reassembles to %q", s, back)
			}
			if !validName(r.Name) || !validPath(r.Path) || !isAccountID(r.Account) {
				t.Errorf("parseRoleARN(%q) accepted %+v", s, r)
			}
		}
	})
}
