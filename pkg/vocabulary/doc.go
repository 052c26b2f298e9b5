// Package vocabulary is the one place that names the attribute keys, enum
// values and wire-format field names used by otelcol-rastir.
//
// Every component of the distribution and the Go SDK import it, so an
// attribute key is spelled once. docs/attributes.md describes each key.
//
// The package holds constants and a few pure functions only: no state, no
// I/O, no dependencies.
package vocabulary
