// Command rastir-loadgen measures an otelcol-rastir collector with the span
// batches of the real Rastir client (testdata/rastir-client/*.json).
//
// Usage:
//
//	rastir-loadgen run [flags]             load a running collector
//	rastir-loadgen compare --bin <path>    start the binary twice and compare
//	                                       our default pipeline with a stock
//	                                       OTLP pipeline on the same spans
//
// `run` replays the fixture batches from N keep-alive workers, either as
// Rastir JSON (POST /v1/telemetry) or as OTLP/HTTP JSON of the same spans
// (POST /v1/traces), for a duration and optionally at a target rate in
// spans/s. It prints the accepted spans/s, the p50/p99 request latency and
// the errors by HTTP status, then the spans counted downstream (the sum of
// the span metrics connector's span counter scraped from the prometheus
// exporter) and, given --pid, the collector's peak RSS.
//
// `compare` is what `make bench` runs; see its --help.
package main

import (
	"fmt"
	"os"
)

const usage = `usage: rastir-loadgen <command> [flags]

commands:
  run       load a running collector with the Rastir fixtures
  compare   start a collector binary twice (otelcol-rastir default pipeline,
            stock OTLP pipeline) and compare throughput, latency and memory

Run 'rastir-loadgen <command> -h' for the flags of a command.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "run":
		err = runCommand(os.Args[2:], os.Stdout)
	case "compare":
		err = compareCommand(os.Args[2:], os.Stdout)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(os.Stdout, usage)
		return
	default:
		fmt.Fprintf(os.Stderr, "unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "rastir-loadgen:", err)
		os.Exit(1)
	}
}
