package main

import (
	"errors"
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// FuzzListenAddr: --addr is refused or accepted without a panic; an
// accepted one splits as net.Listen reads it, and the endpoint the banner
// derives from it is a URL with that port.
func FuzzListenAddr(f *testing.F) {
	for _, s := range []string{"127.0.0.1:4566", "0.0.0.0:4566", "[::]:4566", ":4566", "localhost:0", "example.com:80", "1.2.3.4:99999", "[::1]:65535", "[fe80::1%eth0]:1", "::1:80", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, addr string) {
		cmd := &cobra.Command{Use: "serve"}
		cmd.Flags().String("addr", "", "")
		if err := cmd.Flags().Set("addr", addr); err != nil {
			t.Skip()
		}
		if err := checkListenAddr(cmd, "addr")(); err != nil {
			if !strings.HasPrefix(err.Error(), "--addr ") {
				t.Fatalf("refusal %q does not name the flag", err)
			}
			return
		}
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			t.Fatalf("accepted %q, which net cannot split: %v", addr, err)
		}
		u, err := url.Parse(usableURL("http://" + net.JoinHostPort(host, port)))
		if err != nil || u.Port() != port || u.Hostname() == "" {
			t.Fatalf("accepted %q: endpoint %v, %v", addr, u, err)
		}
	})
}

// FuzzFlagError: any parse error is returned, wrapped or as it is, and
// never panics, whatever it says.
func FuzzFlagError(f *testing.F) {
	for _, s := range []string{`invalid argument "x" for "--detect-timeout" flag: time: invalid duration "x"`, `invalid argument "x" for "-v, --verbose" flag`, `for "-`, `for "--`, `for "`, ""} {
		f.Add(s)
	}
	root := newRootCommand()
	lab, _, err := root.Find([]string{"lab"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		in := errors.New(msg)
		if out := flagError(lab, in); !errors.Is(out, in) {
			t.Fatalf("%q lost the parse error: %v", msg, out)
		}
	})
}
