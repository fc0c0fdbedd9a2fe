package shell

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/irdrill/irdrill/sandbox/behaviour/trace"
	"github.com/irdrill/irdrill/sandbox/network"
)

// Versions of the tools the sandbox imitates (Amazon Linux 2, mid-2021).
const (
	digVersion  = "9.11.4-P2-RedHat-9.11.4-26.P2.amzn2.5.2"
	curlVersion = "7.76.1"
	wgetVersion = "1.14"
)

// The Amazon-provided DNS resolver is also reachable at this address from
// every VPC.
var linkLocalResolver = netip.MustParseAddr("169.254.169.253")

// resolvConf is what /etc/resolv.conf on the volume says.
type resolvConf struct {
	servers []netip.Addr
	search  []string
}

// resolvConf reads /etc/resolv.conf, so that a decoy that rewrites it (to
// send its queries to 8.8.8.8, say) is followed.
func (p *proc) resolvConf() resolvConf {
	m := p.m
	gen := m.cfg.FS.Gen()
	if m.rcCache != nil && m.rcGen == gen {
		return *m.rcCache
	}
	rc := &resolvConf{}
	if data, err := m.cfg.FS.ReadFile("/etc/resolv.conf"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			f := strings.Fields(line)
			if len(f) < 2 {
				continue
			}
			switch f[0] {
			case "nameserver":
				if a, err := netip.ParseAddr(f[1]); err == nil {
					rc.servers = append(rc.servers, a)
				}
			case "search", "domain":
				rc.search = append([]string(nil), f[1:]...)
			}
		}
	}
	if len(rc.servers) == 0 {
		// glibc's default when resolv.conf names no server: localhost,
		// where nothing listens on an instance.
		rc.servers = []netip.Addr{netip.MustParseAddr("127.0.0.1")}
	}
	m.rcCache, m.rcGen = rc, gen
	return *rc
}

func (p *proc) isVPCResolver(a netip.Addr) bool {
	return a == p.m.cfg.Host.Resolver || a == linkLocalResolver
}

// query sends one DNS query and records it. The VPC resolver answers
// through Network.Resolve; any other server gets a UDP datagram through
// Network.Dial and answers only if the modelled internet runs a DNS
// server there.
func (p *proc) query(ctx context.Context, tool string, server netip.Addr, port uint16, name, qtype string) (network.DNSAnswer, bool) {
	name = strings.TrimSuffix(name, ".")
	if name == "" {
		name = "."
	}
	rec := &trace.DNSQuery{Tool: tool, Server: server, SrcPort: port, Name: name, Type: qtype}
	ev := trace.Event{Kind: trace.DNS, DNS: rec, Time: p.now()}
	var ans network.DNSAnswer
	answered := false
	switch {
	case p.isVPCResolver(server):
		ans = p.m.cfg.Net.Resolve(ctx, network.DNSQuery{
			Time: p.now(), From: p.m.cfg.Host, SrcPort: port, Name: name, Type: qtype, Transport: "UDP",
		})
		answered = true
	case server.IsLoopback():
		// Nothing listens on port 53 on the instance itself.
	default:
		req := wireQuery(uint16(p.m.rng.Uint32()), name, qtype)
		res := p.m.cfg.Net.Dial(ctx, network.Dial{
			Time: p.now(), From: p.m.cfg.Host, Protocol: network.ProtocolUDP, SrcPort: port,
			Dst: netip.AddrPortFrom(server, 53), Request: req,
		})
		p.record(trace.Event{Kind: trace.Connect, Conn: &trace.Connection{
			Tool: tool, Protocol: network.ProtocolUDP, SrcPort: port, Dst: netip.AddrPortFrom(server, 53),
			Outcome: res.Outcome, BytesOut: len(req), BytesIn: len(res.Response), Elapsed: res.Elapsed,
		}})
		if res.Outcome == network.Connected {
			ans, answered = parseWire(res.Response)
		}
	}
	if answered {
		rec.RCode, rec.Answers = ans.RCode, ans.Answers
	}
	p.record(ev)
	return ans, answered
}

var qtypes = map[string]dnsmessage.Type{
	"A": dnsmessage.TypeA, "AAAA": dnsmessage.TypeAAAA, "MX": dnsmessage.TypeMX, "TXT": dnsmessage.TypeTXT,
	"NS": dnsmessage.TypeNS, "CNAME": dnsmessage.TypeCNAME, "SOA": dnsmessage.TypeSOA, "PTR": dnsmessage.TypePTR,
	"SRV": dnsmessage.TypeSRV, "ANY": dnsmessage.TypeALL, "CAA": dnsmessage.Type(257),
}

