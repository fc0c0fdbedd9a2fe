package world

import (
	"fmt"
	"math"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// Defaults and limits of the file format.
const (
	defaultTTL         = 300
	defaultNegativeTTL = 300
	defaultRTT         = 40 * time.Millisecond
	maxRTT             = 10 * time.Second
	maxTTL             = math.MaxInt32 // RFC 2181 §8
	maxFileBytes       = 4 << 20
	maxResponseBytes   = 1 << 20
	maxTXTString       = 255
	minScanEvery       = time.Second
)

// awsServices are the values flow logs give pkt-src-aws-service and
// pkt-dst-aws-service.
var awsServices = []string{
	"AMAZON", "AMAZON_APPFLOW", "AMAZON_CONNECT", "API_GATEWAY", "CHIME_MEETINGS", "CHIME_VOICECONNECTOR",
	"CLOUD9", "CLOUDFRONT", "CODEBUILD", "DYNAMODB", "EBS", "EC2", "EC2_INSTANCE_CONNECT", "GLOBALACCELERATOR",
	"KINESIS_VIDEO_STREAMS", "ROUTE53", "ROUTE53_HEALTHCHECKS", "ROUTE53_HEALTHCHECKS_PUBLISHING",
	"ROUTE53_RESOLVER", "S3", "WORKSPACES_GATEWAYS",
}

var categories = []Category{CryptoCurrencyMining, DNSExfiltration, CommandAndControl}

// zeros backs opaque responses (response-bytes); they are read-only.
var zeros = make([]byte, maxResponseBytes)

// Parse reads a world from YAML. name is the file name errors carry. The
// error, if any, is an ErrorList with every problem found (up to 25), each
// at its line and column.
func Parse(name string, data []byte) (*World, error) {
	d := &decoder{file: name, anchors: map[string]ast.Node{}}
	if len(data) > maxFileBytes {
		d.errorf(nil, "", "the world file is %d bytes; at most %d are allowed", len(data), maxFileBytes)
		return nil, d.errs
	}
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		d.syntaxError(err)
		return nil, d.errs
	}
	var docs []*ast.DocumentNode
	for _, doc := range f.Docs {
		if doc != nil && doc.Body != nil {
			docs = append(docs, doc)
		}
	}
	if len(docs) == 0 {
		d.errorf(nil, "", "the world file is empty; it needs at least one of names, hosts, threats or scanners")
		return nil, d.errs
	}
	if len(docs) > 1 {
		d.errorf(docs[1].Body, "", "a world file holds one YAML document; this is a second one")
		return nil, d.errs
	}
	b := &builder{
		d: d,
		w: &World{
			source: name, negativeTTL: defaultNegativeTTL,
			names: map[string]*owner{}, wildcards: map[string]*owner{}, exists: map[string]struct{}{},
			domainThreats: map[string][]Threat{}, addrThreats: map[netip.Addr][]Threat{},
			hosts: map[netip.Addr]*Host{},
		},
		nameAt: map[string]ast.Node{},
	}
	top, ok := d.mapping(d.resolve(docs[0].Body), "", "version", "negative-ttl", "names", "threats", "hosts", "scanners")
	if !ok {
		return nil, d.errs
	}
	if f, ok := top["version"]; ok {
		if v, ok := d.uint(f.value, "version", math.MaxInt32); ok && v != 1 {
			d.errorf(f.value, "version", "version %d is not supported; the only version is 1", v)
		}
	}
	if f, ok := top["negative-ttl"]; ok {
		if v, ok := b.ttl(f.value, "negative-ttl"); ok {
			b.w.negativeTTL = v
		}
	}
	if f, ok := top["names"]; ok {
		b.names(f.value)
	}
	if f, ok := top["threats"]; ok {
		b.threats(f.value)
	}
	if f, ok := top["hosts"]; ok {
		b.hosts(f.value)
	}
	if f, ok := top["scanners"]; ok {
		b.scanners(f.value)
	}
	if len(d.errs) == 0 {
		b.checkCNAMEs()
	}
	if d.expanded > maxExpandedNodes {
		d.errorf(nil, "", "aliases expand to more than %d nodes; the file is too large once expanded", maxExpandedNodes)
	}
	if len(d.errs) > 0 {
		slices.SortStableFunc(d.errs, func(a, b *Error) int {
			if a.Line != b.Line {
				return a.Line - b.Line
			}
			return a.Column - b.Column
		})
		return nil, d.errs
	}
	return b.w, nil
}

