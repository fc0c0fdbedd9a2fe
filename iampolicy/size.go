package iampolicy

import "fmt"

// IAM quotas on policy size, in characters, not counting whitespace.
const (
	UserInlinePolicyLimit  = 2048
	RoleInlinePolicyLimit  = 10240
	GroupInlinePolicyLimit = 5120
	ManagedPolicyLimit     = 6144
)

// PolicySizeError is IAM's LimitExceeded answer to an oversized policy.
type PolicySizeError struct {
	Limit int
	Size  int
}

func (e *PolicySizeError) Error() string {
	return fmt.Sprintf("Cannot exceed quota for PolicySize: %d", e.Limit)
}

// PolicySize counts a document's characters the way IAM's quotas do: white
// space is not counted. Approximation: only whitespace between JSON tokens is
// dropped; spaces inside strings (e.g. a Sid cannot have any, but a condition
// value can) still count.
func PolicySize(document string) int {
	size := 0
	inString, escaped := false, false
	for _, r := range document {
		if inString {
			size++
			switch {
			case escaped:
				escaped = false
			case r == '\\':
				escaped = true
			case r == '"':
				inString = false
			}
			continue
		}
		switch r {
		case ' ', '\t', '\n', '\r':
			continue
		case '"':
			inString = true
		}
		size++
	}
	return size
}

// CheckSize returns a *PolicySizeError when the document exceeds limit
// (UserInlinePolicyLimit, RoleInlinePolicyLimit, GroupInlinePolicyLimit or
// ManagedPolicyLimit, depending on the IAM API).
func CheckSize(document string, limit int) error {
	if n := PolicySize(document); n > limit {
		return &PolicySizeError{Limit: limit, Size: n}
	}
	return nil
}
