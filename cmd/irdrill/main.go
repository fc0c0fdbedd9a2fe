// Command irdrill is the incident-response drill harness for AWS: it
// serves the AWS-compatible sandbox (sandbox serve, sandbox health), runs
// the seed playbook and lab end to end (lab), plays attack techniques
// (techniques, simulate) and runs detections (detect), against the
// embedded sandbox, a served endpoint or an allowlisted AWS account.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, cancel := signalContext(func(sig os.Signal) {
		fmt.Fprintf(os.Stderr, "irdrill: second signal (%s): exiting now\n", sig)
		os.Exit(exitCode(sig))
	})
	defer cancel()
	if err := newRootCommand().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "irdrill:", err)
		os.Exit(1)
	}
}

// signalContext is cancelled by the first SIGINT or SIGTERM, so that work
// in progress can wind down (the sandbox drains its requests); a second
// signal calls again, which exits at once.
func signalContext(again func(os.Signal)) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case <-sigs:
			cancel()
		case <-ctx.Done():
			return
		}
		again(<-sigs)
	}()
	return ctx, func() {
		cancel()
		signal.Stop(sigs)
	}
}

// exitCode is the shell's code for a process ended by sig.
func exitCode(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 1
}