type builder struct {
	d      *decoder
	w      *World
	nameAt map[string]ast.Node // owner name ("*.x" for wildcards) → where it was defined
}

// ttl decodes whole seconds (300) or a duration (5m).
func (b *builder) ttl(n ast.Node, path string) (uint32, bool) {
	s, ok := scalarText(n)
	if !ok {
		b.d.errorf(n, path, "must be a TTL (whole seconds or a duration such as 5m), not %s", describe(n))
		return 0, false
	}
	if v, err := strconv.ParseUint(s, 10, 64); err == nil {
		if v > maxTTL {
			b.d.errorf(n, path, "%d seconds is more than the largest TTL, %d (RFC 2181)", v, maxTTL)
			return 0, false
		}
		return uint32(v), true
	}
	dur, err := time.ParseDuration(s)
	if err != nil || dur < 0 || dur%time.Second != 0 || dur > maxTTL*time.Second {
		b.d.errorf(n, path, "%q is not a TTL: give whole seconds (0 to %d) or a duration such as 5m", s, maxTTL)
		return 0, false
	}
	return uint32(dur / time.Second), true
}

// duration decodes a positive Go duration no longer than max.
func (b *builder) duration(n ast.Node, path string, min, max time.Duration) (time.Duration, bool) {
	s, ok := scalarText(n)
	if !ok {
		b.d.errorf(n, path, "must be a duration such as 90ms or 5m, not %s", describe(n))
		return 0, false
	}
	dur, err := time.ParseDuration(s)
	if err != nil || dur < min || dur > max {
		b.d.errorf(n, path, "%q is not a duration from %s to %s (write it as 90ms, 2m, ...)", s, min, max)
		return 0, false
	}
	return dur, true
}

// domain decodes a domain name; wildcard allows a leading "*.".
func (b *builder) domain(n ast.Node, path string, wildcard bool) (string, bool) {
	s, ok := b.d.str(n, path)
	if !ok {
		return "", false
	}
	rest, isWild := strings.CutPrefix(s, "*.")
	if isWild && !wildcard {
		b.d.errorf(n, path, "%q: give the domain without \"*.\"; an indicator matches every subdomain", s)
		return "", false
	}
	if strings.Contains(rest, "*") {
		b.d.errorf(n, path, "%q: \"*\" may only be the whole leftmost label (*.example.com)", s)
		return "", false
	}
	c, ok := canonicalName(rest)
	if !ok {
		b.d.errorf(n, path, "%q is not a domain name (labels of 1 to 63 characters, 253 in all)", s)
		return "", false
	}
	if isWild {
		return "*." + c, true
	}
	return c, true
}

