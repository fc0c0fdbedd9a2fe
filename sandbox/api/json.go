package api

import (
	"bytes"
	"encoding/json"
	"errors"
)

// DecodeJSON decodes a JSON-protocol body into v. An empty body is an empty
// object. Malformed JSON or a value of the wrong type is a
// SerializationException, as AWS's JSON services answer.
func (c *Call) DecodeJSON(v any) error {
	body := bytes.TrimSpace(c.Body)
	if len(body) == 0 {
		body = []byte("{}")
	}
	if err := json.Unmarshal(body, v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return Errorf("SerializationException", "Unexpected value type for field '%s': expected %s", typeErr.Field, typeErr.Type)
		}
		return Errorf("SerializationException", "Unable to parse request body: %s", err.Error())
	}
	return nil
}

// ValidationError builds the JSON services' "1 validation error detected"
// message for one member.
func ValidationError(code, member, value, constraint string) *Error {
	return Errorf(code, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, member, constraint)
}
