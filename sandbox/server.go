package sandbox

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"
)

// Server limits. AWS documents none of its endpoints' connection timeouts;
// these follow the Elastic Load Balancing defaults that front AWS APIs (a
// connection idle for 60 seconds is closed) and give a slow client a minute
// to send a request and to take its answer.
const (
	DefaultReadHeaderTimeout = 20 * time.Second
	DefaultReadTimeout       = 60 * time.Second // header and body
	DefaultWriteTimeout      = 60 * time.Second
	DefaultIdleTimeout       = 60 * time.Second
	DefaultMaxConnections    = 512
	DefaultShutdownTimeout   = 10 * time.Second
	// MaxHeaderBytes bounds a request's line and headers, all that is read
	// of a request before its signature can be checked besides the body
	// (maxBodyBytes). It is net/http's default, made explicit: large
	// enough that a malformed scope (a 200 KB region) gets AWS's own
	// answer rather than a bare 431.
	MaxHeaderBytes = 1 << 20
	// fdReserve is what the connection cap leaves of the process's file
	// descriptor limit for the listener, logs and files.
	fdReserve = 64
)

// ServerLimits are the HTTP server's timeouts and connection cap, resolved
// from Options; the health document reports them.
type ServerLimits struct {
	ReadHeaderTimeout time.Duration `json:"-"`
	ReadTimeout       time.Duration `json:"-"`
	WriteTimeout      time.Duration `json:"-"`
	IdleTimeout       time.Duration `json:"-"`
	ShutdownTimeout   time.Duration `json:"-"`
	MaxConnections    int           `json:"maxConnections"`
	MaxHeaderBytes    int           `json:"maxHeaderBytes"`
	MaxBodyBytes      int           `json:"maxBodyBytes"`
}

func (o Options) serverLimits() ServerLimits {
	l := ServerLimits{
		ReadHeaderTimeout: orDefault(o.ReadHeaderTimeout, DefaultReadHeaderTimeout),
		ReadTimeout:       orDefault(o.ReadTimeout, DefaultReadTimeout),
		WriteTimeout:      orDefault(o.WriteTimeout, DefaultWriteTimeout),
		IdleTimeout:       orDefault(o.IdleTimeout, DefaultIdleTimeout),
		ShutdownTimeout:   orDefault(o.ShutdownTimeout, DefaultShutdownTimeout),
		MaxConnections:    o.MaxConnections,
		MaxHeaderBytes:    MaxHeaderBytes,
		MaxBodyBytes:      maxBodyBytes,
	}
	if l.MaxConnections <= 0 {
		l.MaxConnections = DefaultMaxConnections
	}
	// More connections than file descriptors would stop the server from
	// accepting anyone, health checks included.
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err == nil && rl.Cur > fdReserve+2 && uint64(l.MaxConnections) > rl.Cur-fdReserve {
		l.MaxConnections = int(rl.Cur - fdReserve)
	}
	l.MaxConnections = max(l.MaxConnections, 2)
	return l
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// limitListener caps concurrent connections. All but one slot serve
// anything; the last one is kept for health checks, so that a server full
// of (slow or idle) clients still says whether it is alive. Past the cap a
// connection is answered 503 and closed at once, rather than left to queue
// in the kernel.
type limitListener struct {
	net.Listener
	normal chan struct{}
	spare  chan struct{}
}

func newLimitListener(ln net.Listener, max int) *limitListener {
	return &limitListener{Listener: ln, normal: make(chan struct{}, max-1), spare: make(chan struct{}, 1)}
}

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		select {
		case l.normal <- struct{}{}:
			return &limitedConn{Conn: c, slots: l.normal}, nil
		default:
		}
		select {
		case l.spare <- struct{}{}:
			return &limitedConn{Conn: c, slots: l.spare, healthOnly: true}, nil
		default:
		}
		refuse(c)
	}
}

// refuse answers a connection past the cap and closes it.
func refuse(c net.Conn) {
	_ = c.SetWriteDeadline(time.Now().Add(time.Second))
	_, _ = c.Write([]byte("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\nRetry-After: 1\r\n\r\n"))
	_ = c.Close()
}

// limitedConn gives its slot back when closed.
type limitedConn struct {
	net.Conn
	slots      chan struct{}
	healthOnly bool
	once       sync.Once
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { <-c.slots })
	return err
}

type healthOnlyKey struct{}

// connContext marks the requests of the health-check slot.
func connContext(ctx context.Context, c net.Conn) context.Context {
	if lc, ok := c.(*limitedConn); ok && lc.healthOnly {
		return context.WithValue(ctx, healthOnlyKey{}, true)
	}
	return ctx
}

func healthOnly(r *http.Request) bool {
	v, _ := r.Context().Value(healthOnlyKey{}).(bool)
	return v
}

// DrainError reports a shutdown whose drain period ended with requests
// still in flight; they were cut.
type DrainError struct {
	Period   time.Duration
	InFlight int64
}

func (e *DrainError) Error() string {
	return fmt.Sprintf("drain period of %s ended with %d requests in flight; they were cut", e.Period, e.InFlight)
}
