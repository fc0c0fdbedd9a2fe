package world

import (
	_ "embed"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// Category is a threat-intelligence category.
type Category string

// The categories GuardDuty's findings distinguish.
const (
	CryptoCurrencyMining Category = "cryptocurrency-mining"
	DNSExfiltration      Category = "dns-exfiltration"
	CommandAndControl    Category = "command-and-control"
)

// Threat is one threat-intelligence tag on a domain or address.
type Threat struct {
	Category Category
	// List is the threat list that names the indicator ("ProofPoint"), as
	// GuardDuty's evidence shows it; empty when the file names none.
	List string
	// Indicator is the listed domain (lower case, no trailing dot) or the
	// listed address or prefix ("198.51.100.0/28") that matched.
	Indicator string
}

// Record is one resource record of an answer.
type Record struct {
	Name string // owner, lower case, without a trailing dot
	Type string // "A", "AAAA", "CNAME", "TXT", "MX", "PTR"
	TTL  uint32 // seconds
	// Data is the record's presentation form: "198.51.100.10",
	// "2001:db8::10", "target.example.com." (names end with a dot),
	// "\"v=spf1 -all\"" (TXT strings quoted), "10 mail.example.com.".
	Data string
}

// Answer is what the world answers a query with.
type Answer struct {
	// RCode is "NOERROR", "NXDOMAIN" or "FORMERR" (a name that is not a
	// valid domain name).
	RCode   string
	Records []Record
	// NegativeTTL is how long a resolver may cache an answer without
	// records of the asked type (NXDOMAIN or no data): the SOA minimum.
	NegativeTTL uint32
}

// Listener is a port a host answers on.
type Listener struct {
	Protocol int // 6 (TCP) or 17 (UDP)
	Port     uint16
	// Response is what the server sends back on every request.
	Response []byte
}

// Host is a server on an internet address.
type Host struct {
	Address     netip.Addr
	Description string
	// RTT is the round trip between the sandbox's VPCs and the host.
	RTT time.Duration
	// Ping reports whether the host answers ICMP echo.
	Ping bool
	// AWSService is the flow-log pkt-*-aws-service name of the address, if
	// it is an AWS service address.
	AWSService string
	Listeners  []Listener
}

// Listener returns the host's listener on a protocol and port.
func (h *Host) Listener(protocol int, port uint16) (*Listener, bool) {
	for i := range h.Listeners {
		if l := &h.Listeners[i]; l.Protocol == protocol && l.Port == port {
			return l, true
		}
	}
	return nil, false
}

// Scanner is an internet address that probes every public address of the
// sandbox: each address gets one TCP probe every Every, on Ports in turn.
type Scanner struct {
	Address     netip.Addr
	Description string
	Every       time.Duration
	Ports       []uint16
}

// World is a loaded model of the internet. It is immutable and safe for
// concurrent use.
type World struct {
	source      string
	negativeTTL uint32

	names     map[string]*owner // exact owner names
	wildcards map[string]*owner // "example.com" for "*.example.com"
	// exists holds every owner name and every ancestor of one, so that an
	// empty non-terminal answers NOERROR (RFC 8020) and not NXDOMAIN.
	exists map[string]struct{}

	domainThreats map[string][]Threat // indicator domain → its threats and its ancestors'
	addrThreats   map[netip.Addr][]Threat
	prefixThreats []prefixThreat

	hosts    map[netip.Addr]*Host
	scanners []Scanner
}

type prefixThreat struct {
	prefix netip.Prefix
	threat Threat
}

// owner is one name's records, rendered once at load.
type owner struct {
	name  string
	ttl   uint32
	cname string              // target, without a trailing dot
	rrs   map[string][]Record // by type; Name is the owner (or "*.x" for wildcards)
	order []string            // types in file order, for ANY
}

// Source is the file the world was read from ("default" for Default).
func (w *World) Source() string { return w.source }

// NegativeTTL is the SOA minimum used for NXDOMAIN and no-data answers.
func (w *World) NegativeTTL() uint32 { return w.negativeTTL }

// Host returns the server on an address.
func (w *World) Host(addr netip.Addr) (*Host, bool) {
	h, ok := w.hosts[addr.Unmap()]
	return h, ok
}

// Hosts returns every server, in no particular order.
func (w *World) Hosts() []*Host {
	out := make([]*Host, 0, len(w.hosts))
	for _, h := range w.hosts {
		out = append(out, h)
	}
	return out
}

// Scanners returns the scanners, in file order.
func (w *World) Scanners() []Scanner { return w.scanners }

// DomainThreats returns the threats whose indicator is the name or one of
// its ancestors, most specific indicator first. The slice is shared: do not
// modify it. A name with no threats gets nil.
func (w *World) DomainThreats(name string) []Threat {
	n, ok := canonicalName(name)
	if !ok {
		return nil
	}
	for s := n; ; {
		if t, ok := w.domainThreats[s]; ok {
			return t
		}
		i := strings.IndexByte(s, '.')
		if i < 0 {
			return nil
		}
		s = s[i+1:]
	}
}

// AddressThreats returns the threats whose indicator is the address or a
// prefix that holds it.
func (w *World) AddressThreats(addr netip.Addr) []Threat {
	addr = addr.Unmap()
	out := w.addrThreats[addr]
	for _, p := range w.prefixThreats {
		if p.prefix.Contains(addr) {
			// Clip so that appending never writes into the shared slice.
			out = append(slices.Clip(out), p.threat)
		}
	}
	return out
}

// maxCNAMEChain bounds CNAME chasing (resolvers stop at about 8–16).
const maxCNAMEChain = 8

// Resolve answers a query for name (any case, with or without the trailing
// dot) and type ("A", "AAAA", "CNAME", "TXT", "MX", "PTR", "ANY", or any
// other mnemonic, which gets no data). CNAMEs are followed; a chain that
// ends outside the world answers NXDOMAIN with the CNAMEs, as resolvers do.
func (w *World) Resolve(name, qtype string) Answer {
	n, ok := canonicalName(name)
	if !ok {
		return Answer{RCode: "FORMERR"}
	}
	qtype = strings.ToUpper(qtype)
	// A wildcard answers with the name as asked (its case preserved).
	asked := strings.TrimSuffix(name, ".")
	var out []Record
	for range maxCNAMEChain {
		o, wildcard := w.find(n)
		if o == nil {
			if _, ok := w.exists[n]; ok {
				return Answer{RCode: "NOERROR", Records: out, NegativeTTL: w.negativeTTL}
			}
			return Answer{RCode: "NXDOMAIN", Records: out, NegativeTTL: w.negativeTTL}
		}
		if o.cname != "" && qtype != "CNAME" {
			out = appendOwned(out, o.rrs["CNAME"], asked, wildcard)
			n, asked = o.cname, o.cname
			continue
		}
		if qtype == "ANY" {
			for _, t := range o.order {
				out = appendOwned(out, o.rrs[t], asked, wildcard)
			}
		} else {
			out = appendOwned(out, o.rrs[qtype], asked, wildcard)
		}
		return Answer{RCode: "NOERROR", Records: out, NegativeTTL: w.negativeTTL}
	}
	// A chain longer than the limit (or a loop, which Parse rejects) fails
	// as a resolver fails it.
	return Answer{RCode: "SERVFAIL", Records: out}
}

// appendOwned appends rrs to out. Records of an exact owner are shared when
// they are the whole answer; a wildcard's are copied with the queried name.
func appendOwned(out, rrs []Record, name string, wildcard bool) []Record {
	if !wildcard && out == nil {
		return rrs[:len(rrs):len(rrs)]
	}
	for _, r := range rrs {
		r.Name = name
		out = append(out, r)
	}
	return out
}

// find returns the owner that answers n: the exact name, else the wildcard
// of its closest encloser (RFC 4592: a wildcard does not answer below an
// existing name).
func (w *World) find(n string) (*owner, bool) {
	if o, ok := w.names[n]; ok {
		return o, false
	}
	if _, ok := w.exists[n]; ok {
		return nil, false // an empty non-terminal: no wildcard answers it
	}
	for s := n; ; {
		i := strings.IndexByte(s, '.')
		if i < 0 {
			return nil, false
		}
		s = s[i+1:]
		if o, ok := w.wildcards[s]; ok {
			return o, true
		}
		if _, ok := w.exists[s]; ok {
			return nil, false
		}
	}
}

// canonicalName lower-cases an ASCII domain name and drops one trailing
// dot. It reports false for a name that is empty, has an empty label, a
// label over 63 octets or more than 253 octets in all.
func canonicalName(name string) (string, bool) {
	name = strings.TrimSuffix(name, ".")
	if name == "" || len(name) > 253 {
		return "", false
	}
	lower := true
	label := 0
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '.':
			if label == 0 {
				return "", false
			}
			label = 0
			continue
		case 'A' <= c && c <= 'Z':
			lower = false
		}
		label++
		if label > 63 {
			return "", false
		}
	}
	if label == 0 {
		return "", false
	}
	if lower {
		return name, true
	}
	return strings.ToLower(name), true
}

//go:embed default.yaml
var defaultYAML []byte

var (
	defaultOnce  sync.Once
	defaultWorld *World
)

// Default returns the embedded default world. It is parsed once; the
// package's tests guarantee it parses.
func Default() *World {
	defaultOnce.Do(func() {
		w, err := Parse("default", defaultYAML)
		if err != nil {
			panic(fmt.Sprintf("world: the embedded default world does not parse: %v", err))
		}
		defaultWorld = w
	})
	return defaultWorld
}

// DefaultYAML returns the embedded default world's source, a starting point
// for a custom --world file.
func DefaultYAML() []byte { return append([]byte(nil), defaultYAML...) }

// Load reads a world file.
func Load(path string) (*World, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load world: %w", err)
	}
	return Parse(path, data)
}
