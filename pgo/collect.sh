#!/bin/sh
# Writes pgo/default.pgo, the profile `make build` compiles otelcol-rastir
# with: CPU profiles of the default configuration at max rate, one fed Rastir
# batches on POST /v1/telemetry and one fed the same spans as OTLP/HTTP JSON,
# merged. Run from the repository root (make pgo-profile) on an idle machine.
set -eu

bin=${1:-_build/otelcol-rastir}
seconds=${PGO_SECONDS:-25}
work=$(mktemp -d)
trap 'kill "$collector" 2>/dev/null || true; rm -rf "$work"' EXIT

go build -o "$work/loadgen" ./cmd/rastir-loadgen

"$bin" --config config/otelcol-rastir.yaml \
	--config 'yaml:extensions::pprof::endpoint: localhost:1777' \
	--set 'service.extensions=[health_check,pprof]' >"$work/collector.log" 2>&1 &
collector=$!
for _ in $(seq 50); do
	curl -sf -o /dev/null http://localhost:13133/ && break
	sleep 0.2
done

# profile MODE: load the collector for longer than the profile, profile the
# middle of the run.
profile() {
	"$work/loadgen" run -mode "$1" -duration "$((seconds + 8))s" -settle 2s \
		-counter rastir_spans_ingested_total >"$work/load-$1.txt" 2>&1 &
	load=$!
	sleep 4
	curl -sf -o "$work/$1.pprof" "http://localhost:1777/debug/pprof/profile?seconds=$seconds"
	wait "$load"
	grep accepted "$work/load-$1.txt"
}
profile rastir
profile otlp

go tool pprof -proto "$bin" "$work/rastir.pprof" "$work/otlp.pprof" >pgo/default.pgo
echo "wrote pgo/default.pgo"
