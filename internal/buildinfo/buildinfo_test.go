package buildinfo

import (
	"runtime/debug"
	"testing"
)

func TestFrom(t *testing.T) {
	t.Parallel()
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.time", Value: "2025-12-04T22:42:00Z"},
			{Key: "vcs.modified", Value: modified}, {Key: "GOOS", Value: "linux"}, {Key: "GOARCH", Value: "arm64"}}
	}
	const rev = "6566e56f0c1d2e3f4a5b6c7d8e9f00112233aabb"
	for _, tc := range []struct {
		name    string
		info    *debug.BuildInfo
		linked  string
		want    string
		dirty   bool
		release bool
	}{
		{name: "no build info (go run)", info: nil, want: "dev"},
		{name: "devel without VCS stamp (-buildvcs=false)", info: &debug.BuildInfo{Main: debug.Module{Path: "github.com/irdrill/irdrill", Version: "(devel)"}}, want: "dev"},
		{name: "release installed with go install", info: &debug.BuildInfo{Main: debug.Module{Path: "github.com/irdrill/irdrill", Version: "v1.2.3"}}, want: "v1.2.3"},
		{name: "pseudo-version installed from the proxy", info: &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20251204224200-6566e56f0c1d"}}, want: "v0.0.0-20251204224200-6566e56f0c1d"},
		{name: "clean checkout", info: &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20251204224200-6566e56f0c1d"}, Settings: vcs(rev, "false")}, want: "6566e56f0c1d"},
		{name: "dirty checkout", info: &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20251204224200-6566e56f0c1d+dirty"}, Settings: vcs(rev, "true")}, want: "6566e56f0c1d-dirty", dirty: true},
		{name: "dirty checkout, devel stamp", info: &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "true")}, want: "6566e56f0c1d-dirty", dirty: true},
		{name: "checkout on a tag", info: &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}, Settings: vcs(rev, "false")}, want: "v1.2.3"},
		{name: "make build's link-time version wins", info: &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "true")}, linked: "6566e56-dirty", want: "6566e56-dirty", dirty: true},
	} {
		got := from(tc.info, tc.linked)
		if got.Version != tc.want || got.Modified != tc.dirty {
			t.Errorf("%s: version %q, modified %t; want %q, %t", tc.name, got.Version, got.Modified, tc.want, tc.dirty)
		}
		if tc.info != nil && len(tc.info.Settings) > 0 && (got.Revision != rev || got.Time == "" || got.Platform != "linux/arm64") {
			t.Errorf("%s: revision %q, time %q, platform %q", tc.name, got.Revision, got.Time, got.Platform)
		}
	}
}
