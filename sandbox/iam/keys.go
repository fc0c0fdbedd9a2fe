package iam

import (
	"context"
	"fmt"
	"strings"

	"github.com/irdrill/irdrill/internal/ids"
	"github.com/irdrill/irdrill/sandbox/api"
)

// maxKeysPerUser is IAM's AccessKeysPerUser quota.
const maxKeysPerUser = 2

type accessKeyXML struct {
	UserName        string `xml:"UserName"`
	AccessKeyID     string `xml:"AccessKeyId"`
	Status          string `xml:"Status"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	CreateDate      string `xml:"CreateDate"`
}

type createAccessKeyResult struct {
	AccessKey accessKeyXML `xml:"AccessKey"`
}

type listAccessKeysResult struct {
	AccessKeyMetadata members[accessKeyMetadataXML] `xml:"AccessKeyMetadata"`
	page
}

type accessKeyLastUsedXML struct {
	LastUsedDate string `xml:"LastUsedDate,omitempty"`
	ServiceName  string `xml:"ServiceName"`
	Region       string `xml:"Region"`
}

type getAccessKeyLastUsedResult struct {
	UserName          string               `xml:"UserName"`
	AccessKeyLastUsed accessKeyLastUsedXML `xml:"AccessKeyLastUsed"`
}

func noSuchKey(id string) *api.Error {
	return noSuchEntity("The Access Key with id %s cannot be found.", id)
}

func (s *Service) userPrincipal(u *user, keyID string) *api.Principal {
	return &api.Principal{
		Type: api.PrincipalIAMUser, ARN: u.arn, PrincipalID: u.id, AccountID: s.accountID,
		AccessKeyID: keyID, UserName: u.name,
	}
}

// LookupCredential implements api.CredentialStore for long-term AKIA keys.
// Inactive and deleted keys are returned with Active false: the front end
// rejects them as AWS does, and still attributes the attempt.
func (s *Service) LookupCredential(accessKeyID string) (*api.Credential, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if k, ok := s.keys[accessKeyID]; ok {
		return &api.Credential{AccessKeyID: k.id, SecretAccessKey: k.secret, Active: k.active, Principal: s.userPrincipal(k.user, k.id)}, true
	}
	if t, ok := s.tombstones[accessKeyID]; ok {
		c := *t
		p := *t.Principal
		c.Principal = &p
		return &c, true
	}
	return nil, false
}

// Bootstrap creates the sandbox's first administrator: an IAM user with
// AdministratorAccess attached and the given access key. Calling it again
// with the same arguments changes nothing.
func (s *Service) Bootstrap(userName, accessKeyID, secretAccessKey string) error {
	if err := checkName("UserName", userName, 64); err != nil {
		return fmt.Errorf("bootstrap user name: %w", err)
	}
	if !strings.HasPrefix(accessKeyID, prefixAccessKey) || len(accessKeyID) < 16 || len(accessKeyID) > 128 {
		return fmt.Errorf("bootstrap access key id %q: must start with %s and have 16 to 128 characters", accessKeyID, prefixAccessKey)
	}
	if secretAccessKey == "" {
		return fmt.Errorf("bootstrap secret access key is empty")
	}
	admin, ok := s.awsManaged[administratorAccessARN]
	if !ok {
		return fmt.Errorf("bootstrap: AWS managed policy %s is not available", administratorAccessARN)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, exists := s.userLocked(userName)
	if !exists {
		var err error
		if u, err = s.createUserLocked(userName, "/", nil); err != nil {
			return fmt.Errorf("bootstrap user: %w", err)
		}
	}
	if u.attachedIndex(admin.arn) < 0 {
		u.attached = append(u.attached, admin.arn)
		admin.attachments++
	}
	if k, ok := s.keys[accessKeyID]; ok {
		if k.user != u || k.secret != secretAccessKey {
			return fmt.Errorf("bootstrap: access key %s already belongs to another user or has another secret", accessKeyID)
		}
		return nil
	}
	if len(u.keys) >= maxKeysPerUser {
		return fmt.Errorf("bootstrap: user %s already has %d access keys", userName, maxKeysPerUser)
	}
	k := &accessKey{id: accessKeyID, secret: secretAccessKey, user: u, active: true, created: s.now()}
	u.keys = append(u.keys, k)
	s.keys[k.id] = k
	return nil
}

// ImportAccessKey gives an existing user an access key with a chosen id
// and secret, which no IAM API can do: it lets a drill replay the seed
// documents with their own leaked key (AKIAIOSFODNN7EXAMPLE). The id must
// look like an AWS key id and never have been used, and the user's
// AccessKeysPerUser quota applies.
func (s *Service) ImportAccessKey(userName, accessKeyID, secretAccessKey string) error {
	if !validLongTermKeyID(accessKeyID) {
		return fmt.Errorf("import access key %q: want %s followed by 16 upper-case letters or digits", accessKeyID, prefixAccessKey)
	}
	if len(secretAccessKey) != 40 {
		return fmt.Errorf("import access key %s: the secret must have 40 characters, not %d", accessKeyID, len(secretAccessKey))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.userLocked(userName)
	if !ok {
		return fmt.Errorf("import access key %s: %w", accessKeyID, noSuch(kindUser, userName))
	}
	_, live := s.keys[accessKeyID]
	_, dead := s.tombstones[accessKeyID]
	if live || dead {
		return fmt.Errorf("import access key %s: the id is already in use", accessKeyID)
	}
	if len(u.keys) >= maxKeysPerUser {
		return fmt.Errorf("import access key %s: %w", accessKeyID, limitExceeded("Cannot exceed quota for AccessKeysPerUser: %d", maxKeysPerUser))
	}
	k := &accessKey{id: accessKeyID, secret: secretAccessKey, user: u, active: true, created: s.now()}
	u.keys = append(u.keys, k)
	s.keys[k.id] = k
	return nil
}

func validLongTermKeyID(id string) bool {
	rest, ok := strings.CutPrefix(id, prefixAccessKey)
	if !ok || len(rest) != 16 {
		return false
	}
	for i := 0; i < len(rest); i++ {
		if c := rest[i]; !('A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

func (s *Service) createAccessKey(ctx context.Context, call *api.Call) (any, error) {
	name, err := userParam(call)
	if err != nil {
		return nil, err
	}
	return withEntity(s, ctx, call, "CreateAccessKey", kindUser, name, writeLock, s.userLocked, func(u *user) (any, error) {
		if len(u.keys) >= maxKeysPerUser {
			return nil, limitExceeded("Cannot exceed quota for AccessKeysPerUser: %d", maxKeysPerUser)
		}
		k := &accessKey{id: s.unusedKeyIDLocked(), secret: ids.Secret(), user: u, active: true, created: s.now()}
		u.keys = append(u.keys, k)
		s.keys[k.id] = k
		call.ResponseElements = k.trail()
		return createAccessKeyResult{AccessKey: accessKeyXML{
			UserName: u.name, AccessKeyID: k.id, Status: k.status(), SecretAccessKey: k.secret, CreateDate: isoDate(k.created),
		}}, nil
	})
}

// unusedKeyIDLocked draws key ids until one is new, tombstones included, so
// that a deleted key's id never comes back to life.
func (s *Service) unusedKeyIDLocked() string {
	for {
		id := prefixAccessKey + ids.Upper(16)
		_, live := s.keys[id]
		_, dead := s.tombstones[id]
		if !live && !dead {
			return id
		}
	}
}

func (s *Service) listAccessKeys(ctx context.Context, call *api.Call) (any, error) {
	name, err := userParam(call)
	if err != nil {
		return nil, err
	}
	pg, err := readPagination(call)
	if err != nil {
		return nil, err
	}
	return withEntity(s, ctx, call, "ListAccessKeys", kindUser, name, readLock, s.userLocked, func(u *user) (any, error) {
		items, trailer := paginateByIndex(u.keys, pg)
		out := listAccessKeysResult{page: trailer}
		for _, k := range items {
			out.AccessKeyMetadata.Items = append(out.AccessKeyMetadata.Items, accessKeyMetadataXML{
				UserName: u.name, AccessKeyID: k.id, Status: k.status(), CreateDate: isoDate(k.created),
			})
		}
		return out, nil
	})
}

// keyParams reads AccessKeyId and the optional UserName of Update/Delete.
func keyParams(call *api.Call) (keyID, userName string, err error) {
	keyID, ok := call.Params.Lookup("AccessKeyId")
	if !ok {
		return "", "", api.MissingParameter(api.ProtocolQuery, "AccessKeyId")
	}
	if len(keyID) < 16 || len(keyID) > 128 {
		return "", "", validationError("accessKeyId", keyID, "Member must have length greater than or equal to 16")
	}
	for i := 0; i < len(keyID); i++ {
		if c := keyID[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return "", "", validationError("accessKeyId", keyID, `Member must satisfy regular expression pattern: [\w]+`)
		}
	}
	userName, err = userParam(call)
	return keyID, userName, err
}

// ownedKeyLocked finds the user's key; a key of another user is reported
// as not found, as IAM does.
func (s *Service) ownedKeyLocked(userName, keyID string) (*user, *accessKey, error) {
	u, ok := s.userLocked(userName)
	if !ok {
		return nil, nil, noSuch(kindUser, userName)
	}
	for _, k := range u.keys {
		if k.id == keyID {
			return u, k, nil
		}
	}
	return nil, nil, noSuchKey(keyID)
}

func (s *Service) updateAccessKey(ctx context.Context, call *api.Call) (any, error) {
	keyID, userName, err := keyParams(call)
	if err != nil {
		return nil, err
	}
	status, ok := call.Params.Lookup("Status")
	if !ok {
		return nil, api.MissingParameter(api.ProtocolQuery, "Status")
	}
	if status != "Active" && status != "Inactive" {
		return nil, validationError("status", status, "Member must satisfy enum value set: [Active, Inactive]")
	}
	if err := authorize(ctx, call, "UpdateAccessKey", s.principalARN(kindUser, userName)); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, k, err := s.ownedKeyLocked(userName, keyID)
	if err != nil {
		return nil, err
	}
	k.active = status == "Active"
	return nil, nil
}

func (s *Service) deleteAccessKey(ctx context.Context, call *api.Call) (any, error) {
	keyID, userName, err := keyParams(call)
	if err != nil {
		return nil, err
	}
	if err := authorize(ctx, call, "DeleteAccessKey", s.principalARN(kindUser, userName)); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, k, err := s.ownedKeyLocked(userName, keyID)
	if err != nil {
		return nil, err
	}
	for i, uk := range u.keys {
		if uk == k {
			u.keys = append(u.keys[:i:i], u.keys[i+1:]...)
			break
		}
	}
	delete(s.keys, k.id)
	s.tombstones[k.id] = &api.Credential{AccessKeyID: k.id, SecretAccessKey: k.secret, Active: false, Principal: s.userPrincipal(u, k.id)}
	return nil, nil
}

func (s *Service) getAccessKeyLastUsed(ctx context.Context, call *api.Call) (any, error) {
	keyID, ok := call.Params.Lookup("AccessKeyId")
	if !ok {
		return nil, api.MissingParameter(api.ProtocolQuery, "AccessKeyId")
	}
	s.mu.RLock()
	k, found := s.keys[keyID]
	var owner string
	if found {
		owner = k.user.arn
	}
	s.mu.RUnlock()
	if !found {
		// Approximation: IAM's answer for an unknown key is undocumented;
		// the sandbox authorises on "*" and reports it as not found.
		if err := authorize(ctx, call, "GetAccessKeyLastUsed", "*"); err != nil {
			return nil, err
		}
		return nil, noSuchKey(keyID)
	}
	if err := authorize(ctx, call, "GetAccessKeyLastUsed", owner); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := getAccessKeyLastUsedResult{UserName: k.user.name, AccessKeyLastUsed: accessKeyLastUsedXML{ServiceName: "N/A", Region: "N/A"}}
	if lu := k.lastUsed.Load(); lu != nil {
		out.AccessKeyLastUsed = accessKeyLastUsedXML{LastUsedDate: isoDate(lu.when), ServiceName: lu.service, Region: lu.region}
	}
	return out, nil
}