func (b *builder) names(n ast.Node) {
	items, ok := b.d.sequence(n, "names")
	if !ok {
		return
	}
	for i, item := range items {
		path := indexPath("names", i)
		fs, ok := b.d.mapping(item, path, "name", "ttl", "a", "aaaa", "cname", "txt", "mx", "ptr")
		if !ok {
			continue
		}
		nf, ok := fs["name"]
		if !ok {
			b.d.errorf(item, path, "needs a name")
			continue
		}
		name, ok := b.domain(nf.value, path+".name", true)
		if !ok {
			continue
		}
		if prior, dup := b.nameAt[name]; dup {
			b.d.errorf(nf.value, path+".name", "%s is already defined at line %d; give all its records in one entry", name, line(prior))
			continue
		}
		b.nameAt[name] = nf.value
		o := &owner{name: name, ttl: defaultTTL, rrs: map[string][]Record{}}
		errsBefore := len(b.d.errs)
		if f, ok := fs["ttl"]; ok {
			if v, ok := b.ttl(f.value, path+".ttl"); ok {
				o.ttl = v
			}
		}
		add := func(typ, data string) {
			if _, seen := o.rrs[typ]; !seen {
				o.order = append(o.order, typ)
			}
			o.rrs[typ] = append(o.rrs[typ], Record{Name: name, Type: typ, TTL: o.ttl, Data: data})
		}
		for _, typ := range []string{"a", "aaaa"} {
			f, ok := fs[typ]
			if !ok {
				continue
			}
			nodes, texts := b.d.strings(f.value, path+"."+typ)
			for j, s := range texts {
				addr, err := netip.ParseAddr(s)
				switch {
				case err != nil || addr.Zone() != "":
					b.d.errorf(nodes[j], indexPath(path+"."+typ, j), "%q is not an IP address", s)
				case typ == "a" && !addr.Is4():
					b.d.errorf(nodes[j], indexPath(path+"."+typ, j), "%q is not an IPv4 address (IPv6 addresses go under aaaa)", s)
				case typ == "aaaa" && (!addr.Is6() || addr.Is4In6()):
					b.d.errorf(nodes[j], indexPath(path+"."+typ, j), "%q is not an IPv6 address (IPv4 addresses go under a)", s)
				default:
					add(strings.ToUpper(typ), addr.String())
				}
			}
		}
		if f, ok := fs["cname"]; ok {
			if target, ok := b.domain(f.value, path+".cname", false); ok {
				o.cname = target
				add("CNAME", target+".")
			}
			for _, other := range []string{"a", "aaaa", "txt", "mx", "ptr"} {
				if g, ok := fs[other]; ok {
					b.d.errorf(g.key, path+"."+other, "a name with a cname can have no other records (RFC 1034 §3.6.2)")
				}
			}
		}
		if f, ok := fs["txt"]; ok {
			nodes, texts := b.d.strings(f.value, path+".txt")
			for j, s := range texts {
				if len(s) > maxTXTString {
					b.d.errorf(nodes[j], indexPath(path+".txt", j), "a TXT string holds at most %d bytes; this one has %d", maxTXTString, len(s))
					continue
				}
				add("TXT", quoteTXT(s))
			}
		}
		if f, ok := fs["mx"]; ok {
			nodes, texts := b.d.strings(f.value, path+".mx")
			for j, s := range texts {
				pref, host, ok := strings.Cut(strings.TrimSpace(s), " ")
				p, err := strconv.ParseUint(pref, 10, 16)
				h, hostOK := canonicalName(strings.TrimSpace(host))
				if !ok || err != nil || !hostOK {
					b.d.errorf(nodes[j], indexPath(path+".mx", j), "%q is not an MX record: give a preference and a host, as in \"10 mail.example.com\"", s)
					continue
				}
				add("MX", strconv.FormatUint(p, 10)+" "+h+".")
			}
		}
		if f, ok := fs["ptr"]; ok {
			nodes, texts := b.d.strings(f.value, path+".ptr")
			for j, s := range texts {
				h, ok := canonicalName(s)
				if !ok {
					b.d.errorf(nodes[j], indexPath(path+".ptr", j), "%q is not a domain name", s)
					continue
				}
				add("PTR", h+".")
			}
		}
		if len(o.rrs) == 0 {
			if _, hasCNAME := fs["cname"]; !hasCNAME && len(b.d.errs) == errsBefore {
				b.d.errorf(nf.value, path, "%s has no records: give a, aaaa, cname, txt, mx or ptr", name)
			}
			continue
		}
		if rest, wild := strings.CutPrefix(name, "*."); wild {
			b.w.wildcards[rest] = o
			b.markExists(rest)
		} else {
			b.w.names[name] = o
			b.markExists(name)
		}
	}
}

