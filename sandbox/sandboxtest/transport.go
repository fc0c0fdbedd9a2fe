package sandboxtest

import (
	"bytes"
	"io"
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// HTTPClient returns an HTTP client for SDK clients that talk to a sandbox
// on loopback.
//
// smithy-go closes a request's body as soon as the response headers arrive,
// while net/http's write loop may still be reading that body to check its
// length; the write loop then fails and closes the connection under the
// response being decoded ("use of closed network connection",
// aws/aws-sdk-go-v2#1825 and #2737). Over a real network the response never
// wins that race; on loopback it does, often enough to make tests flaky.
// The transport gives net/http its own copy of the body, so the SDK's close
// cannot reach it.
func HTTPClient() *http.Client {
	return &http.Client{Transport: IsolateRequestBodies(awshttp.NewBuildableClient().GetTransport())}
}

// IsolateRequestBodies wraps a transport the way HTTPClient does.
func IsolateRequestBodies(base http.RoundTripper) http.RoundTripper {
	return isolatedBodyTransport{base: base}
}

type isolatedBodyTransport struct{ base http.RoundTripper }

func (t isolatedBodyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		body, err := io.ReadAll(r.Body)
		_ = r.Body.Close()
		if err != nil {
			return nil, err
		}
		r = r.Clone(r.Context())
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		r.ContentLength = int64(len(body))
	}
	return t.base.RoundTrip(r)
}
