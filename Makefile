# otelcol-rastir: `make run` builds and starts the collector on the default
# config; `make test` runs every check from a cold machine; `make bench`
# measures. Everything a target needs is installed by it, pinned.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
GO ?= go

TOOLS := $(CURDIR)/.tools/bin
BUILDER := $(TOOLS)/builder
MDATAGEN := $(TOOLS)/mdatagen
GOLANGCI_LINT := $(TOOLS)/golangci-lint
BUILDER_VERSION := v0.161.0

BIN := $(CURDIR)/_build/otelcol-rastir
CONFIG := config/otelcol-rastir.yaml

# Go modules of the project (each has its own go.mod), and those with
# mdatagen metadata.
MODULES := pkg/vocabulary pkg/rastirjson receiver/rastirreceiver processor/llmenrichprocessor processor/cardinalityprocessor connector/spanmetricsllm cmd/rastir-loadgen sdk sdk/internal/wirecompat sdk/internal/jsonwalk sdk/openai sdk/anthropic sdk/genai sdk/bedrock sdk/langchaingo sdk/mcp sdk/examples internal/e2e
COMPONENTS := receiver/rastirreceiver processor/llmenrichprocessor processor/cardinalityprocessor connector/spanmetricsllm

FUZZSCALE ?= 1

.PHONY: all build run pgo-profile test tools generate generate-check fmt-check vet versions-check lint unit fuzz e2e bench clean prometheus

all: build

$(BUILDER):
	GOBIN=$(TOOLS) GOWORK=off $(GO) install go.opentelemetry.io/collector/cmd/builder@$(BUILDER_VERSION)

# mdatagen and golangci-lint are pinned in internal/tools/go.mod.
$(MDATAGEN) $(GOLANGCI_LINT) &: internal/tools/go.mod
	cd internal/tools && GOWORK=off $(GO) build -o $(MDATAGEN) go.opentelemetry.io/collector/cmd/mdatagen
	cd internal/tools && GOWORK=off $(GO) build -o $(GOLANGCI_LINT) github.com/golangci/golangci-lint/v2/cmd/golangci-lint

tools: $(BUILDER) $(MDATAGEN) $(GOLANGCI_LINT)

# ocb runs `go mod tidy` in _build, which must not see go.work. A module of
# ours that requires a newer collector release than the manifest's would
# silently lift the whole build to it: the check below fails instead.
COLLECTOR_RELEASE := v1.67.0|v0.161.0
# default.pgo next to ocb's generated main package makes `go build` compile
# with profile-guided optimization (see pgo/README.md).
build: $(BUILDER)
	mkdir -p _build && cp pgo/default.pgo _build/default.pgo
	GOWORK=off $(BUILDER) --config builder-config.yaml
	@stray=$$(grep -E '^\s+(go.opentelemetry.io/collector|github.com/open-telemetry/opentelemetry-collector-contrib)/' _build/go.mod \
	  | grep -vE ' ($(COLLECTOR_RELEASE))( |$$)' || true); \
	if [ -n "$$stray" ]; then echo "collector modules off the pinned release ($(COLLECTOR_RELEASE)):"; echo "$$stray"; exit 1; fi

run: build
	$(BIN) --config $(CONFIG)

# Regenerates pgo/default.pgo from the default config under load (idle
# machine, about a minute and a half); `make build` then uses it.
pgo-profile: build
	pgo/collect.sh $(BIN)

generate: $(MDATAGEN)
	for c in $(COMPONENTS); do (cd $$c && $(MDATAGEN) metadata.yaml); done

# Generated code and docs must match metadata.yaml: regenerating must not
# change the tree (uncommitted hand edits of a component do not count).
generate-check: $(MDATAGEN)
	@before=$$(git diff -- $(COMPONENTS)); $(MAKE) --no-print-directory generate >/dev/null; \
	after=$$(git diff -- $(COMPONENTS)); \
	if [ "$$before" != "$$after" ]; then echo "mdatagen output is stale: run make generate and commit the result"; exit 1; fi

