package memfs

import (
	"errors"
	"io"
	"syscall"
	"testing"
)

func TestVolume(t *testing.T) {
	fs := New(100, nil)
	if err := fs.MkdirAll("/usr/cryptokit", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := fs.Touch("/usr/cryptokit/persist.sh"); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"#!/bin/bash\n", "dig a\n"} {
		h, err := fs.Open("/usr/cryptokit/persist.sh", OpenWrite|OpenAppend|OpenCreate, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		h.Write([]byte(s))
		h.Close()
	}
	data, _ := fs.ReadFile("/usr/cryptokit/persist.sh")
	if string(data) != "#!/bin/bash\ndig a\n" {
		t.Fatalf("data = %q", data)
	}
	if err := fs.Chmod("/usr/cryptokit/persist.sh", 0o750); err != nil || !fs.IsExecutable("/usr/cryptokit/persist.sh") {
		t.Fatal("chmod")
	}
	if _, err := fs.Stat("/usr/cryptokit/persist.sh/x"); !errors.Is(err, syscall.ENOTDIR) {
		t.Errorf("stat under a file = %v", err)
	}
	if err := fs.Remove("/usr/cryptokit"); !errors.Is(err, syscall.ENOTEMPTY) {
		t.Errorf("remove non-empty = %v", err)
	}
	if err := fs.WriteFile("/big", make([]byte, 200), 0o644); !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("over the limit = %v", err)
	}
	if err := fs.Rename("/usr/cryptokit/persist.sh", "/p"); err != nil {
		t.Fatal(err)
	}
	h, _ := fs.Open("/p", OpenRead, 0)
	b, _ := io.ReadAll(h)
	if string(b) != "#!/bin/bash\ndig a\n" {
		t.Errorf("renamed = %q", b)
	}
	if err := fs.RemoveAll("/usr"); err != nil || fs.Used() != int64(len(b)) {
		t.Errorf("RemoveAll: %v, used %d", err, fs.Used())
	}
	if _, err := fs.Stat("/a/../p"); err != nil {
		t.Errorf("dot-dot: %v", err)
	}
}

func TestWatch(t *testing.T) {
	fs := New(0, nil)
	fs.MkdirAll("/var/spool/cron", 0o700)
	var seen []string
	fs.Watch(func(p string) { seen = append(seen, p) })
	fs.WriteFile("/var/spool/cron/root", []byte("x\n"), 0o600)
	if len(seen) == 0 || seen[len(seen)-1] != "/var/spool/cron/root" {
		t.Fatalf("seen = %v", seen)
	}
}
