// Package userdata turns an instance's user data into what cloud-init
// makes of it: the parts of the (possibly gzip-compressed, possibly MIME
// multipart) document with the content types cloud-init gives them, the
// scripts and boothooks it writes to disk, the merged cloud-config, and the
// warnings it logs on the way.
//
// It follows cloud-init 19.3 as Amazon Linux 2 ships it (user_data.py and
// handlers/__init__.py): gzip is undone when the data is valid gzip; the
// data is MIME when "mime-version:" appears in its first 4096 bytes (case
// ignored), otherwise it is one part of type text/x-not-multipart; parts of
// type text/plain or text/x-not-multipart get their type from how they
// start ("#!", "#cloud-config", "#cloud-boothook", …); parts without a
// filename are named part-001, part-002, … in the order they are attached;
// a part of a type no handler takes is logged as "Unhandled unknown
// content-type". A multipart document that ends without its close
// delimiter simply ends there, as it does for Python's email parser.
//
// Where cloud-init would stay silent about a defect (a multipart document
// whose boundary never appears, say), the result carries a Note so that the
// sandbox can say what it saw. Nothing here ever fails: any bytes are user
// data.
package userdata

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"strings"
)

// Content types cloud-init 19.3 knows, by the prefix that selects them
// when a part's declared type does not.
var startsWith = []struct{ prefix, ctype string }{
	// Longest first, as cloud-init searches them.
	{"#cloud-config-archive", "text/cloud-config-archive"},
	{"#cloud-config-jsonp", "text/cloud-config-jsonp"},
	{"## template: jinja", "text/jinja2"},
	{"#cloud-boothook", "text/cloud-boothook"},
	{"#include-once", "text/x-include-once-url"},
	{"#cloud-config", "text/cloud-config"},
	{"#part-handler", "text/part-handler"},
	{"#upstart-job", "text/upstart-job"},
	{"#include", "text/x-include-url"},
	{"#!", "text/x-shellscript"},
}

// The types cloud-init's default handlers take.
const (
	TypeShellScript = "text/x-shellscript"
	TypeCloudConfig = "text/cloud-config"
	TypeBoothook    = "text/cloud-boothook"
	typeNotMIME     = "text/x-not-multipart"
	typeUndefined   = "text/plain"
)

// Types cloud-init handles that the sandbox does not model: they are
// reported as notes rather than silently dropped.
var notModelledTypes = map[string]string{
	"text/x-include-url":        "#include fetches more user data over HTTP",
	"text/x-include-once-url":   "#include-once fetches more user data over HTTP",
	"text/cloud-config-archive": "cloud-config archives",
	"text/cloud-config-jsonp":   "cloud-config JSON patches",
	"text/part-handler":         "part handlers (Python code)",
	"text/upstart-job":          "upstart jobs (Amazon Linux 2 has no upstart)",
	"text/jinja2":               "jinja templates",
}

var decompressTypes = map[string]bool{
	"application/gzip": true, "application/gzip-compressed": true,
	"application/gzipped": true, "application/x-compress": true,
	"application/x-compressed": true, "application/x-gunzip": true,
	"application/x-gzip": true, "application/x-gzip-compressed": true,
}

// Limits that keep a hostile document cheap. AWS caps user data at 16 KB,
// but gzip and nesting can multiply it.
const (
	maxDecompressed = 4 << 20
	maxParts        = 256
	maxDepth        = 8
)

// Part is one part of the user data as cloud-init hands it to its
// handlers.
type Part struct {
	// Filename is the part's filename, or part-NNN when it has none.
	Filename string
	// ContentType is the type cloud-init settled on.
	ContentType string
	Payload     []byte
}

// LogLine is a line cloud-init logs at WARNING, which the console shows.
type LogLine struct {
	// File is the Python file that logs it ("util.py", "__init__.py").
	File    string
	Message string
}