// markExists records a name and its ancestors.
func (b *builder) markExists(name string) {
	for s := name; ; {
		b.w.exists[s] = struct{}{}
		i := strings.IndexByte(s, '.')
		if i < 0 {
			return
		}
		s = s[i+1:]
	}
}

// checkCNAMEs rejects CNAME loops and chains too long to follow.
func (b *builder) checkCNAMEs() {
	for name, o := range b.w.names {
		if o.cname == "" {
			continue
		}
		seen := map[string]bool{name: true}
		for hops, target := 1, o.cname; ; hops++ {
			next, ok := b.w.names[target]
			if !ok || next.cname == "" {
				break
			}
			if seen[target] || hops >= maxCNAMEChain {
				b.d.errorf(b.nameAt[name], "names", "the CNAME chain from %s loops or is longer than %d links", name, maxCNAMEChain)
				break
			}
			seen[target] = true
			target = next.cname
		}
	}
}

func quoteTXT(s string) string {
	var sb strings.Builder
	sb.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '"' || c == '\\' {
			sb.WriteByte('\\')
		}
		sb.WriteByte(s[i])
	}
	sb.WriteByte('"')
	return sb.String()
}

func (b *builder) threats(n ast.Node) {
	items, ok := b.d.sequence(n, "threats")
	if !ok {
		return
	}
	own := map[string][]Threat{}
	for i, item := range items {
		path := indexPath("threats", i)
		fs, ok := b.d.mapping(item, path, "domain", "address", "category", "list")
		if !ok {
			continue
		}
		var t Threat
		cf, ok := fs["category"]
		if !ok {
			b.d.errorf(item, path, "needs a category (%s)", joinCategories())
		} else if s, ok := b.d.str(cf.value, path+".category"); ok {
			if !slices.Contains(categories, Category(s)) {
				b.d.errorf(cf.value, path+".category", "unknown category %q (known: %s)", s, joinCategories())
			}
			t.Category = Category(s)
		}
		if f, ok := fs["list"]; ok {
			t.List, _ = b.d.str(f.value, path+".list")
		}
		df, hasDomain := fs["domain"]
		af, hasAddr := fs["address"]
		switch {
		case hasDomain == hasAddr:
			b.d.errorf(item, path, "give exactly one of domain or address")
		case hasDomain:
			if dom, ok := b.domain(df.value, path+".domain", false); ok {
				t.Indicator = dom
				own[dom] = append(own[dom], t)
			}
		default:
			s, ok := b.d.str(af.value, path+".address")
			if !ok {
				continue
			}
			if strings.Contains(s, "/") {
				p, err := netip.ParsePrefix(s)
				if err != nil {
					b.d.errorf(af.value, path+".address", "%q is not an address or prefix", s)
					continue
				}
				if p.Masked() != p {
					b.d.errorf(af.value, path+".address", "%q has host bits set; did you mean %s?", s, p.Masked())
					continue
				}
				t.Indicator = p.String()
				b.w.prefixThreats = append(b.w.prefixThreats, prefixThreat{prefix: p, threat: t})
				continue
			}
			addr, err := netip.ParseAddr(s)
			if err != nil || addr.Zone() != "" {
				b.d.errorf(af.value, path+".address", "%q is not an address or prefix", s)
				continue
			}
			addr = addr.Unmap()
			t.Indicator = addr.String()
			b.w.addrThreats[addr] = append(b.w.addrThreats[addr], t)
		}
	}
	// Each indicator carries its ancestors' threats too, most specific
	// first, so a lookup is one map hit.
	for dom := range own {
		var all []Threat
		for s := dom; ; {
			all = append(all, own[s]...)
			i := strings.IndexByte(s, '.')
			if i < 0 {
				break
			}
			s = s[i+1:]
		}
		b.w.domainThreats[dom] = slices.Clip(all)
	}
}

