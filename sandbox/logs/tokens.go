package logs

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/irdrill/irdrill/sandbox/api"
)

// Token kinds keep a token of one operation from being replayed against
// another.
const (
	tokenDescribeGroups  = "g"
	tokenDescribeStreams = "s"
	tokenFilter          = "f"
	tokenQueries         = "q"
	tokenQueryResults    = "r"
)

// pageToken is the content of an opaque nextToken. AWS's tokens are opaque
// too; these are base64url JSON so that the fuzz test can show that any
// input either decodes or is rejected, never panics.
type pageToken struct {
	Kind        string `json:"k"`
	Name        string `json:"n,omitempty"`
	TS          int64  `json:"t,omitempty"`
	Seq         uint64 `json:"s,omitempty"`
	Max         uint64 `json:"m,omitempty"`
	Offset      int    `json:"o,omitempty"`
	Fingerprint string `json:"f,omitempty"`
}

func encodeToken(t pageToken) string {
	b, _ := json.Marshal(t) // a struct of plain fields cannot fail
	return base64.RawURLEncoding.EncodeToString(b)
}

func errInvalidToken() *api.Error {
	return invalidParam("The specified nextToken is invalid.")
}

// decodeToken parses a token issued for kind.
func decodeToken(s, kind string) (pageToken, error) {
	var t pageToken
	if len(s) > 4096 {
		return t, errInvalidToken()
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return t, errInvalidToken()
	}
	if err := json.Unmarshal(raw, &t); err != nil || t.Kind != kind || t.Offset < 0 {
		return pageToken{}, errInvalidToken()
	}
	return t, nil
}

// decodeTokenFor parses a token issued for kind and for a request with the
// same fingerprint: a token is only good for the query that produced it.
func decodeTokenFor(s, kind, fingerprint string) (pageToken, error) {
	t, err := decodeToken(s, kind)
	if err != nil {
		return pageToken{}, err
	}
	if t.Fingerprint != fingerprint {
		return pageToken{}, errInvalidToken()
	}
	return t, nil
}

// eventKey is a position in a stream: the (timestamp, sequence) of an event.
type eventKey struct {
	ts  int64
	seq uint64
}

// GetLogEvents tokens look like AWS's: "f/" or "b/" and 56 digits. Here the
// digits are the timestamp (20) and the sequence (36) of the event the page
// ended at, so that a token stays valid while events are added.
const keyDigits = 56

func formatStreamToken(dir byte, k eventKey) string {
	return fmt.Sprintf("%c/%020d%036d", dir, k.ts, k.seq)
}

// parseStreamToken reads a GetLogEvents token; dir is 'f' or 'b'.
func parseStreamToken(s string) (dir byte, k eventKey, err error) {
	if len(s) != 2+keyDigits || (s[0] != 'f' && s[0] != 'b') || s[1] != '/' {
		return 0, k, errInvalidToken()
	}
	for i := 2; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, k, errInvalidToken()
		}
	}
	ts, err1 := strconv.ParseInt(s[2:22], 10, 64)
	seq, err2 := strconv.ParseUint(s[22:], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, k, errInvalidToken()
	}
	return s[0], eventKey{ts: ts, seq: seq}, nil
}

// eventID renders FilterLogEvents' eventId: 56 digits like AWS's, made of
// the timestamp and the group-wide sequence so that it is unique within the
// log group (AWS's ids encode other things; the shape is an approximation).
func eventID(ts int64, seq uint64) string {
	return fmt.Sprintf("%020d%036d", ts, seq)
}

// sequenceToken renders the deprecated nextSequenceToken /
// uploadSequenceToken, which AWS still returns but no longer checks.
func sequenceToken(seq uint64) string {
	return fmt.Sprintf("49%054d", seq)
}

// recordPtr is what an @ptr names.
type recordPtr struct {
	group, stream uint64
	ts            int64
	seq           uint64
}

// encodePtr packs the pointer as varints in base64url, a short opaque
// string like AWS's (which is a base64 protobuf).
func encodePtr(p recordPtr) string {
	var buf [4 * binary.MaxVarintLen64]byte
	n := binary.PutUvarint(buf[:], p.group)
	n += binary.PutUvarint(buf[n:], p.stream)
	n += binary.PutVarint(buf[n:], p.ts)
	n += binary.PutUvarint(buf[n:], p.seq)
	return base64.RawURLEncoding.EncodeToString(buf[:n])
}

func decodePtr(s string) (recordPtr, bool) {
	var p recordPtr
	if len(s) > 64 {
		return p, false
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return p, false
	}
	var n int
	if p.group, n = binary.Uvarint(b); n <= 0 {
		return p, false
	}
	b = b[n:]
	if p.stream, n = binary.Uvarint(b); n <= 0 {
		return p, false
	}
	b = b[n:]
	if p.ts, n = binary.Varint(b); n <= 0 {
		return p, false
	}
	b = b[n:]
	if p.seq, n = binary.Uvarint(b); n <= 0 || n != len(b) {
		return p, false
	}
	return p, true
}
