// Package world is the sandbox's model of the internet: the names the VPC
// resolver can answer, the servers that answer on internet addresses, the
// threat intelligence GuardDuty reads, and the scanners that knock on every
// public address. Nothing here touches the host; a World is plain data that
// the network fabric (package network) consults.
//
// A World is loaded from YAML: Default is the embedded default.yaml, built
// around the seeds (mining pools in 198.51.100.0/24, the exfiltration domain
// afsdem.com, the typo xmr.pool.minergate.comac answered NXDOMAIN), and Load
// or Parse read a user's file. Every error names the file, line and column:
//
//	world.yaml:12:10: names[3].ttl: "5 minutes" is not a TTL: give whole seconds (0 to 2147483647) or a duration such as 5m
//
// # File format
//
//	version: 1                  # optional; 1 is the only version
//	negative-ttl: 300           # seconds or a duration; SOA minimum for NXDOMAIN/no-data caching (default 300)
//	names:                      # DNS owner names
//	  - name: pool.example.com  # or "*.example.com": a wildcard (RFC 4592)
//	    ttl: 5m                 # default 300 seconds
//	    a: [198.51.100.10]      # IPv4 addresses
//	    aaaa: ["2001:db8::10"]  # IPv6 addresses
//	    cname: other.example.com   # exclusive with every other record type
//	    txt: ["v=spf1 -all"]
//	    mx: ["10 mail.example.com"]
//	    ptr: [host.example.com]
//	threats:                    # threat intelligence
//	  - domain: example.com     # matches the domain and every subdomain
//	    category: cryptocurrency-mining   # or dns-exfiltration, command-and-control
//	    list: ProofPoint        # optional threat list name (GuardDuty evidence)
//	  - address: 198.51.100.0/28          # an address or a prefix
//	    category: command-and-control
//	hosts:                      # servers on internet addresses
//	  - address: 198.51.100.10
//	    description: a pool     # optional
//	    rtt: 80ms               # round-trip time from the sandbox's VPCs (default 40ms)
//	    ping: true              # answers ICMP echo (default true)
//	    aws-service: S3         # optional: flow logs' pkt-src/dst-aws-service for this address
//	    listen:
//	      - port: 80
//	        protocol: tcp       # tcp (default) or udp
//	        http: {status: 404, content-type: text/html, body: "..."}   # an HTTP/1.1 response, or
//	        response: "text"    # the bytes sent back, or
//	        response-bytes: 4096   # that many opaque bytes (TLS, say)
//	scanners:
//	  - address: 192.0.2.45
//	    every: 2m               # each public address gets one probe this often
//	    ports: [22, 23, 80, 443, 445, 3389]   # probed in turn
//
// YAML anchors and aliases may share lists (the default world shares its
// pools' listeners); merge keys (<<) are not supported.
//
// # Approximations
//
//   - DNS is one flat namespace, not a tree of zones: there are no NS or SOA
//     records, one negative TTL serves every name, and an ancestor of a
//     defined name (an empty non-terminal such as "com") answers NOERROR with
//     no data, as RFC 8020 prescribes.
//   - Record types are A, AAAA, CNAME, TXT, MX and PTR; any other type (and
//     a type a name lacks) gets a no-data answer. CNAME chains are followed
//     up to 8 links.
//   - A server answers every request on a port with the same response; it
//     does not parse requests.
package world