// wireQuery is the datagram a resolver library sends, for sizing the flow.
func wireQuery(id uint16, name, qtype string) []byte {
	n, err := dnsmessage.NewName(strings.TrimSuffix(name, ".") + ".")
	if err != nil {
		return make([]byte, 12+len(name)+6)
	}
	t, ok := qtypes[qtype]
	if !ok {
		t = dnsmessage.TypeA
	}
	msg := dnsmessage.Message{
		Header:    dnsmessage.Header{ID: id, RecursionDesired: true},
		Questions: []dnsmessage.Question{{Name: n, Type: t, Class: dnsmessage.ClassINET}},
	}
	b, err := msg.Pack()
	if err != nil {
		return make([]byte, 12+len(name)+6)
	}
	return b
}

// parseWire reads a DNS answer a server sent back.
func parseWire(b []byte) (network.DNSAnswer, bool) {
	var msg dnsmessage.Message
	if err := msg.Unpack(b); err != nil || !msg.Header.Response {
		return network.DNSAnswer{}, false
	}
	ans := network.DNSAnswer{RCode: rcodeName(msg.Header.RCode)}
	for _, rr := range msg.Answers {
		r := network.Record{Name: strings.TrimSuffix(rr.Header.Name.String(), "."), Class: "IN", TTL: rr.Header.TTL}
		switch body := rr.Body.(type) {
		case *dnsmessage.AResource:
			r.Type, r.Data = "A", netip.AddrFrom4(body.A).String()
		case *dnsmessage.AAAAResource:
			r.Type, r.Data = "AAAA", netip.AddrFrom16(body.AAAA).String()
		case *dnsmessage.CNAMEResource:
			r.Type, r.Data = "CNAME", body.CNAME.String()
		case *dnsmessage.TXTResource:
			r.Type, r.Data = "TXT", `"`+strings.Join(body.TXT, `" "`)+`"`
		default:
			continue
		}
		ans.Answers = append(ans.Answers, r)
	}
	return ans, true
}

func rcodeName(c dnsmessage.RCode) string {
	switch c {
	case dnsmessage.RCodeSuccess:
		return "NOERROR"
	case dnsmessage.RCodeNameError:
		return "NXDOMAIN"
	case dnsmessage.RCodeServerFailure:
		return "SERVFAIL"
	case dnsmessage.RCodeRefused:
		return "REFUSED"
	case dnsmessage.RCodeFormatError:
		return "FORMERR"
	case dnsmessage.RCodeNotImplemented:
		return "NOTIMP"
	}
	return "RCODE" + strconv.Itoa(int(c))
}

// reverseName is the in-addr.arpa (or ip6.arpa) name of an address.
func reverseName(s string) (string, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return "", false
	}
	if a.Is4() {
		b := a.As4()
		return fmt.Sprintf("%d.%d.%d.%d.in-addr.arpa", b[3], b[2], b[1], b[0]), true
	}
	b := a.As16()
	var sb strings.Builder
	for i := 15; i >= 0; i-- {
		fmt.Fprintf(&sb, "%x.%x.", b[i]&0xf, b[i]>>4)
	}
	return sb.String() + "ip6.arpa", true
}

