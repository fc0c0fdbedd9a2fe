// Package ids generates the random identifiers AWS hands out: request ids,
// event ids, and resource ids with AWS's prefixes and alphabets.
package ids

import (
	"crypto/rand"
	"encoding/hex"
)

// UUID returns a random RFC 4122 version 4 UUID, the form of AWS request
// and CloudTrail event ids.
func UUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}

// Hex returns n random lower-case hex characters, as in i-0123456789abcdef0.
func Hex(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

const upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// Upper returns n random characters from AWS's IAM id alphabet (A–Z, 2–7),
// as in the AIDA…/AKIA… ids.
func Upper(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = upperAlnum[int(b[i])%len(upperAlnum)]
	}
	return string(b)
}

const secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// Secret returns a 40-character secret access key.
func Secret() string {
	b := make([]byte, 40)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = secretAlphabet[int(b[i])%len(secretAlphabet)]
	}
	return string(b)
}
