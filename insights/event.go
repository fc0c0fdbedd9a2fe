package insights

import (
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// MaxJSONFields is how many leaf fields Logs Insights extracts from one JSON
// event (AWS's current figure; older documentation said 100 or 1000). The
// first MaxJSONFields leaves in document order are kept; which ones AWS keeps
// is undocumented, so document order is an approximation.
const MaxJSONFields = 200

// maxJSONDepth bounds recursion so hostile messages cannot exhaust the stack;
// deeper documents are treated as not-JSON.
const maxJSONDepth = 256

// fieldRegistry interns discovered field names so an event stores a small
// integer per field instead of the name. It is shared by every event and
// every query, hence the lock.
type fieldRegistry struct {
	mu    sync.RWMutex
	ids   map[string]uint32
	names []string
}

var registry = &fieldRegistry{ids: make(map[string]uint32)}

// lookup finds the id of an already interned name without interning it: a
// name nobody interned cannot occur in any stored event.
func (r *fieldRegistry) lookup(name string) (uint32, bool) {
	r.mu.RLock()
	id, ok := r.ids[name]
	r.mu.RUnlock()
	return id, ok
}

// internBytes returns the id for name, adding it if needed. The fast path
// converts the byte slice in the map index expression, which Go does without
// allocating.
func (r *fieldRegistry) internBytes(name []byte) uint32 {
	r.mu.RLock()
	id, ok := r.ids[string(name)]
	r.mu.RUnlock()
	if ok {
		return id
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if id, ok := r.ids[string(name)]; ok {
		return id
	}
	s := string(name)
	id = uint32(len(r.names))
	r.names = append(r.names, s)
	r.ids[s] = id
	return id
}

func (r *fieldRegistry) internString(name string) uint32 {
	return r.internBytes(unsafe.Slice(unsafe.StringData(name), len(name)))
}

func (r *fieldRegistry) name(id uint32) string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.names[id]
}

// fieldEntry is the compact index record of one discovered field: 8 bytes.
// The value is message[off:off+n]. Entries that do not fit (a field id or a
// length of 0xFFFF or more, a JSON string that had escapes, a value that is
// not a slice of the message) live in Event.ext and are flagged by
// n == extMarker, with off indexing ext.
type fieldEntry struct {
	off uint32
	id  uint16
	n   uint16
}

const extMarker = 0xFFFF

type extField struct {
	id  uint32
	val string
}

// Event is one ingested log event plus the index of its discovered fields.
//
// Representation: the message is kept once; every discovered field is a
// fieldEntry pointing into it (interned name id, offset, length), so reading
// a field at query time is a short linear scan over 8-byte entries and a
// substring of the message, with no allocation and no re-parsing. Decoded
// copies exist only for JSON strings that contained escapes.
type Event struct {
	msg    string
	ts     int64
	ingest int64
	stream string
	group  string
	ptr    string
	fields []fieldEntry
	ext    []extField
}

// Timestamp returns @timestamp in epoch milliseconds.
func (e *Event) Timestamp() int64 { return e.ts }

// Message returns @message.
func (e *Event) Message() string { return e.msg }

// IngestionTime returns @ingestionTime in epoch milliseconds.
func (e *Event) IngestionTime() int64 { return e.ingest }

// LogStream returns @logStream.
func (e *Event) LogStream() string { return e.stream }

// LogGroup returns @log ("<account-id>:<log-group-name>").
func (e *Event) LogGroup() string { return e.group }

// Ptr returns @ptr.
func (e *Event) Ptr() string { return e.ptr }

// eventHeaderBytes is the size of the Event struct itself.
const eventHeaderBytes = int(unsafe.Sizeof(Event{}))

// SizeBytes reports the bytes the stored event holds (message + index), for
// the memory benchmark. Log stream and group names are counted as headers
// only because ingestion normally shares one string per stream; the @ptr
// text is counted because it is per event. Decoded JSON strings are counted
// in full.
func (e *Event) SizeBytes() int {
	n := eventHeaderBytes + len(e.msg) + len(e.ptr)
	n += cap(e.fields) * int(unsafe.Sizeof(fieldEntry{}))
	n += cap(e.ext) * int(unsafe.Sizeof(extField{}))
	for _, x := range e.ext {
		if !isSubstringOf(x.val, e.msg) {
			n += len(x.val)
		}
	}
	return n
}

// isSubstringOf reports whether s points into the memory of parent, i.e. no
// extra bytes were allocated for it.
func isSubstringOf(s, parent string) bool {
	if len(s) == 0 || len(parent) == 0 {
		return true
	}
	sp := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	pp := uintptr(unsafe.Pointer(unsafe.StringData(parent)))
	return sp >= pp && sp+uintptr(len(s)) <= pp+uintptr(len(parent))
}

// field returns the discovered field with the given interned id.
func (e *Event) field(id uint32) (string, bool) {
	if id < extMarker {
		short := uint16(id)
		for i := range e.fields {
			f := &e.fields[i]
			if f.id == short {
				if f.n == extMarker {
					return e.ext[f.off].val, true
				}
				return e.msg[f.off : f.off+uint32(f.n)], true
			}
		}
		return "", false
	}
	for _, x := range e.ext {
		if x.id == id {
			return x.val, true
		}
	}
	return "", false
}

// DiscoveredFields lists the discovered (non-system) fields of the event in
// discovery order, for tools that show what Insights would discover.
func (e *Event) DiscoveredFields() []ResultField {
	out := make([]ResultField, 0, len(e.fields))
	for _, f := range e.fields {
		if f.n == extMarker {
			x := e.ext[f.off]
			out = append(out, ResultField{Field: registry.name(x.id), Value: x.val})
			continue
		}
		out = append(out, ResultField{Field: registry.name(uint32(f.id)), Value: e.msg[f.off : f.off+uint32(f.n)]})
	}
	return out
}

// indexBuilder is per-call scratch space for NewEvent, pooled so ingestion
// allocates only the final, exactly sized index.
type indexBuilder struct {
	msg    string
	fields []fieldEntry
	ext    []extField
	path   []byte
	count  int
	full   bool
}

var builderPool = sync.Pool{New: func() any { return &indexBuilder{} }}

func (b *indexBuilder) reset(msg string) {
	b.msg = msg
	b.fields = b.fields[:0]
	b.ext = b.ext[:0]
	b.path = b.path[:0]
	b.count = 0
	b.full = false
}

// addSlice records a field whose value is msg[off:off+n].
func (b *indexBuilder) addSlice(name []byte, off, n int) {
	if b.count >= MaxJSONFields {
		b.full = true
		return
	}
	b.count++
	id := registry.internBytes(name)
	if id < extMarker && n < extMarker && off <= 0xFFFFFFFF {
		b.fields = append(b.fields, fieldEntry{off: uint32(off), id: uint16(id), n: uint16(n)})
		return
	}
	b.addExtID(id, b.msg[off:off+n])
}

// addValue records a field whose value is not a plain slice of the message.
func (b *indexBuilder) addValue(name []byte, val string) {
	if b.count >= MaxJSONFields {
		b.full = true
		return
	}
	b.count++
	b.addExtID(registry.internBytes(name), val)
}

func (b *indexBuilder) addExtID(id uint32, val string) {
	b.fields = append(b.fields, fieldEntry{off: uint32(len(b.ext)), id: uint16(min(id, extMarker)), n: extMarker})
	b.ext = append(b.ext, extField{id: id, val: val})
}

// NewEvent indexes an event once, at ingestion, so that every later query reads
// discovered fields without re-parsing the JSON from scratch.
//
// Discovery, in order of precedence:
//   - a message whose first non-blank character is '{' is a JSON object and is
//     flattened (objects joined with '.', arrays by 0-based index, a top-level
//     key starting with '@' gets another '@'); malformed JSON discovers nothing;
//   - a VPC flow log record (see flowlog.go);
//   - a Lambda platform line (START/END/REPORT RequestId: ...);
//   - in a Lambda log group, the first embedded JSON object fragment.
func NewEvent(in EventInput) *Event {
	e := &Event{
		msg:    in.Message,
		ts:     in.Timestamp,
		ingest: in.IngestionTime,
		stream: in.LogStream,
		group:  in.LogGroup,
		ptr:    in.Ptr,
	}
	b := builderPool.Get().(*indexBuilder)
	b.reset(in.Message)
	discover(b, in)
	if len(b.fields) > 0 {
		e.fields = append(make([]fieldEntry, 0, len(b.fields)), b.fields...)
	}
	if len(b.ext) > 0 {
		e.ext = append(make([]extField, 0, len(b.ext)), b.ext...)
	}
	b.msg = ""
	builderPool.Put(b)
	return e
}

func discover(b *indexBuilder, in EventInput) {
	msg := in.Message
	start := skipSpace(msg, 0)
	if start < len(msg) && msg[start] == '{' {
		if indexJSON(b, start) {
			return
		}
		b.fields, b.ext, b.count, b.full = b.fields[:0], b.ext[:0], 0, false
	}
	if indexFlowLog(b, msg) {
		return
	}
	if indexLambdaPlatformLine(b, msg) {
		return
	}
	if strings.Contains(in.LogGroup, "/aws/lambda/") {
		if i := strings.IndexByte(msg, '{'); i >= 0 {
			if !indexJSON(b, i) {
				b.fields, b.ext, b.count, b.full = b.fields[:0], b.ext[:0], 0, false
			}
		}
	}
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// indexJSON flattens the JSON object starting at msg[start] into b. It
// reports false when the text is not a well-formed JSON object; trailing text
// after the object is ignored (Lambda's "first JSON fragment" rule).
func indexJSON(b *indexBuilder, start int) bool {
	p := jsonScanner{b: b, s: b.msg}
	_, ok := p.object(start, 0)
	return ok
}

type jsonScanner struct {
	b *indexBuilder
	s string
}

// object scans an object at s[i]=='{' and returns the index after it.
func (p *jsonScanner) object(i, depth int) (int, bool) {
	if depth > maxJSONDepth {
		return i, false
	}
	s := p.s
	i++ // '{'
	i = skipSpace(s, i)
	if i < len(s) && s[i] == '}' {
		return i + 1, true
	}
	base := len(p.b.path)
	for {
		i = skipSpace(s, i)
		if i >= len(s) || s[i] != '"' {
			return i, false
		}
		keyStart := i + 1
		keyEnd, escaped, ok := scanString(s, i)
		if !ok {
			return i, false
		}
		i = keyEnd + 1
		p.b.path = p.b.path[:base]
		if base > 0 {
			p.b.path = append(p.b.path, '.')
		}
		if base == 0 && keyEnd > keyStart && s[keyStart] == '@' {
			// AWS shows a discovered field whose name starts with @ with an extra @.
			p.b.path = append(p.b.path, '@')
		}
		if escaped {
			dec, ok := unescapeJSON(s[keyStart:keyEnd])
			if !ok {
				return i, false
			}
			p.b.path = append(p.b.path, dec...)
		} else {
			p.b.path = append(p.b.path, s[keyStart:keyEnd]...)
		}
		i = skipSpace(s, i)
		if i >= len(s) || s[i] != ':' {
			return i, false
		}
		i = skipSpace(s, i+1)
		i, ok = p.value(i, depth+1)
		if !ok {
			return i, false
		}
		i = skipSpace(s, i)
		if i >= len(s) {
			return i, false
		}
		if s[i] == ',' {
			i++
			continue
		}
		if s[i] == '}' {
			p.b.path = p.b.path[:base]
			return i + 1, true
		}
		return i, false
	}
}

func (p *jsonScanner) array(i, depth int) (int, bool) {
	if depth > maxJSONDepth {
		return i, false
	}
	s := p.s
	i = skipSpace(s, i+1)
	if i < len(s) && s[i] == ']' {
		return i + 1, true
	}
	base := len(p.b.path)
	for idx := 0; ; idx++ {
		p.b.path = p.b.path[:base]
		if base > 0 {
			p.b.path = append(p.b.path, '.')
		}
		p.b.path = strconv.AppendInt(p.b.path, int64(idx), 10)
		i = skipSpace(s, i)
		var ok bool
		i, ok = p.value(i, depth+1)
		if !ok {
			return i, false
		}
		i = skipSpace(s, i)
		if i >= len(s) {
			return i, false
		}
		if s[i] == ',' {
			i++
			continue
		}
		if s[i] == ']' {
			p.b.path = p.b.path[:base]
			return i + 1, true
		}
		return i, false
	}
}

// value scans one JSON value at s[i]; the current path names it.
func (p *jsonScanner) value(i, depth int) (int, bool) {
	s := p.s
	if i >= len(s) {
		return i, false
	}
	switch c := s[i]; {
	case c == '{':
		return p.object(i, depth)
	case c == '[':
		return p.array(i, depth)
	case c == '"':
		end, escaped, ok := scanString(s, i)
		if !ok {
			return i, false
		}
		if escaped {
			dec, ok := unescapeJSON(s[i+1 : end])
			if !ok {
				return i, false
			}
			p.b.addValue(p.b.path, dec)
		} else {
			p.b.addSlice(p.b.path, i+1, end-i-1)
		}
		return end + 1, true
	case c == 't' && strings.HasPrefix(s[i:], "true"):
		p.b.addSlice(p.b.path, i, 4)
		return i + 4, true
	case c == 'f' && strings.HasPrefix(s[i:], "false"):
		p.b.addSlice(p.b.path, i, 5)
		return i + 5, true
	case c == 'n' && strings.HasPrefix(s[i:], "null"):
		// JSON null is treated as an absent field (inference; AWS does not say).
		return i + 4, true
	case c == '-' || (c >= '0' && c <= '9'):
		j := i
		if s[j] == '-' {
			j++
		}
		digits := 0
		for j < len(s) {
			d := s[j]
			if d >= '0' && d <= '9' {
				digits++
			} else if d != '.' && d != 'e' && d != 'E' && d != '+' && d != '-' {
				break
			}
			j++
		}
		if digits == 0 {
			return i, false
		}
		p.b.addSlice(p.b.path, i, j-i)
		return j, true
	}
	return i, false
}

// scanString finds the closing quote of the JSON string starting at s[i]=='"'.
func scanString(s string, i int) (end int, escaped, ok bool) {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '"':
			return j, escaped, true
		case '\\':
			escaped = true
			j++
		}
	}
	return len(s), escaped, false
}

