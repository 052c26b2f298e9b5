// Package rastirjson decodes the body of Rastir's POST /v1/telemetry (a JSON
// batch of spans, see docs/rastir-wire.md) into OpenTelemetry pdata traces.
//
// The mapping keeps everything the client sent: resource attributes from the
// batch, ids, parent, name, times, status, events and every attribute with its
// JSON type. What OTLP has no field for is kept under the documented
// rastir.* keys of package vocabulary.
//
// A Decoder is safe for concurrent use; it pools its parsers, so decoding a
// batch allocates little more than the pdata it returns.
package rastirjson
