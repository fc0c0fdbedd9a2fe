// Command irdrill is the incident-response drill harness for AWS: it runs
// the sandbox endpoint, and (in later commands) simulations, detections,
// responses and scenario drills against it or a real sandbox account.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRootCommand().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "irdrill:", err)
		os.Exit(1)
	}
}
