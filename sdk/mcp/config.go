package rastirmcp

import (
	"net/url"
	"strconv"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"go.opentelemetry.io/otel/attribute"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// Option configures ClientMiddleware and ServerMiddleware.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	// network holds the network attributes of every span: those of the
	// transport WithTransport named.
	network []attribute.KeyValue
}

func newConfig(opts []Option) config {
	var c config
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	return c
}

// WithTransport names the transport the middleware's sessions use, so that
// their spans record it as the MCP semantic conventions do:
// network.transport pipe for stdio (mcp.StdioTransport, CommandTransport,
// InMemoryTransport), tcp with network.protocol.name http for the
// streamable HTTP and SSE transports, and on the client the endpoint's
// server.address and server.port. Without it the middlewares recognise
// HTTP alone: the server from the request headers of the streamable HTTP
// transport, the client from the requests of HTTPClient. Give it only when
// every session of the client or server uses that transport; an
// mcp.IOTransport (any byte stream) or another transport records nothing.
func WithTransport(t mcp.Transport) Option {
	return optionFunc(func(c *config) { c.network = transportAttributes(t) })
}

// transportAttributes returns the network attributes of the transport t.
func transportAttributes(t mcp.Transport) []attribute.KeyValue {
	switch t := t.(type) {
	case *mcp.StdioTransport, *mcp.CommandTransport, *mcp.InMemoryTransport:
		return []attribute.KeyValue{attribute.String(vocabulary.NetworkTransport, vocabulary.NetworkTransportPipe)}
	case *mcp.LoggingTransport:
		if t == nil {
			return nil
		}
		return transportAttributes(t.Transport)
	case *mcp.StreamableClientTransport:
		if t == nil {
			return nil
		}
		return endpointAttributes(t.Endpoint)
	case *mcp.SSEClientTransport:
		if t == nil {
			return nil
		}
		return endpointAttributes(t.Endpoint)
	case *mcp.StreamableServerTransport, *mcp.SSEServerTransport:
		return httpAttributes()
	}
	return nil
}

// httpAttributes are the network attributes of an HTTP transport.
func httpAttributes() []attribute.KeyValue {
	return []attribute.KeyValue{
		attribute.String(vocabulary.NetworkTransport, vocabulary.NetworkTransportTCP),
		attribute.String(vocabulary.NetworkProtocolName, vocabulary.NetworkProtocolHTTP),
	}
}

// endpointAttributes are the network attributes of an HTTP client
// transport whose endpoint is endpoint: HTTP's, and the server's address
// and port when the endpoint names them.
func endpointAttributes(endpoint string) []attribute.KeyValue {
	kvs := httpAttributes()
	u, err := url.Parse(endpoint)
	if err != nil {
		return kvs
	}
	return append(kvs, serverAttributes(u)...)
}

// serverAttributes returns server.address and server.port of the URL u
// (the scheme's port when u has none).
func serverAttributes(u *url.URL) []attribute.KeyValue {
	host := u.Hostname()
	if host == "" {
		return nil
	}
	kvs := []attribute.KeyValue{attribute.String(vocabulary.ServerAddress, host)}
	if port := urlPort(u); port > 0 {
		kvs = append(kvs, attribute.Int(vocabulary.ServerPort, port))
	}
	return kvs
}

// urlPort returns the port of u, or its scheme's; 0 when unknown or out of
// range.
func urlPort(u *url.URL) int {
	p := u.Port()
	if p == "" {
		switch u.Scheme {
		case "http":
			return 80
		case "https":
			return 443
		}
		return 0
	}
	n, err := strconv.Atoi(p)
	if err != nil || n <= 0 || n > 65535 {
		return 0
	}
	return n
}
