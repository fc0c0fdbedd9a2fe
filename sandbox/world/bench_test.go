package world

import "testing"

func BenchmarkResolveExact(b *testing.B) {
	w := Default()
	b.ReportAllocs()
	for b.Loop() {
		w.Resolve("pool.minergate.com", "A")
	}
}

func BenchmarkResolveWildcard(b *testing.B) {
	w := Default()
	b.ReportAllocs()
	for b.Loop() {
		w.Resolve("CgpMb3JlbSBpcHN1bSBkb2xvciBzaXQgYW1ldC.afsdem.com", "A")
	}
}

func BenchmarkDomainThreats(b *testing.B) {
	w := Default()
	b.ReportAllocs()
	for b.Loop() {
		w.DomainThreats("xmr.pool.minergate.com")
	}
}

func BenchmarkParseDefault(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("default", defaultYAML); err != nil {
			b.Fatal(err)
		}
	}
}
