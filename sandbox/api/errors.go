package api

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an AWS API error: the code and message a client sees, and the
// HTTP status it arrives with.
type Error struct {
	Code       string
	Message    string
	HTTPStatus int
	// Receiver marks server-side faults (<Type>Receiver</Type>).
	Receiver bool
	// Fields are extra members of a JSON-protocol error body, such as
	// MalformedQueryException's queryCompileError.
	Fields map[string]any
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf builds a client error with HTTP status 400.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), HTTPStatus: http.StatusBadRequest}
}

// WithStatus returns a copy of e with another HTTP status.
func (e *Error) WithStatus(status int) *Error {
	c := *e
	c.HTTPStatus = status
	return &c
}

// AsError returns err as an *Error, turning anything else into
// InternalFailure so that a bug never leaks a Go error string as an AWS code.
func AsError(err error) *Error {
	var apiErr *Error
	if errors.As(err, &apiErr) {
		var withFields interface{ ErrorFields() map[string]any }
		if errors.As(err, &withFields) && apiErr.Fields == nil {
			c := *apiErr
			c.Fields = withFields.ErrorFields()
			return &c
		}
		return apiErr
	}
	return &Error{Code: "InternalFailure", Message: "The request processing has failed because of an unknown error, exception or failure.", HTTPStatus: http.StatusInternalServerError, Receiver: true}
}

// Common errors whose code depends on the protocol. AWS is inconsistent
// here, and SDKs branch on the exact codes, so each protocol gets its own.

// InvalidClientTokenID is the answer to an unknown, inactive or deleted
// access key.
func InvalidClientTokenID(p Protocol) *Error {
	switch p {
	case ProtocolEC2:
		return &Error{Code: "AuthFailure", Message: "AWS was not able to validate the provided access credentials", HTTPStatus: http.StatusUnauthorized}
	case ProtocolJSON, ProtocolRESTJSON:
		return &Error{Code: "UnrecognizedClientException", Message: "The security token included in the request is invalid.", HTTPStatus: http.StatusBadRequest}
	}
	return &Error{Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid.", HTTPStatus: http.StatusForbidden}
}

// SignatureDoesNotMatch is the answer to a signature computed with the
// wrong secret or over a tampered request.
func SignatureDoesNotMatch(p Protocol) *Error {
	const msg = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	if p == ProtocolJSON || p == ProtocolRESTJSON {
		return &Error{Code: "InvalidSignatureException", Message: msg, HTTPStatus: http.StatusBadRequest}
	}
	return &Error{Code: "SignatureDoesNotMatch", Message: msg, HTTPStatus: http.StatusForbidden}
}

// ExpiredToken is the answer to STS credentials past their expiry.
func ExpiredToken(p Protocol) *Error {
	const msg = "The security token included in the request is expired"
	if p == ProtocolJSON || p == ProtocolRESTJSON {
		return &Error{Code: "ExpiredTokenException", Message: msg, HTTPStatus: http.StatusBadRequest}
	}
	return &Error{Code: "ExpiredToken", Message: msg, HTTPStatus: http.StatusForbidden}
}

// MissingAuthenticationToken is the answer to an unsigned request.
func MissingAuthenticationToken(p Protocol) *Error {
	if p == ProtocolJSON || p == ProtocolRESTJSON {
		return &Error{Code: "MissingAuthenticationTokenException", Message: "Missing Authentication Token", HTTPStatus: http.StatusForbidden}
	}
	return &Error{Code: "MissingAuthenticationToken", Message: "Request is missing Authentication Token", HTTPStatus: http.StatusForbidden}
}

// ServiceUnavailable is the answer of a server too busy to take the
// request; SDKs retry it.
func ServiceUnavailable(p Protocol) *Error {
	const msg = "The request has failed due to a temporary failure of the server."
	if p == ProtocolJSON || p == ProtocolRESTJSON {
		return &Error{Code: "ServiceUnavailableException", Message: msg, HTTPStatus: http.StatusServiceUnavailable, Receiver: true}
	}
	return &Error{Code: "ServiceUnavailable", Message: msg, HTTPStatus: http.StatusServiceUnavailable, Receiver: true}
}

// IncompleteSignature is the answer to a malformed Authorization header or
// presigned query.
func IncompleteSignature(p Protocol, detail string) *Error {
	code := "IncompleteSignature"
	if p == ProtocolJSON || p == ProtocolRESTJSON {
		code = "IncompleteSignatureException"
	}
	return &Error{Code: code, Message: detail, HTTPStatus: http.StatusBadRequest}
}

// InvalidAction is the answer to an action the service does not have.
func InvalidAction(svc Service, action string) *Error {
	switch svc.Protocol() {
	case ProtocolEC2:
		return Errorf("InvalidAction", "The action %s is not valid for this web service.", action)
	case ProtocolJSON, ProtocolRESTJSON:
		return Errorf("UnknownOperationException", "Unknown operation %s", action)
	}
	return Errorf("InvalidAction", "Could not find operation %s for version %s", action, queryVersion(svc))
}

func queryVersion(svc Service) string {
	switch svc.SigningName() {
	case "sts":
		return "2011-06-15"
	case "iam":
		return "2010-05-08"
	}
	return ""
}

// AccessDenied is the service's own error for a denied action, worded as
// AWS words it since the 2021 change that names the missing policy type.
// The EC2 form omits AWS's opaque "Encoded authorization failure message":
// the sandbox has no encoder for it (approximation).
func AccessDenied(c *Call, action, resource string, d Decision) *Error {
	who := "anonymous"
	if c.Caller != nil {
		who = c.Caller.ARN
	}
	reason := fmt.Sprintf("because no identity-based policy allows the %s action", action)
	if d == ExplicitDeny {
		reason = "with an explicit deny in an identity-based policy"
	}
	msg := fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s %s", who, action, resource, reason)
	switch c.Service.Protocol() {
	case ProtocolEC2:
		return &Error{Code: "UnauthorizedOperation", Message: "You are not authorized to perform this operation. " + msg, HTTPStatus: http.StatusForbidden}
	case ProtocolJSON, ProtocolRESTJSON:
		return &Error{Code: "AccessDeniedException", Message: msg, HTTPStatus: http.StatusBadRequest}
	}
	return &Error{Code: "AccessDenied", Message: msg, HTTPStatus: http.StatusForbidden}
}

// MissingParameter reports a required parameter that was not sent.
func MissingParameter(p Protocol, name string) *Error {
	switch p {
	case ProtocolEC2:
		return Errorf("MissingParameter", "The request must contain the parameter %s", name)
	case ProtocolJSON, ProtocolRESTJSON:
		return Errorf("InvalidParameterException", "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", lowerFirst(name))
	}
	return Errorf("ValidationError", "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", lowerFirst(name))
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	b := []byte(s)
	if b[0] >= 'A' && b[0] <= 'Z' {
		b[0] += 'a' - 'A'
	}
	return string(b)
}
