// Package buildinfo reports irdrill's version.
package buildinfo

import "runtime/debug"

// version is set at link time by `make build` (-X); otherwise the module
// version from the build info is used.
var version = ""

// Version returns the version irdrill was built as.
func Version() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "dev"
}
