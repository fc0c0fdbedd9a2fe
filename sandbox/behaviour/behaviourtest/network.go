// Package behaviourtest is a small network.Network for tests of decoy
// behaviour: it answers DNS from a table, accepts connections to the
// addresses it is told listen, and records everything it is asked.
package behaviourtest

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/irdrill/irdrill/sandbox/network"
)

// Network answers from its tables. The zero value answers NXDOMAIN to
// every name and times out every connection. It is safe for concurrent
// use.
type Network struct {
	mu sync.Mutex
	// A maps a name, or "*.domain" for every name under domain, to its
	// IPv4 addresses.
	A map[string][]string
	// Listen is the set of addresses that accept TCP connections, with
	// the HTTP body they answer.
	Listen map[netip.AddrPort]string
	// RTT is how long a connection's exchange takes (40 ms if zero).
	RTT time.Duration
	// TTL of every answer (60 s if zero).
	TTL uint32

	Queries []network.DNSQuery
	Dials   []network.Dial
}

// Seed returns a network with the names the seed's persist.sh asks for,
// in 198.51.100.0/24 as the playbook's flow tables show, and HTTP servers
// on the two mining pools. The typo xmr.pool.minergate.comac is unknown,
// so it gets NXDOMAIN.
func Seed() *Network {
	n := &Network{A: map[string][]string{
		"donate.v2.xmrig.com":           {"198.51.100.10"},
		"systemten.org":                 {"198.51.100.11"},
		"pool.minergate.com":            {"198.51.100.12"},
		"xmr.pool.minergate.com":        {"198.51.100.13"},
		"dockerupdate.anondns.net":      {"198.51.100.14"},
		"rspca-northamptonshire.org.uk": {"198.51.100.15"},
		"xmrpool.eu":                    {"198.51.100.16"},
		"cryptofollow.com":              {"198.51.100.17"},
		"xmr-usa.dwarfpool.com":         {"198.51.100.18"},
		"xmr-eu.dwarfpool.com":          {"198.51.100.19"},
		"xmr-eu1.nanopool.org":          {"198.51.100.20"},
		"*.afsdem.com":                  {"198.51.100.53"},
	}, Listen: map[netip.AddrPort]string{
		netip.MustParseAddrPort("198.51.100.12:80"): "ok\n",
		netip.MustParseAddrPort("198.51.100.13:80"): "ok\n",
	}}
	return n
}

// Resolve answers from A.
func (n *Network) Resolve(_ context.Context, q network.DNSQuery) network.DNSAnswer {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.Queries = append(n.Queries, q)
	name := strings.ToLower(strings.TrimSuffix(q.Name, "."))
	addrs, ok := n.A[name]
	for rest := name; !ok; {
		i := strings.IndexByte(rest, '.')
		if i < 0 {
			break
		}
		rest = rest[i+1:]
		addrs, ok = n.A["*."+rest]
	}
	if !ok {
		return network.DNSAnswer{RCode: "NXDOMAIN"}
	}
	ttl := n.TTL
	if ttl == 0 {
		ttl = 60
	}
	ans := network.DNSAnswer{RCode: "NOERROR"}
	if q.Type == "A" {
		for _, a := range addrs {
			ans.Answers = append(ans.Answers, network.Record{Name: name, Type: "A", Class: "IN", TTL: ttl, Data: a})
		}
	}
	return ans
}

// Dial connects to Listen's addresses and times out elsewhere.
func (n *Network) Dial(_ context.Context, d network.Dial) network.DialResult {
	n.mu.Lock()
	defer n.mu.Unlock()
	d.Request = append([]byte(nil), d.Request...)
	n.Dials = append(n.Dials, d)
	rtt := n.RTT
	if rtt == 0 {
		rtt = 40 * time.Millisecond
	}
	body, ok := n.Listen[d.Dst]
	if !ok || d.Protocol != network.ProtocolTCP {
		return network.DialResult{Outcome: network.TimedOut}
	}
	resp := fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	return network.DialResult{Outcome: network.Connected, Response: []byte(resp), Elapsed: rtt}
}

// Snapshot returns copies of what the network was asked so far.
func (n *Network) Snapshot() ([]network.DNSQuery, []network.Dial) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]network.DNSQuery(nil), n.Queries...), append([]network.Dial(nil), n.Dials...)
}

// Reset forgets what the network was asked.
func (n *Network) Reset() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.Queries, n.Dials = nil, nil
}