// Split decodes raw as cloud-init's UserDataProcessor does and returns
// the parts in order, with the warnings logged and the sandbox's notes
// about defects that cloud-init passes over in silence.
func Split(raw []byte) (parts []Part, logs []LogLine, notes []string) {
	s := &splitter{}
	data := raw
	if out, err := gunzip(raw); err == nil {
		data = out
	}
	if isMIME(data) {
		hdr, body := readHeader(data)
		s.walk(hdr, body, 0)
	} else {
		s.add(textproto.MIMEHeader{}, typeNotMIME, data)
	}
	return s.parts, s.logs, s.notes
}

type splitter struct {
	parts []Part
	logs  []LogLine
	notes []string
}

func isMIME(data []byte) bool {
	head := data
	if len(head) > 4096 {
		head = head[:4096]
	}
	return bytes.Contains(bytes.ToLower(head), []byte("mime-version:"))
}

// gunzip undoes gzip, within maxDecompressed.
func gunzip(data []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	out, err := io.ReadAll(io.LimitReader(zr, maxDecompressed+1))
	if err != nil {
		return nil, err
	}
	if len(out) > maxDecompressed {
		return nil, fmt.Errorf("more than %d bytes once decompressed", maxDecompressed)
	}
	return out, nil
}

// walk visits a message and, for multipart ones, each part in order.
func (s *splitter) walk(hdr textproto.MIMEHeader, body []byte, depth int) {
	ctype, params := contentType(hdr)
	if !strings.HasPrefix(ctype, "multipart/") {
		s.leaf(hdr, ctype, decodeBody(hdr, body))
		return
	}
	boundary := params["boundary"]
	if boundary == "" {
		s.notes = append(s.notes, fmt.Sprintf("bad MIME: %s without a boundary parameter; no part handled", ctype))
		return
	}
	if depth >= maxDepth {
		s.notes = append(s.notes, fmt.Sprintf("bad MIME: multipart nested deeper than %d levels; inner parts ignored", maxDepth))
		return
	}
	r := multipart.NewReader(bytes.NewReader(body), boundary)
	found := 0
	for {
		if len(s.parts) >= maxParts {
			s.notes = append(s.notes, fmt.Sprintf("user data has more than %d parts; the rest ignored", maxParts))
			return
		}
		p, err := r.NextPart()
		if err != nil {
			// The end of the data without a close delimiter ends the
			// document, as it does for cloud-init's email parser.
			if !errors.Is(err, io.EOF) {
				s.notes = append(s.notes, fmt.Sprintf("bad MIME after part %d: %v; the rest ignored", found, err))
			} else if found == 0 {
				s.notes = append(s.notes, fmt.Sprintf("bad MIME: boundary %q never appears; no part handled", boundary))
			}
			return
		}
		found++
		data, err := io.ReadAll(io.LimitReader(p, maxDecompressed+1))
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
			s.notes = append(s.notes, fmt.Sprintf("bad MIME in part %d: %v; the rest ignored", found, err))
			return
		}
		if len(data) > maxDecompressed {
			data = data[:maxDecompressed]
		}
		s.walk(textproto.MIMEHeader(p.Header), data, depth+1)
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return // the data ended inside this part
		}
	}
}

// leaf is one non-multipart part: cloud-init's _process_msg for it.
func (s *splitter) leaf(hdr textproto.MIMEHeader, ctype string, payload []byte) {
	if decompressTypes[ctype] {
		out, err := gunzip(payload)
		if err != nil {
			s.logs = append(s.logs, LogLine{"user_data.py", fmt.Sprintf(
				"Failed decompressing payload from %s of length %d due to: %v", ctype, len(payload), err)})
			return
		}
		payload, ctype = out, ""
	}
	if ctype == "" {
		ctype = typeUndefined
	}
	if ctype == typeUndefined || ctype == typeNotMIME {
		if t := TypeFromStart(payload); t != "" {
			ctype = t
		}
	}
	s.add(hdr, ctype, payload)
}

func (s *splitter) add(hdr textproto.MIMEHeader, ctype string, payload []byte) {
	if ctype == typeNotMIME {
		if t := TypeFromStart(payload); t != "" {
			ctype = t
		}
	}
	name := filename(hdr)
	if name == "" {
		name = fmt.Sprintf("part-%03d", len(s.parts)+1)
	}
	s.parts = append(s.parts, Part{Filename: name, ContentType: ctype, Payload: payload})
}

