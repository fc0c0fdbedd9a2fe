// Package buildinfo reports what irdrill was built as: the version, and
// for a build from a checkout the VCS revision and whether the work tree
// had uncommitted changes.
package buildinfo

import (
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
)

// version is set at link time by `make build` and `make image` (-X) to
// `git describe --tags --always --dirty`; otherwise the build info says.
var version = ""

// Info is what the binary knows about its build.
type Info struct {
	// Version is the one-word version: the link-time one, a release's
	// module version, a checkout's revision (12 hex digits, "-dirty" when
	// the work tree had uncommitted changes), a pseudo-version, or "dev"
	// when the build recorded nothing (go run, go test).
	Version string
	// Revision, Modified and Time come from the VCS stamp of a build from
	// a checkout (go build with -buildvcs, the default in a work tree).
	Revision string
	Modified bool
	Time     string
	// Module and ModuleVersion are the main module's path and version.
	Module, ModuleVersion string
	GoVersion, Platform   string
}

// Version returns the version irdrill was built as.
func Version() string { return Read().Version }

// Read reads the running binary's build information.
func Read() Info {
	info, _ := debug.ReadBuildInfo()
	return from(info, version)
}

// pseudoVersion matches the time-and-revision part of a Go pseudo-version
// (v0.0.0-20251204224200-6566e56abcde).
var pseudoVersion = regexp.MustCompile(`\d{14}-[0-9a-f]{12}`)

func from(info *debug.BuildInfo, linked string) Info {
	out := Info{GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	mainVersion := ""
	if info != nil {
		out.GoVersion = info.GoVersion
		out.Module, mainVersion = info.Main.Path, info.Main.Version
		if mainVersion == "(devel)" {
			mainVersion = ""
		}
		out.ModuleVersion = mainVersion
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				out.Revision = s.Value
			case "vcs.modified":
				out.Modified = s.Value == "true"
			case "vcs.time":
				out.Time = s.Value
			case "GOOS":
				out.Platform = s.Value + out.Platform[strings.IndexByte(out.Platform, '/'):]
			case "GOARCH":
				out.Platform = out.Platform[:strings.IndexByte(out.Platform, '/')+1] + s.Value
			}
		}
	}
	release := mainVersion != "" && !strings.Contains(mainVersion, "+dirty") && !pseudoVersion.MatchString(mainVersion)
	switch {
	case linked != "":
		out.Version = linked
	case release:
		out.Version = mainVersion
	case out.Revision != "":
		out.Version = out.Revision[:min(12, len(out.Revision))]
		if out.Modified {
			out.Version += "-dirty"
		}
	case mainVersion != "":
		out.Version = mainVersion
	default:
		out.Version = "dev"
	}
	return out
}
