package target

import (
	"os"
	"path/filepath"
	"strings"
)

// stateKeyFor names a target in the state folder: kind, host and account,
// in characters safe for a file name.
func stateKeyFor(kind, url, account string) string {
	host := url
	if i := strings.Index(host, "://"); i >= 0 {
		host = host[i+3:]
	}
	var b strings.Builder
	for _, r := range kind + "-" + host + "-" + account {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return strings.ReplaceAll(b.String(), "--", "-")
}

// DefaultStateDir is $XDG_STATE_HOME/irdrill, or ~/.local/state/irdrill
// when the variable is unset or not absolute (as the XDG base-directory
// specification says).
func DefaultStateDir() string {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "irdrill")
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return filepath.Join(os.TempDir(), "irdrill-state")
	}
	return filepath.Join(home, ".local", "state", "irdrill")
}