// unescapeJSON decodes the body of a JSON string that contains escapes.
func unescapeJSON(s string) (string, bool) {
	var sb strings.Builder
	sb.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			sb.WriteByte(c)
			continue
		}
		i++
		if i >= len(s) {
			return "", false
		}
		switch s[i] {
		case '"', '\\', '/':
			sb.WriteByte(s[i])
		case 'b':
			sb.WriteByte('\b')
		case 'f':
			sb.WriteByte('\f')
		case 'n':
			sb.WriteByte('\n')
		case 'r':
			sb.WriteByte('\r')
		case 't':
			sb.WriteByte('\t')
		case 'u':
			r, ok := hex4(s, i+1)
			if !ok {
				return "", false
			}
			i += 4
			if utf16.IsSurrogate(r) {
				if i+2 < len(s) && s[i+1] == '\\' && s[i+2] == 'u' {
					if r2, ok := hex4(s, i+3); ok {
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							sb.WriteRune(dec)
							i += 6
							continue
						}
					}
				}
				r = utf8.RuneError
			}
			sb.WriteRune(r)
		default:
			return "", false
		}
	}
	return sb.String(), true
}

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	v, err := strconv.ParseUint(s[i:i+4], 16, 32)
	if err != nil {
		return 0, false
	}
	return rune(v), true
}