func joinCategories() string {
	s := make([]string, len(categories))
	for i, c := range categories {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}

func (b *builder) address(n ast.Node, path string) (netip.Addr, bool) {
	s, ok := b.d.str(n, path)
	if !ok {
		return netip.Addr{}, false
	}
	addr, err := netip.ParseAddr(s)
	if err != nil || addr.Zone() != "" {
		b.d.errorf(n, path, "%q is not an IP address", s)
		return netip.Addr{}, false
	}
	return addr.Unmap(), true
}

func (b *builder) hosts(n ast.Node) {
	items, ok := b.d.sequence(n, "hosts")
	if !ok {
		return
	}
	at := map[netip.Addr]ast.Node{}
	for i, item := range items {
		path := indexPath("hosts", i)
		fs, ok := b.d.mapping(item, path, "address", "description", "rtt", "ping", "aws-service", "listen")
		if !ok {
			continue
		}
		af, ok := fs["address"]
		if !ok {
			b.d.errorf(item, path, "needs an address")
			continue
		}
		addr, ok := b.address(af.value, path+".address")
		if !ok {
			continue
		}
		if prior, dup := at[addr]; dup {
			b.d.errorf(af.value, path+".address", "%s is already a host at line %d", addr, line(prior))
			continue
		}
		at[addr] = af.value
		h := &Host{Address: addr, RTT: defaultRTT, Ping: true}
		if f, ok := fs["description"]; ok {
			h.Description, _ = b.d.str(f.value, path+".description")
		}
		if f, ok := fs["rtt"]; ok {
			if v, ok := b.duration(f.value, path+".rtt", time.Microsecond, maxRTT); ok {
				h.RTT = v
			}
		}
		if f, ok := fs["ping"]; ok {
			h.Ping, _ = b.d.bool(f.value, path+".ping")
		}
		if f, ok := fs["aws-service"]; ok {
			if s, ok := b.d.str(f.value, path+".aws-service"); ok {
				if !slices.Contains(awsServices, s) {
					b.d.errorf(f.value, path+".aws-service", "unknown AWS service %q (flow logs know %s)", s, strings.Join(awsServices, ", "))
				}
				h.AWSService = s
			}
		}
		if f, ok := fs["listen"]; ok {
			b.listeners(h, f.value, path+".listen")
		}
		b.w.hosts[addr] = h
	}
}

func (b *builder) listeners(h *Host, n ast.Node, path string) {
	items, ok := b.d.sequence(n, path)
	if !ok {
		return
	}
	at := map[[2]int]ast.Node{}
	for i, item := range items {
		lpath := indexPath(path, i)
		fs, ok := b.d.mapping(item, lpath, "port", "protocol", "http", "response", "response-bytes")
		if !ok {
			continue
		}
		l := Listener{Protocol: 6}
		pf, ok := fs["port"]
		if !ok {
			b.d.errorf(item, lpath, "needs a port")
			continue
		}
		port, ok := b.d.uint(pf.value, lpath+".port", 65535)
		if !ok {
			continue
		}
		if port == 0 {
			b.d.errorf(pf.value, lpath+".port", "port 0 cannot listen; give 1 to 65535")
			continue
		}
		l.Port = uint16(port)
		if f, ok := fs["protocol"]; ok {
			if s, ok := b.d.str(f.value, lpath+".protocol"); ok {
				switch strings.ToLower(s) {
				case "tcp":
				case "udp":
					l.Protocol = 17
				default:
					b.d.errorf(f.value, lpath+".protocol", "unknown protocol %q (tcp or udp)", s)
				}
			}
		}
		key := [2]int{l.Protocol, int(l.Port)}
		if prior, dup := at[key]; dup {
			b.d.errorf(pf.value, lpath+".port", "port %d is already listed at line %d", port, line(prior))
			continue
		}
		at[key] = pf.value
		given := 0
		for _, k := range []string{"http", "response", "response-bytes"} {
			if _, ok := fs[k]; ok {
				given++
			}
		}
		if given != 1 {
			b.d.errorf(item, lpath, "give exactly one of http, response or response-bytes")
			continue
		}
		switch {
		case fs["http"].value != nil:
			l.Response = b.httpResponse(fs["http"].value, lpath+".http")
		case fs["response"].value != nil:
			s, _ := b.d.str(fs["response"].value, lpath+".response")
			if len(s) > maxResponseBytes {
				b.d.errorf(fs["response"].value, lpath+".response", "a response holds at most %d bytes", maxResponseBytes)
			}
			l.Response = []byte(s)
		default:
			v, ok := b.d.uint(fs["response-bytes"].value, lpath+".response-bytes", maxResponseBytes)
			if ok {
				l.Response = zeros[:v:v]
			}
		}
		h.Listeners = append(h.Listeners, l)
	}
}

// httpResponse builds an HTTP/1.1 response from {status, content-type, body}.
func (b *builder) httpResponse(n ast.Node, path string) []byte {
	fs, ok := b.d.mapping(n, path, "status", "content-type", "body")
	if !ok {
		return nil
	}
	status, ctype, body := uint64(200), "text/html", ""
	if f, ok := fs["status"]; ok {
		if v, ok := b.d.uint(f.value, path+".status", 599); ok {
			if v < 100 {
				b.d.errorf(f.value, path+".status", "%d is not an HTTP status (100 to 599)", v)
			}
			status = v
		}
	}
	if f, ok := fs["content-type"]; ok {
		ctype, _ = b.d.str(f.value, path+".content-type")
	}
	if f, ok := fs["body"]; ok {
		body, _ = b.d.str(f.value, path+".body")
		if len(body) > maxResponseBytes {
			b.d.errorf(f.value, path+".body", "a body holds at most %d bytes", maxResponseBytes)
		}
	}
	reason := http.StatusText(int(status))
	return fmt.Appendf(nil, "HTTP/1.1 %d %s\r\nServer: nginx\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
		status, reason, ctype, len(body), body)
}

func (b *builder) scanners(n ast.Node) {
	items, ok := b.d.sequence(n, "scanners")
	if !ok {
		return
	}
	at := map[netip.Addr]ast.Node{}
	for i, item := range items {
		path := indexPath("scanners", i)
		fs, ok := b.d.mapping(item, path, "address", "description", "every", "ports")
		if !ok {
			continue
		}
		var s Scanner
		af, ok := fs["address"]
		if !ok {
			b.d.errorf(item, path, "needs an address")
			continue
		}
		if s.Address, ok = b.address(af.value, path+".address"); !ok {
			continue
		}
		if prior, dup := at[s.Address]; dup {
			b.d.errorf(af.value, path+".address", "%s is already a scanner at line %d", s.Address, line(prior))
			continue
		}
		at[s.Address] = af.value
		if f, ok := fs["description"]; ok {
			s.Description, _ = b.d.str(f.value, path+".description")
		}
		ef, ok := fs["every"]
		if !ok {
			b.d.errorf(item, path, "needs every: how often each public address is probed (2m, say)")
			continue
		}
		if s.Every, ok = b.duration(ef.value, path+".every", minScanEvery, 24*time.Hour); !ok {
			continue
		}
		pf, ok := fs["ports"]
		if !ok {
			b.d.errorf(item, path, "needs ports to probe")
			continue
		}
		items, ok := b.d.sequence(pf.value, path+".ports")
		if !ok {
			continue
		}
		for j, p := range items {
			v, ok := b.d.uint(p, indexPath(path+".ports", j), 65535)
			if ok && v == 0 {
				b.d.errorf(p, indexPath(path+".ports", j), "port 0 cannot be probed; give 1 to 65535")
				ok = false
			}
			if ok {
				s.Ports = append(s.Ports, uint16(v))
			}
		}
		if len(s.Ports) == 0 {
			b.d.errorf(pf.value, path+".ports", "needs at least one port")
			continue
		}
		b.w.scanners = append(b.w.scanners, s)
	}
}
