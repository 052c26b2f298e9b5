package vocabulary

// Keys in the rastir.wire.* namespace keep what the Rastir wire format
// carries and OTLP has no field for, exactly as the client sent it. They are
// written by the rastir receiver only; normalised meanings (the canonical
// span type, the error category, ...) live under other keys.
const (
	// WireKeySpanType is the span type exactly as the client sent it
	// ("trace", "agent", "llm", "tool", "retrieval", "metric", "system",
	// "infra", "evaluation" or anything else); not normalised.
	WireKeySpanType = "rastir.wire.span_type"
	// WireKeyDurationMs is the client-measured duration in milliseconds
	// (Rastir's duration_ms), kept because Rastir's latency metric observes
	// it rather than end minus start.
	WireKeyDurationMs = "rastir.wire.duration_ms"
	// WireKeyStatus is the span status string when it is neither "OK" nor
	// "ERROR" (Rastir uses the raw string as a metric label).
	WireKeyStatus = "rastir.wire.status"
	// WireKeyTraceID, WireKeySpanID and WireKeyParentSpanID keep an id
	// string that the OTLP id cannot reproduce (not hex, upper case, or of
	// an unusual length).
	WireKeyTraceID      = "rastir.wire.trace_id"
	WireKeySpanID       = "rastir.wire.span_id"
	WireKeyParentSpanID = "rastir.wire.parent_span_id"

	// WireKeySpanFieldPrefix prefixes span-level wire fields the receiver
	// does not map (e.g. "duration_seconds" on evaluation spans).
	WireKeySpanFieldPrefix = "rastir.wire.span."
	// WireKeyEventFieldPrefix prefixes event-level wire fields the receiver
	// does not map.
	WireKeyEventFieldPrefix = "rastir.wire.event."
	// WireKeyBatchFieldPrefix prefixes batch-level wire fields the receiver
	// does not map; they become resource attributes.
	WireKeyBatchFieldPrefix = "rastir.wire.batch."
)
