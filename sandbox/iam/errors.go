package iam

import (
	"errors"
	"net/http"

	"github.com/irdrill/irdrill/iampolicy"
	"github.com/irdrill/irdrill/sandbox/api"
)

// IAM's errors, with the HTTP statuses of its API model and the wording of
// its messages.

func noSuchEntity(format string, args ...any) *api.Error {
	return api.Errorf("NoSuchEntity", format, args...).WithStatus(http.StatusNotFound)
}

func noSuch(kind principalKind, name string) *api.Error {
	return noSuchEntity("The %s with name %s cannot be found.", kind.lower(), name)
}

func alreadyExists(kind principalKind, name string) *api.Error {
	return api.Errorf("EntityAlreadyExists", "%s with name %s already exists.", kind.String(), name).WithStatus(http.StatusConflict)
}

func deleteConflict(message string) *api.Error {
	return api.Errorf("DeleteConflict", "%s", message).WithStatus(http.StatusConflict)
}

func limitExceeded(format string, args ...any) *api.Error {
	return api.Errorf("LimitExceeded", format, args...).WithStatus(http.StatusConflict)
}

func invalidInput(format string, args ...any) *api.Error {
	return api.Errorf("InvalidInput", format, args...)
}

// policyError turns an iampolicy parse or size error into IAM's answer.
func policyError(err error) error {
	var malformed *iampolicy.MalformedPolicyError
	if errors.As(err, &malformed) {
		return api.Errorf("MalformedPolicyDocument", "%s", malformed.Message)
	}
	var size *iampolicy.PolicySizeError
	if errors.As(err, &size) {
		return limitExceeded("%s", size.Error())
	}
	return err
}

// parsePolicy validates a document for kind and checks its size quota.
func parsePolicy(doc string, kind iampolicy.Kind, sizeLimit int) (*iampolicy.Policy, error) {
	p, err := iampolicy.Parse(doc, kind)
	if err != nil {
		return nil, policyError(err)
	}
	if err := iampolicy.CheckSize(doc, sizeLimit); err != nil {
		return nil, policyError(err)
	}
	return p, nil
}
