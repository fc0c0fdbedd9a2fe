package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/irdrill/irdrill/sandbox"
	"github.com/irdrill/irdrill/simulate"
	ec2cryptomining "github.com/irdrill/irdrill/simulate/techniques/aws/impact/ec2-crypto-mining"
	"github.com/irdrill/irdrill/target"
)

// servedLab is what `serve --lab` built, for the banner.
type servedLab struct {
	state  *target.LabState
	attack *simulate.Summary
	ip     string
}

// setUpServedLab applies the workshop's lab account to the sandbox just
// started, through its own endpoint as any client would (so the key is
// imported with the signed extension), and with --attack detonates the
// crypto-mining technique. The run's journal lives in a folder of its own
// that goes when the detonation is over: the run's state is the sandbox's,
// which dies with the process.
func setUpServedLab(ctx context.Context, endpoint string, sb *sandbox.Sandbox, o serveOptions, progress func(string)) (*servedLab, error) {
	creds := sb.AdminCredentials
	tg, err := target.Open(ctx, target.Options{
		Spec:        target.Spec{Kind: target.KindEndpoint, URL: endpoint},
		Region:      sb.Region,
		Credentials: &creds,
		Logger:      slog.Default(),
	})
	if err != nil {
		return nil, err
	}
	defer tg.Close()
	stateDir, err := os.MkdirTemp("", "irdrill-serve-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(stateDir)
	progress("setting up the lab account")
	st, err := tg.SetUpLab(ctx, target.LabOptions{StateDir: stateDir, Progress: func(s target.LabStep) {
		progress("lab: " + s.String())
	}})
	if err != nil {
		return nil, err
	}
	lab := &servedLab{state: st, ip: o.attackerIP}
	if st.LeakedKey.AccessKeyID != target.SeedAccessKeyID {
		return nil, fmt.Errorf("the sandbox did not import the playbook's key %s for %s (it made %s)", target.SeedAccessKeyID, st.LeakedUser, st.LeakedKey.AccessKeyID)
	}
	if !o.attack {
		return lab, nil
	}
	tech, err := simulate.Lookup(ec2cryptomining.ID)
	if err != nil {
		return nil, err
	}
	rn := &simulate.Runner{Target: tg, StateDir: stateDir, Progress: func(s string) { progress("attack: " + s) }}
	run, err := rn.New(tech, map[string]string{"attacker-ip": o.attackerIP})
	if err != nil {
		return nil, err
	}
	defer run.Close()
	if err := run.Detonate(ctx); err != nil {
		return nil, fmt.Errorf("play %s: %w", tech.ID, err)
	}
	s, err := run.Summary()
	if err != nil {
		return nil, err
	}
	lab.attack = &s
	return lab, nil
}

// usableURL is an endpoint a client on this machine can call: a server
// listening on every interface (0.0.0.0, [::]) is reached on 127.0.0.1.
func usableURL(listening string) string {
	u, err := url.Parse(listening)
	if err != nil {
		return listening
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil {
		return listening
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		u.Host = net.JoinHostPort("127.0.0.1", port)
	}
	return u.String()
}

// printBanner says where the sandbox serves and prints the lines to paste.
// The bootstrap secret is printed only when it is the documented default:
// one the user chose is never echoed.
func printBanner(w io.Writer, sb *sandbox.Sandbox, endpoint string, opts sandbox.Options, lab *servedLab) {
	fmt.Fprintf(w, "irdrill sandbox serving %s\n", endpoint)
	if listening := strings.TrimPrefix(sb.URL, "http://"); "http://"+listening != endpoint {
		fmt.Fprintf(w, "listening on %s (every interface)\n", listening)
	}
	fmt.Fprintf(w, "account %s, default region %s\n", sb.AccountID, sb.Region)
	fmt.Fprintf(w, "bootstrap admin access key id: %s\n", sb.AdminCredentials.AccessKeyID)
	if opts.TrustSourceIPHeader {
		fmt.Fprintf(w, "simulation on: %s is honoured\n", sandbox.SourceIPHeader)
	}
	fmt.Fprintf(w, "\nTo point the AWS CLI at it, paste (the CLI honours AWS_ENDPOINT_URL from v1.29 and v2.13; before, give --endpoint-url %s):\n", endpoint)
	fmt.Fprintf(w, "  export AWS_ENDPOINT_URL=%s\n", endpoint)
	fmt.Fprintf(w, "  export AWS_ACCESS_KEY_ID=%s\n", sb.AdminCredentials.AccessKeyID)
	switch {
	case sb.AdminCredentials.SecretAccessKey == sandbox.DefaultAdminSecretAccessKey:
		fmt.Fprintf(w, "  export AWS_SECRET_ACCESS_KEY=%s\n", sandbox.DefaultAdminSecretAccessKey)
	case os.Getenv("IRDRILL_ADMIN_SECRET_ACCESS_KEY") == sb.AdminCredentials.SecretAccessKey:
		fmt.Fprintln(w, `  export AWS_SECRET_ACCESS_KEY="$IRDRILL_ADMIN_SECRET_ACCESS_KEY"`)
	default:
		fmt.Fprintln(w, "  export AWS_SECRET_ACCESS_KEY=…   # the --admin-secret-access-key you gave (never printed)")
	}
	fmt.Fprintf(w, "  export AWS_DEFAULT_REGION=%s\n", sb.Region)
	if lab == nil {
		return
	}
	st := lab.state
	fmt.Fprintf(w, "\nThe lab account (%s):\n", sb.Region)
	fmt.Fprintf(w, "  CloudTrail log group   %s   (trail %s, every region)\n", st.LogGroups[target.RoleCloudTrail], target.DefaultLab.TrailName)
	if g := st.LogGroups[target.RoleVPCFlow]; g != "" {
		fmt.Fprintf(w, "  VPC flow-log group     %s\n", g)
	}
	if g := st.LogGroups[target.RoleDNS]; g != "" {
		fmt.Fprintf(w, "  DNS query-log group    %s\n", g)
	}
	fmt.Fprintf(w, "  leaked key             %s of user %s\n", st.LeakedKey.AccessKeyID, st.LeakedUser)
	group := st.LogGroups[target.RoleCloudTrail]
	if a := lab.attack; a != nil {
		instances := 0
		for _, r := range a.Live {
			if r.Kind == simulate.KindInstance {
				instances++
			}
		}
		fmt.Fprintf(w, "\nThe incident: %s, %d calls with %s from %s, %s to %s; %d decoy instances running\n",
			ec2cryptomining.ID, len(a.Calls), st.LeakedKey.AccessKeyID, lab.ip,
			a.FirstCall.UTC().Format(time.RFC3339), a.LastCall.UTC().Format(time.RFC3339), instances)
		fmt.Fprintln(w, "Investigate it with the lab's §2.1 commands, e.g.:")
		fmt.Fprintf(w, "  aws logs filter-log-events --log-group-name %s --filter-pattern %s --output json --query 'events[*].message' | jq -r '.[] | fromjson | .userIdentity, .sourceIPAddress, .responseElements'\n", group, lab.ip)
	} else {
		fmt.Fprintln(w, "\nList its log groups as the lab's §1.2 does:")
	}
	fmt.Fprintln(w, "  aws logs describe-log-groups --output table --query 'logGroups[*].logGroupName'")
}
