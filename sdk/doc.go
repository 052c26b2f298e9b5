// Package rastir instruments Go LLM and agent applications with
// OpenTelemetry spans in the GenAI semantic conventions (v1.41), plus the few
// rastir.* keys that otelcol-rastir and the Rastir server build their
// metrics from.
//
// Setup configures a TracerProvider (OTLP gRPC or HTTP, or Rastir's JSON
// push protocol) from options and the usual environment variables; an
// application that already has a TracerProvider passes it with
// WithTracerProvider and uses only the span helpers.
//
// Every Rastir span type has a start function (StartAgent, StartLLM,
// StartTool, StartRetrieval, StartEvaluation, StartInfra, StartTrace) that
// returns a *Span with setters for the model, provider, token usage, cost,
// time to first chunk and guardrail fields, and a generic function wrapper
// (Agent, LLM, Tool, Retrieval, Evaluation, Infra, Trace) that records the
// error, status and duration of a call. The agent name, model and provider
// flow to child spans through the context.Context.
//
// Failed spans get status ERROR, the semconv exception event, error.type and
// rastir.error.category, computed by the same vocabulary functions as the
// collector's.
//
// WrapTransport and WrapFunc trace any client's calls as spans named
// name.method, never twice.
package rastir
