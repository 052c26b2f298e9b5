package vocabulary

// Keys in the rastir.* namespace that the receiver writes to keep what the
// Rastir wire format carries and OTLP has no field for.
const (
	// RastirSpanType is the span type exactly as the client sent it
	// ("trace", "agent", "llm", "tool", "retrieval", "metric", "system",
	// "infra", "evaluation" or anything else); not normalised.
	RastirSpanType = "rastir.span_type"
	// RastirDurationMs is the client-measured duration in milliseconds
	// (Rastir's duration_ms), kept because Rastir's latency metrics use it
	// rather than end minus start.
	RastirDurationMs = "rastir.duration_ms"
	// RastirStatus is the span status string when it is neither "OK" nor
	// "ERROR" (Rastir uses the raw string as a metric label).
	RastirStatus = "rastir.status"
	// RastirTraceID, RastirSpanID and RastirParentSpanID keep an id string
	// that the OTLP id cannot reproduce (not hex, upper case, or longer than
	// 32 characters).
	RastirTraceID      = "rastir.trace_id"
	RastirSpanID       = "rastir.span_id"
	RastirParentSpanID = "rastir.parent_span_id"

	// RastirSpanFieldPrefix prefixes span-level wire fields the receiver
	// does not map (e.g. "duration_seconds" on evaluation spans).
	RastirSpanFieldPrefix = "rastir.span."
	// RastirEventFieldPrefix prefixes event-level wire fields the receiver
	// does not map.
	RastirEventFieldPrefix = "rastir.event."
	// RastirBatchFieldPrefix prefixes batch-level wire fields the receiver
	// does not map; they become resource attributes.
	RastirBatchFieldPrefix = "rastir.batch."
)
