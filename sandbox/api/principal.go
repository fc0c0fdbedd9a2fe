package api

import (
	"strconv"
	"time"
)

// Principal types, as CloudTrail's userIdentity.type spells them.
const (
	PrincipalIAMUser     = "IAMUser"
	PrincipalAssumedRole = "AssumedRole"
	PrincipalRoot        = "Root"
	PrincipalUnknown     = "Unknown"
)

// Principal is the authenticated identity behind a request.
type Principal struct {
	Type        string // one of the Principal* constants
	ARN         string // user ARN, or arn:aws:sts::ACCT:assumed-role/Role/session
	PrincipalID string // AIDA… for users; AROA…:session for role sessions
	AccountID   string
	AccessKeyID string

	UserName string // IAM users

	// Role sessions.
	RoleName    string
	RoleARN     string
	RoleID      string
	SessionName string
	// SessionCreated is when the temporary credentials were issued; it
	// feeds aws:TokenIssueTime and CloudTrail's sessionContext.
	TokenIssueTime time.Time
	// SessionIssuer names the long-term identity that got the session
	// (GetSessionToken keeps the user as principal).
	SessionIssuerType string
}

func (p *Principal) conditionType() string {
	switch p.Type {
	case PrincipalIAMUser:
		return "User"
	case PrincipalAssumedRole:
		return "AssumedRole"
	case PrincipalRoot:
		return "Account"
	}
	return p.Type
}

// IsTemporary reports whether the principal signs with STS credentials.
func (p *Principal) IsTemporary() bool { return !p.TokenIssueTime.IsZero() }

func formatInt(n int64) string { return strconv.FormatInt(n, 10) }

func formatBool(b bool) string { return strconv.FormatBool(b) }

// Credential is a signing key the sandbox knows.
type Credential struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string    // STS credentials only
	Expiration      time.Time // zero for long-term keys
	// Active is false for keys set Inactive with UpdateAccessKey: they are
	// rejected exactly like unknown keys.
	Active    bool
	Principal *Principal
}

// CredentialStore resolves an access key ID to its credential. IAM serves
// AKIA keys and STS serves ASIA keys; the front end asks each in turn.
type CredentialStore interface {
	LookupCredential(accessKeyID string) (*Credential, bool)
}
