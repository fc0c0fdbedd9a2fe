package behaviour

import (
	"testing"
	"time"
)

// FuzzUserDataPipeline boots an instance with arbitrary user data and runs
// it for an hour of sandbox time: MIME, cloud-config and shell together.
// Nothing may panic or hang, and the console always renders.
func FuzzUserDataPipeline(f *testing.F) {
	f.Add(seedUserData(f))
	f.Add([]byte("#!/bin/bash\nwhile [[ 1 ]]; do x=1; done\n"))
	f.Add([]byte("#cloud-config\ncloud_final_modules:\n- [scripts-user, always]\n"))
	f.Add([]byte("Content-Type: multipart/mixed; boundary=x\nMIME-Version: 1.0\n\n--x\nContent-Type: text/cloud-boothook\n\n#cloud-boothook\necho '* * * * * dig x' > /var/spool/cron/root\n--x"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		r := newRig(t, raw, func(c *Config) { c.MaxSteps = 3000; c.MaxRunTime = 5 * time.Minute })
		r.boot()
		done := make(chan struct{})
		go func() {
			r.advance(time.Hour)
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(60 * time.Second):
			t.Fatalf("an hour of sandbox time did not end for %q", raw)
		}
		r.in.ConsoleOutput()
		r.in.Stop()
	})
}
