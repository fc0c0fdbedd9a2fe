package iam

import (
	"strings"
	"testing"
	"time"
)

func TestImportAccessKey(t *testing.T) {
	s := New(Config{AccountID: "999999999999", Clock: func() time.Time { return time.Date(2021, 7, 24, 2, 22, 34, 0, time.UTC) }})
	s.mu.Lock()
	if _, err := s.createUserLocked("pipeline", "/", nil); err != nil {
		t.Fatal(err)
	}
	s.mu.Unlock()
	const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	if err := s.ImportAccessKey("pipeline", "AKIAIOSFODNN7EXAMPLE", secret); err != nil {
		t.Fatal(err)
	}
	cred, ok := s.LookupCredential("AKIAIOSFODNN7EXAMPLE")
	if !ok || !cred.Active || cred.SecretAccessKey != secret || cred.Principal.UserName != "pipeline" {
		t.Fatalf("credential = %+v %v", cred, ok)
	}
	tests := []struct{ name, user, id, secret, want string }{
		{"reused id", "pipeline", "AKIAIOSFODNN7EXAMPLE", secret, "already in use"},
		{"malformed id", "pipeline", "ASIAIOSFODNN7EXAMPLE", secret, "want AKIA"},
		{"short secret", "pipeline", "AKIAIOSFODNN7EXAMPL2", "short", "40 characters"},
		{"unknown user", "nobody", "AKIAIOSFODNN7EXAMPL2", secret, "cannot be found"},
	}
	for _, tt := range tests {
		if err := s.ImportAccessKey(tt.user, tt.id, tt.secret); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
	if err := s.ImportAccessKey("pipeline", "AKIAIOSFODNN7EXAMPL2", secret); err != nil {
		t.Fatalf("second key: %v", err)
	}
	if err := s.ImportAccessKey("pipeline", "AKIAIOSFODNN7EXAMPL3", secret); err == nil || !strings.Contains(err.Error(), "AccessKeysPerUser") {
		t.Errorf("third key: err = %v, want the quota", err)
	}
}