// cmdDig is BIND's dig: one query per name to the first nameserver (or
// @server), printed in dig's format. It does not use the search list.
func cmdDig(c *cmd) int {
	p := c.p
	if err := p.spend(c.ctx, p.m.cfg.Costs.DigStart); err != nil {
		return 1
	}
	var (
		server     netip.Addr
		short      bool
		answerOnly bool
		qtype      = "A"
		queries    [][2]string
		typeSet    bool
	)
	args := c.args[1:]
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case strings.HasPrefix(a, "@"):
			if s, err := netip.ParseAddr(a[1:]); err == nil {
				server = s
			}
		case a == "+short":
			short = true
		case a == "+noall" || a == "+answer":
			answerOnly = true
		case strings.HasPrefix(a, "+"):
		case a == "-t" && i+1 < len(args):
			qtype, typeSet = strings.ToUpper(args[i+1]), true
			i++
		case a == "-x" && i+1 < len(args):
			if rn, ok := reverseName(args[i+1]); ok {
				queries = append(queries, [2]string{rn, "PTR"})
			}
			i++
		case (a == "-p" || a == "-b" || a == "-c" || a == "-q" || a == "-f" || a == "-k" || a == "-y") && i+1 < len(args):
			if a == "-q" {
				queries = append(queries, [2]string{args[i+1], ""})
			}
			i++
		case strings.HasPrefix(a, "-"):
		case isQType(a) && (len(queries) > 0 || typeSet):
			if len(queries) > 0 && queries[len(queries)-1][1] == "" {
				queries[len(queries)-1][1] = strings.ToUpper(a)
			} else {
				qtype = strings.ToUpper(a)
			}
		case strings.EqualFold(a, "IN"):
		default:
			queries = append(queries, [2]string{a, ""})
		}
	}
	if len(queries) == 0 {
		queries = [][2]string{{".", "NS"}}
	}
	if !server.IsValid() {
		server = p.resolvConf().servers[0]
	}
	quiet := discards(c.stdout)
	status := 0
	for _, q := range queries {
		t := q[1]
		if t == "" {
			t = qtype
		}
		port := p.m.ephemeralPort()
		id := uint16(p.m.rng.Uint32())
		when := p.now()
		if err := p.advance(c.ctx, p.m.cfg.Costs.QueryRTT); err != nil {
			return 1
		}
		ans, ok := p.query(c.ctx, "dig", server, port, q[0], t)
		if !ok {
			// dig waits 5 s, three times, before it gives up.
			if err := p.advance(c.ctx, 15*time.Second); err != nil {
				return 1
			}
			if !quiet {
				fmt.Fprintf(c.stdout, ";; connection timed out; no servers could be reached\n")
			}
			status = 9
			continue
		}
		if quiet {
			continue
		}
		switch {
		case short:
			for _, r := range ans.Answers {
				fmt.Fprintln(c.stdout, r.Data)
			}
		default:
			writeDig(c.stdout, strings.Join(c.args[1:], " "), q[0], t, ans, server, id, when, p.m.cfg.Costs.QueryRTT, answerOnly)
		}
	}
	return status
}

func isQType(s string) bool {
	if len(s) > 5 {
		return false
	}
	_, ok := qtypes[strings.ToUpper(s)]
	return ok
}

func fqdn(name string) string {
	if strings.HasSuffix(name, ".") {
		return name
	}
	return name + "."
}

// writeDig prints an answer as dig 9.11 does.
func writeDig(w io.Writer, cmdline, name, qtype string, ans network.DNSAnswer, server netip.Addr, id uint16,
	when time.Time, rtt time.Duration, answerOnly bool) {
	if answerOnly {
		for _, r := range ans.Answers {
			fmt.Fprintf(w, "%s\t%d\tIN\t%s\t%s\n", fqdn(r.Name), r.TTL, r.Type, r.Data)
		}
		return
	}
	size := 12 + len(fqdn(name)) + 1 + 4 + 11
	for _, r := range ans.Answers {
		size += 2 + 10 + len(r.Data)
		switch r.Type {
		case "A":
			size += 4 - len(r.Data)
		case "AAAA":
			size += 16 - len(r.Data)
		}
	}
	fmt.Fprintf(w, "\n; <<>> DiG %s <<>> %s\n;; global options: +cmd\n;; Got answer:\n", digVersion, cmdline)
	fmt.Fprintf(w, ";; ->>HEADER<<- opcode: QUERY, status: %s, id: %d\n", ans.RCode, id)
	fmt.Fprintf(w, ";; flags: qr rd ra; QUERY: 1, ANSWER: %d, AUTHORITY: 0, ADDITIONAL: 1\n\n", len(ans.Answers))
	fmt.Fprintf(w, ";; OPT PSEUDOSECTION:\n; EDNS: version: 0, flags:; udp: 4096\n;; QUESTION SECTION:\n")
	fmt.Fprintf(w, ";%s\t\tIN\t%s\n\n", fqdn(name), qtype)
	if len(ans.Answers) > 0 {
		fmt.Fprintf(w, ";; ANSWER SECTION:\n")
		for _, r := range ans.Answers {
			fmt.Fprintf(w, "%s\t%d\tIN\t%s\t%s\n", fqdn(r.Name), r.TTL, r.Type, r.Data)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, ";; Query time: %d msec\n;; SERVER: %s#53(%s)\n", rtt.Milliseconds(), server, server)
	fmt.Fprintf(w, ";; WHEN: %s\n;; MSG SIZE  rcvd: %d\n\n", when.UTC().Format("Mon Jan 02 15:04:05 UTC 2006"), size)
}

// searchNames are the names a stub resolver tries for name, in order:
// as given first when it has a dot (ndots:1), then with each search
// domain.
func searchNames(name string, rc resolvConf) []string {
	if strings.HasSuffix(name, ".") {
		return []string{strings.TrimSuffix(name, ".")}
	}
	var out []string
	if strings.Contains(name, ".") {
		out = append(out, name)
	}
	for _, s := range rc.search {
		out = append(out, name+"."+s)
	}
	if !strings.Contains(name, ".") {
		out = append(out, name)
	}
	return out
}

// cmdHost is BIND's host: A, AAAA and MX for a name (or -t TYPE), with the
// search list; a reverse look-up for an address.
func cmdHost(c *cmd) int {
	p := c.p
	if err := p.spend(c.ctx, p.m.cfg.Costs.DigStart); err != nil {
		return 1
	}
	var types []string
	var name string
	var server netip.Addr
	args := c.args[1:]
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-t" && i+1 < len(args):
			types = []string{strings.ToUpper(args[i+1])}
			i++
		case strings.HasPrefix(a, "-"):
		case name == "":
			name = a
		default:
			if s, err := netip.ParseAddr(a); err == nil {
				server = s
			}
		}
	}
	if name == "" {
		fmt.Fprintln(c.stderr, "Usage: host [-aCdilrTvVw] [-c class] [-N ndots] [-t type] [-W time]\n            [-R number] [-m flag] hostname [server]")
		return 1
	}
	if !server.IsValid() {
		server = p.resolvConf().servers[0]
	}
	if rn, ok := reverseName(name); ok {
		ans, got := p.hostQuery(c, server, rn, "PTR")
		if !got {
			fmt.Fprintf(c.stdout, ";; connection timed out; no servers could be reached\n")
			return 1
		}
		if ans.RCode != "NOERROR" || len(ans.Answers) == 0 {
			fmt.Fprintf(c.stdout, "Host %s not found: %s\n", rn, rcodeNumber(ans.RCode))
			return 1
		}
		for _, r := range ans.Answers {
			fmt.Fprintf(c.stdout, "%s domain name pointer %s\n", rn, r.Data)
		}
		return 0
	}
	if types == nil {
		types = []string{"A", "AAAA", "MX"}
	}
	candidates := searchNames(name, p.resolvConf())
	for _, cand := range candidates {
		ans, got := p.hostQuery(c, server, cand, types[0])
		if !got {
			fmt.Fprintf(c.stdout, ";; connection timed out; no servers could be reached\n")
			return 1
		}
		if ans.RCode == "NXDOMAIN" {
			continue
		}
		printHost(c.stdout, cand, types[0], ans)
		for _, t := range types[1:] {
			if more, ok := p.hostQuery(c, server, cand, t); ok {
				printHost(c.stdout, cand, t, more)
			}
		}
		return 0
	}
	fmt.Fprintf(c.stdout, "Host %s not found: 3(NXDOMAIN)\n", name)
	return 1
}

