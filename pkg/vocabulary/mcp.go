package vocabulary

// OpenTelemetry MCP semantic conventions (GenAI semantic conventions,
// docs/gen-ai/mcp.md, development status): keys of the MCP client and
// server spans, and the general network and RPC keys those spans use.
const (
	// MCPMethodName is the JSON-RPC method of the request (required).
	MCPMethodName = "mcp.method.name"
	// MCPSessionID identifies the MCP session, when the transport has one
	// (streamable HTTP's Mcp-Session-Id).
	MCPSessionID = "mcp.session.id"
	// MCPProtocolVersion is the MCP protocol version the session uses
	// (e.g. "2025-06-18").
	MCPProtocolVersion = "mcp.protocol.version"
	// RPCResponseStatusCode is the error code of a JSON-RPC error response,
	// as a string ("-32602").
	RPCResponseStatusCode = "rpc.response.status_code"
	// NetworkTransport is the transport of the session: NetworkTransportPipe
	// for stdio, NetworkTransportTCP for HTTP.
	NetworkTransport = "network.transport"
	// NetworkProtocolName is the application protocol under MCP
	// (NetworkProtocolHTTP), lowercase.
	NetworkProtocolName = "network.protocol.name"
	// NetworkProtocolVersion is its version ("1.1", "2").
	NetworkProtocolVersion = "network.protocol.version"
)

// MCP semantic convention values.
const (
	// MCPMethodToolsCall is the mcp.method.name of a tool call.
	MCPMethodToolsCall = "tools/call"
	// NetworkTransportPipe and NetworkTransportTCP are the network.transport
	// of stdio (and in-memory pipes) and of HTTP.
	NetworkTransportPipe = "pipe"
	NetworkTransportTCP  = "tcp"
	// NetworkProtocolHTTP is the network.protocol.name of the HTTP
	// transports (streamable HTTP, SSE).
	NetworkProtocolHTTP = "http"
	// ErrorTypeMCPToolError is the error.type of a tools/call whose result
	// has isError set (the tool failed, the protocol did not).
	ErrorTypeMCPToolError = "tool_error"
)
