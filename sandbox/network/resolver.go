package network

import (
	"context"
	"sync"
	"time"

	"github.com/irdrill/irdrill/sandbox/world"
)

// resolver is one VPC's Amazon-provided DNS resolver and its cache.
//
// Approximations (see docs/sandbox-fidelity.md): one cache per VPC, or
// per interface with Options.ResolverCachePerInterface (Route 53
// Resolver's fleet is per Availability Zone and how far its cache is
// shared is not documented); an answer is cached for the smallest TTL among its records,
// an NXDOMAIN or no-data answer for the world's negative TTL (RFC 2308's
// SOA minimum), SERVFAIL and FORMERR not at all; names are compared
// case-insensitively; the cache forgets nothing before it expires.
type resolver struct {
	mu      sync.Mutex
	cache   map[string]*cacheEntry // qtype "\x00" lower-case name
	inserts int
}

type cacheEntry struct {
	rcode   string
	records []Record // TTLs as resolved
	stored  time.Time
	expires time.Time
	threats []world.Threat
}

// sweepEvery is how many inserts pass between sweeps of expired entries,
// once the cache holds more than sweepAbove.
const (
	sweepEvery = 1024
	sweepAbove = 4096
)

func (f *Fabric) resolverFor(vpcID string) *resolver {
	f.mu.RLock()
	r, ok := f.resolvers[vpcID]
	f.mu.RUnlock()
	if ok {
		return r
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if r, ok = f.resolvers[vpcID]; !ok {
		r = &resolver{cache: map[string]*cacheEntry{}}
		f.resolvers[vpcID] = r
	}
	return r
}

// Resolve implements Network: the VPC resolver answers from its cache or
// from the world. Resolver traffic is never filtered by security groups or
// network ACLs and never appears in flow logs (AWS's rules for the Amazon
// DNS server). A query the cache does not answer goes to the query
// observers (query logging); every query goes to the activity observers
// (GuardDuty) with the domain's threat tags. An empty Type asks for A
// records; an empty Transport is UDP; a zero Time is the clock's now. The
// answer's records may be shared with the cache: do not modify them.
func (f *Fabric) Resolve(ctx context.Context, q DNSQuery) DNSAnswer {
	q.Time = f.now(q.Time)
	if q.Type == "" {
		q.Type = "A"
	}
	if q.Transport == "" {
		q.Transport = "UDP"
	}
	if ctx.Err() != nil {
		return DNSAnswer{RCode: "SERVFAIL"}
	}
	src := f.source(q.From)
	r := f.resolverFor(src.cacheScope)
	ans, threats, cached := r.resolve(f.world, q.Time, q.Name, q.Type)
	if !cached {
		for _, o := range f.queryObserverList() {
			o.ObserveResolverQuery(ResolverQuery{Time: q.Time, Interface: &src.ifc, Query: q, Answer: ans})
		}
	}
	for _, o := range f.activityObserverList() {
		o.ObserveDNS(DNSActivity{Time: q.Time, Interface: &src.ifc, Query: q, Answer: ans, Cached: cached, Threats: threats})
	}
	return ans
}

// FlushResolverCache empties every resolver cache.
func (f *Fabric) FlushResolverCache() {
	f.mu.RLock()
	defer f.mu.RUnlock()
	for _, r := range f.resolvers {
		r.mu.Lock()
		clear(r.cache)
		r.mu.Unlock()
	}
}

// resolve answers a query, reporting whether the cache answered it.
func (r *resolver) resolve(w *world.World, now time.Time, name, qtype string) (DNSAnswer, []world.Threat, bool) {
	var buf [320]byte
	key := cacheKey(buf[:0], qtype, name)
	r.mu.Lock()
	if e, ok := r.cache[string(key)]; ok {
		if now.Before(e.expires) {
			ans := e.answer(now)
			r.mu.Unlock()
			return ans, e.threats, true
		}
	}
	r.mu.Unlock()

	wa := w.Resolve(name, qtype)
	e := &cacheEntry{rcode: wa.RCode, stored: now, threats: w.DomainThreats(name)}
	if len(wa.Records) > 0 {
		e.records = make([]Record, len(wa.Records))
		for i, rr := range wa.Records {
			e.records[i] = Record{Name: rr.Name, Type: rr.Type, Class: "IN", TTL: rr.TTL, Data: rr.Data}
		}
	}
	ans := DNSAnswer{RCode: e.rcode, Answers: e.records}
	if ttl, ok := cacheTTL(wa); ok && ttl > 0 {
		e.expires = now.Add(time.Duration(ttl) * time.Second)
		r.mu.Lock()
		r.cache[string(key)] = e
		r.inserts++
		if r.inserts%sweepEvery == 0 && len(r.cache) > sweepAbove {
			for k, old := range r.cache {
				if !now.Before(old.expires) {
					delete(r.cache, k)
				}
			}
		}
		r.mu.Unlock()
	}
	return ans, e.threats, false
}

// cacheTTL is how long an answer may be cached: the smallest TTL of its
// records, and for an answer without records of the asked type (NXDOMAIN,
// no data) at most the negative TTL.
func cacheTTL(a world.Answer) (uint32, bool) {
	if a.RCode != "NOERROR" && a.RCode != "NXDOMAIN" {
		return 0, false
	}
	ttl := uint32(0)
	has := false
	for _, r := range a.Records {
		if !has || r.TTL < ttl {
			ttl, has = r.TTL, true
		}
	}
	negative := a.RCode == "NXDOMAIN" || len(a.Records) == 0 || a.Records[len(a.Records)-1].Type == "CNAME"
	if negative && (!has || a.NegativeTTL < ttl) {
		ttl, has = a.NegativeTTL, true
	}
	return ttl, has
}

// answer is the cached answer at now, its TTLs counting down as a
// resolver's do. Within the second it was stored, the stored records are
// shared.
func (e *cacheEntry) answer(now time.Time) DNSAnswer {
	elapsed := uint32(now.Sub(e.stored) / time.Second)
	if elapsed == 0 || len(e.records) == 0 {
		return DNSAnswer{RCode: e.rcode, Answers: e.records}
	}
	out := make([]Record, len(e.records))
	for i, r := range e.records {
		if r.TTL > elapsed {
			r.TTL -= elapsed
		} else {
			r.TTL = 0
		}
		out[i] = r
	}
	return DNSAnswer{RCode: e.rcode, Answers: out}
}

// cacheKey appends the upper-case type, a NUL and the lower-case name
// without its trailing dot, so that lookups need no allocation.
func cacheKey(dst []byte, qtype, name string) []byte {
	for i := 0; i < len(qtype); i++ {
		c := qtype[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		dst = append(dst, c)
	}
	dst = append(dst, 0)
	if n := len(name); n > 0 && name[n-1] == '.' {
		name = name[:n-1]
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}