func (p *proc) hostQuery(c *cmd, server netip.Addr, name, t string) (network.DNSAnswer, bool) {
	port := p.m.ephemeralPort()
	if err := p.advance(c.ctx, p.m.cfg.Costs.QueryRTT); err != nil {
		return network.DNSAnswer{}, false
	}
	return p.query(c.ctx, path0(c.args[0]), server, port, name, t)
}

func path0(s string) string {
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[i+1:]
	}
	return s
}

func rcodeNumber(rcode string) string {
	switch rcode {
	case "NXDOMAIN":
		return "3(NXDOMAIN)"
	case "SERVFAIL":
		return "2(SERVFAIL)"
	case "REFUSED":
		return "5(REFUSED)"
	}
	return "3(NXDOMAIN)"
}

func printHost(w io.Writer, name, t string, ans network.DNSAnswer) {
	for _, r := range ans.Answers {
		switch r.Type {
		case "A":
			fmt.Fprintf(w, "%s has address %s\n", r.Name, r.Data)
		case "AAAA":
			fmt.Fprintf(w, "%s has IPv6 address %s\n", r.Name, r.Data)
		case "MX":
			fmt.Fprintf(w, "%s mail is handled by %s\n", r.Name, r.Data)
		case "CNAME":
			fmt.Fprintf(w, "%s is an alias for %s.\n", r.Name, strings.TrimSuffix(r.Data, "."))
		case "TXT":
			fmt.Fprintf(w, "%s descriptive text %s\n", r.Name, r.Data)
		default:
			fmt.Fprintf(w, "%s has %s record %s\n", r.Name, r.Type, r.Data)
		}
	}
	if len(ans.Answers) == 0 && t != "A" && t != "AAAA" && t != "MX" {
		fmt.Fprintf(w, "%s has no %s record\n", name, t)
	}
}

