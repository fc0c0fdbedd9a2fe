package behaviour_test

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/irdrill/irdrill/sandbox/behaviour"
	"github.com/irdrill/irdrill/sandbox/behaviour/behaviourtest"
	"github.com/irdrill/irdrill/sandbox/clock"
	"github.com/irdrill/irdrill/sandbox/network"
)

// The EC2 service's side of an instance's life.
func Example() {
	clk := clock.NewManual(time.Date(2021, 7, 29, 1, 39, 30, 0, time.UTC))
	host := network.Host{InstanceID: "i-0ba42452619fc45aa", PrivateIP: netip.MustParseAddr("192.168.2.146"),
		Resolver: netip.MustParseAddr("192.168.0.2")}
	in, _ := behaviour.New(behaviour.Config{InstanceID: host.InstanceID, Host: host, Clock: clk,
		Network: behaviourtest.Seed(), UserData: []byte("#!/bin/bash\ndig pool.minergate.com\n")})
	in.Boot() // the instance reached running
	clk.Advance(context.Background(), time.Minute)
	in.Stop() // stopping -> stopped; Boot again on start; Terminate at the end
	for _, r := range in.Runs() {
		fmt.Println(r.Kind, r.Status, r.DNSQueries, "DNS query")
	}
	fmt.Println(len(in.ConsoleOutput()) > 0) // GetConsoleOutput base64-encodes this
	// Output:
	// boot 0 1 DNS query
	// true
}