// TypeFromStart is cloud-init's type_from_starts_with: the content type a
// payload's first characters select, or "".
func TypeFromStart(payload []byte) string {
	head := payload
	if len(head) > 64 {
		head = head[:64]
	}
	lc := strings.ToLower(strings.TrimLeft(string(head), " \t\r\n\v\f"))
	for _, e := range startsWith {
		if strings.HasPrefix(lc, e.prefix) {
			return e.ctype
		}
	}
	return ""
}

// contentType is Python's get_content_type: the lower-cased type, or
// text/plain when the header is missing or invalid.
func contentType(hdr textproto.MIMEHeader) (string, map[string]string) {
	v := hdr.Get("Content-Type")
	if v == "" {
		return typeUndefined, nil
	}
	t, params, err := mime.ParseMediaType(v)
	if err != nil && !errors.Is(err, mime.ErrInvalidMediaParameter) {
		return typeUndefined, nil
	}
	if !strings.Contains(t, "/") {
		return typeUndefined, nil
	}
	return strings.ToLower(t), params
}

// filename is Python's get_filename: the filename parameter of
// Content-Disposition, else the name parameter of Content-Type.
func filename(hdr textproto.MIMEHeader) string {
	if v := hdr.Get("Content-Disposition"); v != "" {
		if _, params, err := mime.ParseMediaType(v); err == nil || errors.Is(err, mime.ErrInvalidMediaParameter) {
			if f := params["filename"]; f != "" {
				return f
			}
		}
	}
	if v := hdr.Get("Content-Type"); v != "" {
		if _, params, err := mime.ParseMediaType(v); err == nil || errors.Is(err, mime.ErrInvalidMediaParameter) {
			return params["name"]
		}
	}
	return ""
}

// decodeBody undoes a base64 transfer encoding (the multipart reader has
// already undone quoted-printable). Undecodable base64 is kept as it is, as
// Python's get_payload(decode=True) keeps it.
func decodeBody(hdr textproto.MIMEHeader, body []byte) []byte {
	if !strings.EqualFold(strings.TrimSpace(hdr.Get("Content-Transfer-Encoding")), "base64") {
		return body
	}
	clean := bytes.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, body)
	out := make([]byte, base64.StdEncoding.DecodedLen(len(clean)))
	n, err := base64.StdEncoding.Decode(out, clean)
	if err != nil {
		// Python decodes leniently: padding errors still give the bytes.
		n2, err2 := base64.RawStdEncoding.Decode(out, bytes.TrimRight(clean, "="))
		if err2 != nil {
			return body
		}
		n = n2
	}
	return out[:n]
}

// readHeader reads a header block the way Python's email parser does: it
// ends at a blank line, or at the first line that is neither a header nor
// a continuation, which then starts the body.
func readHeader(data []byte) (textproto.MIMEHeader, []byte) {
	hdr := textproto.MIMEHeader{}
	br := bufio.NewReader(bytes.NewReader(data))
	consumed := 0
	var lastKey string
	for {
		line, err := br.ReadString('\n')
		if line == "" && err != nil {
			return hdr, nil
		}
		trimmed := strings.TrimRight(line, "\r\n")
		if trimmed == "" {
			return hdr, data[consumed+len(line):]
		}
		if (trimmed[0] == ' ' || trimmed[0] == '\t') && lastKey != "" {
			vals := hdr[lastKey]
			vals[len(vals)-1] += " " + strings.TrimSpace(trimmed)
			consumed += len(line)
			continue
		}
		k, v, ok := strings.Cut(trimmed, ":")
		if !ok || k == "" || strings.ContainsAny(k, " \t") {
			return hdr, data[consumed:]
		}
		lastKey = textproto.CanonicalMIMEHeaderKey(k)
		hdr.Add(lastKey, strings.TrimSpace(v))
		consumed += len(line)
		if err != nil {
			return hdr, nil
		}
	}
}