fmt-check:
	@out=$$(gofmt -l $(MODULES)); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	for m in $(MODULES); do (cd $$m && $(GO) vet ./...); done

lint: $(GOLANGCI_LINT)
	for m in $(MODULES); do (cd $$m && $(GOLANGCI_LINT) run --config $(CURDIR)/.golangci.yml ./...); done

unit:
	for m in $(filter-out internal/e2e,$(MODULES)); do (cd $$m && $(GO) test -race -count=1 ./...); done

# A short run of every fuzz test; a longer one: make fuzz FUZZSCALE=50.
# Each target runs a number of inputs (about 5 to 20 seconds here), not a
# time: with a time, Go 1.26's fuzzing coordinator can fail a run at its
# end with "context deadline exceeded" (golang/go#75804, fixed in Go 1.27).
# Every decoder of untrusted input: the receiver's Rastir JSON, the SDK's
# event-stream line splitter, each adapter's readers, the processor's
# guardrail assessments and pricing file (dir:target:inputs).
FUZZ_TARGETS := pkg/rastirjson:FuzzDecode:400000 \
	sdk/internal/httptap:FuzzStreamLines:200000 \
	sdk/openai:FuzzReadCompletion:50000 sdk/openai:FuzzReadResponse:30000 sdk/openai:FuzzRequestFields:40000 \
	sdk/anthropic:FuzzReadMessage:60000 sdk/anthropic:FuzzStreamEvents:60000 sdk/anthropic:FuzzRequestFields:30000 \
	sdk/bedrock:FuzzStreamTap:100000 sdk/bedrock:FuzzInvokeModelBody:60000 \
	processor/llmenrichprocessor:FuzzBedrockGuardrailAssessment:100000 \
	processor/llmenrichprocessor/internal/pricing:FuzzParsePrices:500000
fuzz:
	for t in $(FUZZ_TARGETS); do dir=$${t%%:*}; rest=$${t#*:}; name=$${rest%%:*}; n=$${rest#*:}; \
	  (cd $$dir && $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $$((n * $(FUZZSCALE)))x .) || exit 1; done

# The end-to-end tests scrape with a real Prometheus: Debian's package.
prometheus:
	@command -v prometheus >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
	  $$sudo apt-get update -qq && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null; }

# End-to-end tests run the built binary over real HTTP.
e2e: build prometheus
	cd internal/e2e && OTELCOL_RASTIR_BIN=$(BIN) $(GO) test -count=1 -timeout 15m -v ./...

# Every module requires the collector release the manifest builds with
# (internal/tools pins mdatagen's own); a newer one would lift the build.
versions-check:
	@stray=$$(for m in $(MODULES); do grep -HE '^\s+(go.opentelemetry.io/collector|github.com/open-telemetry/opentelemetry-collector-contrib)/' $$m/go.mod \
	  | grep -vE ' ($(COLLECTOR_RELEASE))( |$$)'; done || true); \
	if [ -n "$$stray" ]; then echo "collector modules off the pinned release ($(COLLECTOR_RELEASE)):"; echo "$$stray"; exit 1; fi

test: fmt-check vet versions-check lint generate-check unit fuzz e2e

bench: build
	cd pkg/rastirjson && $(GO) test -run '^$$' -bench . -benchmem -count 1 .
	cd processor/llmenrichprocessor && $(GO) test -run '^$$' -bench Process -benchmem -count 1 .
	cd connector/spanmetricsllm && $(GO) test -run '^$$' -bench 'ConsumeMixed/default|WithCardinality|SeriesMemory' -benchmem -count 1 -cpu 1 .
	cd sdk && $(GO) test -run '^$$' -bench 'LLMSpan|Push' -benchmem -count 1 .
	cd sdk/openai && $(GO) test -run '^$$' -bench 'Span$$|ReadCompletion' -benchmem -count 1 -cpu 1 .
	cd sdk/anthropic && $(GO) test -run '^$$' -bench ReadMessage -benchmem -count 1 -cpu 1 .
	cd cmd/rastir-loadgen && $(GO) run . compare --bin $(BIN)

clean:
	rm -rf _build
