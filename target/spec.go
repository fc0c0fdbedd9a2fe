package target

import (
	"fmt"
	"net/url"
	"strings"
)

// Kind is what a drill runs against.
type Kind string

const (
	// KindSandbox is the embedded sandbox, started in-process: the default.
	KindSandbox Kind = "sandbox"
	// KindEndpoint is an AWS-compatible endpoint already serving: a served
	// irdrill sandbox, moto_server or LocalStack.
	KindEndpoint Kind = "endpoint"
	// KindAWS is a real AWS account, reached through the default credential
	// chain, and only when its account ID is allowlisted.
	KindAWS Kind = "aws"
)

// Spec is a parsed --target value.
type Spec struct {
	Kind Kind
	// URL is the endpoint of KindEndpoint, without a trailing slash.
	URL string
}

// String is the spec as --target takes it.
func (s Spec) String() string {
	if s.Kind == KindEndpoint {
		return "endpoint:" + s.URL
	}
	return string(s.Kind)
}

// SpecHelp says what --target accepts, for flag help and errors.
const SpecHelp = "sandbox (embedded, the default), endpoint:URL (a served irdrill sandbox, moto_server or LocalStack) or aws"

// ParseSpec reads a --target value: "" or "sandbox", "endpoint:URL" with an
// http or https URL that has a host and no query or fragment, or "aws".
func ParseSpec(s string) (Spec, error) {
	switch s {
	case "", string(KindSandbox):
		return Spec{Kind: KindSandbox}, nil
	case string(KindAWS):
		return Spec{Kind: KindAWS}, nil
	}
	rest, ok := strings.CutPrefix(s, string(KindEndpoint)+":")
	if !ok {
		return Spec{}, fmt.Errorf("--target %q: want %s", s, SpecHelp)
	}
	u, err := url.Parse(rest)
	if err != nil || rest == "" {
		return Spec{}, fmt.Errorf("--target %q: the endpoint is not a URL: want endpoint:http://HOST:PORT", s)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return Spec{}, fmt.Errorf("--target %q: the endpoint's scheme must be http or https, not %q", s, u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return Spec{}, fmt.Errorf("--target %q: the endpoint has no host: want endpoint:http://HOST:PORT", s)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return Spec{}, fmt.Errorf("--target %q: the endpoint must be a plain URL, without user, query or fragment", s)
	}
	if p := strings.TrimRight(u.Path, "/"); p != "" {
		return Spec{}, fmt.Errorf("--target %q: the endpoint must have no path (%q)", s, u.Path)
	}
	return Spec{Kind: KindEndpoint, URL: u.Scheme + "://" + u.Host}, nil
}
