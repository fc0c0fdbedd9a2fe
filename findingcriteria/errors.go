package findingcriteria

import "fmt"

// ErrorCode is the code every criteria error carries: what GuardDuty puts in
// the X-Amzn-ErrorType header, and what SDKs surface as the error code.
const ErrorCode = "BadRequestException"

// BodyType is the error type GuardDuty's body names for invalid input (the
// model's Type member, wire "type", and the body's "__type").
const BodyType = "InvalidInputException"

// The two messages GuardDuty answers bad criteria with.
const (
	MessageJSON  = "The request is rejected because the JSON could not be processed."
	MessageValue = "The request is rejected because an invalid or out-of-range value is specified as an input parameter."
)

// Error is a criteria GuardDuty would reject with HTTP 400.
type Error struct {
	// Message is GuardDuty's message (MessageJSON or MessageValue).
	Message string
	// Path is where the problem is, in the spelling of the input, e.g.
	// Criterion["service.archived"].Eq[0].
	Path string
	// Detail says what is wrong; AWS's messages do not.
	Detail string
}

// Code returns ErrorCode, so that the error reads like an SDK API error.
func (e *Error) Code() string { return ErrorCode }

// Type returns BodyType.
func (e *Error) Type() string { return BodyType }

func (e *Error) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("%s: %s (%s)", ErrorCode, e.Message, e.Detail)
	}
	return fmt.Sprintf("%s: %s (%s: %s)", ErrorCode, e.Message, e.Path, e.Detail)
}

func jsonError(path, format string, args ...any) *Error {
	return &Error{Message: MessageJSON, Path: path, Detail: fmt.Sprintf(format, args...)}
}

func valueError(path, format string, args ...any) *Error {
	return &Error{Message: MessageValue, Path: path, Detail: fmt.Sprintf(format, args...)}
}
