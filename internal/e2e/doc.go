// Package e2e tests the built otelcol-rastir binary where users run it: a
// real process, configured by YAML, spoken to over real HTTP (and OTLP).
// make e2e builds the binary and passes its path in OTELCOL_RASTIR_BIN.
package e2e