// cmdNslookup is BIND's nslookup: A then AAAA, with the search list.
func cmdNslookup(c *cmd) int {
	p := c.p
	if err := p.spend(c.ctx, p.m.cfg.Costs.DigStart); err != nil {
		return 1
	}
	var name string
	var server netip.Addr
	types := []string{"A", "AAAA"}
	for _, a := range c.args[1:] {
		switch {
		case strings.HasPrefix(a, "-type=") || strings.HasPrefix(a, "-query=") || strings.HasPrefix(a, "-q="):
			_, v, _ := strings.Cut(a, "=")
			types = []string{strings.ToUpper(v)}
		case strings.HasPrefix(a, "-"):
		case name == "":
			name = a
		default:
			if s, err := netip.ParseAddr(a); err == nil {
				server = s
			}
		}
	}
	if name == "" {
		c.p.notModelled(c.args, "interactive nslookup not modelled")
		return 0
	}
	if !server.IsValid() {
		server = p.resolvConf().servers[0]
	}
	fmt.Fprintf(c.stdout, "Server:\t\t%s\nAddress:\t%s#53\n\n", server, server)
	if rn, ok := reverseName(name); ok {
		name, types = rn, []string{"PTR"}
	}
	for _, cand := range searchNames(name, p.resolvConf()) {
		ans, got := p.hostQuery(c, server, cand, types[0])
		if !got {
			fmt.Fprintf(c.stdout, ";; connection timed out; no servers could be reached\n\n")
			return 1
		}
		if ans.RCode == "NXDOMAIN" {
			continue
		}
		all := ans.Answers
		for _, t := range types[1:] {
			if more, ok := p.hostQuery(c, server, cand, t); ok {
				all = append(all[:len(all):len(all)], more.Answers...)
			}
		}
		fmt.Fprintf(c.stdout, "Non-authoritative answer:\n")
		for _, r := range all {
			switch r.Type {
			case "A", "AAAA":
				fmt.Fprintf(c.stdout, "Name:\t%s\nAddress: %s\n", r.Name, r.Data)
			case "CNAME":
				fmt.Fprintf(c.stdout, "%s\tcanonical name = %s\n", r.Name, r.Data)
			case "PTR":
				fmt.Fprintf(c.stdout, "%s\tname = %s\n", r.Name, r.Data)
			default:
				fmt.Fprintf(c.stdout, "%s\t%s = %s\n", r.Name, strings.ToLower(r.Type), r.Data)
			}
		}
		fmt.Fprintln(c.stdout)
		return 0
	}
	fmt.Fprintf(c.stdout, "** server can't find %s: NXDOMAIN\n\n", name)
	return 1
}

// getaddrinfo resolves a host name as glibc does for curl and wget on
// Amazon Linux 2: /etc/hosts first, then DNS with the search list,
// asking A and AAAA together from one socket (AF_UNSPEC, as curl and wget
// ask when IPv6 is available in the kernel) for each candidate name.
func (p *proc) getaddrinfo(ctx context.Context, tool, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return []netip.Addr{a}, nil
	}
	if addrs := p.hostsFile(host); len(addrs) > 0 {
		return addrs, nil
	}
	rc := p.resolvConf()
	server := rc.servers[0]
	for _, cand := range searchNames(host, rc) {
		port := p.m.ephemeralPort()
		if err := p.advance(ctx, p.m.cfg.Costs.QueryRTT); err != nil {
			return nil, err
		}
		a, okA := p.query(ctx, tool, server, port, cand, "A")
		aaaa, okAAAA := p.query(ctx, tool, server, port, cand, "AAAA")
		if !okA && !okAAAA {
			if err := p.advance(ctx, 10*time.Second); err != nil {
				return nil, err
			}
			continue
		}
		var out []netip.Addr
		for _, r := range append(a.Answers[:len(a.Answers):len(a.Answers)], aaaa.Answers...) {
			if r.Type != "A" && r.Type != "AAAA" {
				continue
			}
			if addr, err := netip.ParseAddr(r.Data); err == nil {
				out = append(out, addr)
			}
		}
		if len(out) > 0 {
			return out, nil
		}
	}
	return nil, nil
}

// hostsFile looks name up in /etc/hosts on the volume.
func (p *proc) hostsFile(name string) []netip.Addr {
	var out []netip.Addr
	_ = p.m.cfg.FS.View("/etc/hosts", func(data []byte, _ fs.FileMode) {
		for _, line := range strings.Split(string(data), "\n") {
			if i := strings.IndexByte(line, '#'); i >= 0 {
				line = line[:i]
			}
			f := strings.Fields(line)
			if len(f) < 2 {
				continue
			}
			for _, n := range f[1:] {
				if strings.EqualFold(n, name) {
					if a, err := netip.ParseAddr(f[0]); err == nil {
						out = append(out, a)
					}
				}
			}
		}
	})
	return out
}
