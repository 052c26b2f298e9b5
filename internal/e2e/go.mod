module github.com/otelcol-rastir/otelcol-rastir/internal/e2e

go 1.26.0

require (
	github.com/klauspost/compress v1.20.4
	github.com/otelcol-rastir/otelcol-rastir/pkg/rastirjson v0.0.0
	github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary v0.0.0
	github.com/prometheus/client_model v0.6.2
	github.com/prometheus/common v0.71.0
	go.opentelemetry.io/collector/pdata v1.67.0
)

require (
	github.com/hashicorp/go-version v1.9.0 // indirect
	github.com/json-iterator/go v1.1.12 // indirect
	github.com/modern-go/concurrent v0.0.0-20180306012644-bacd9c7ef1dd // indirect
	github.com/modern-go/reflect2 v1.0.3-0.20250322232337-35a7c28c31ee // indirect
	github.com/munnerz/goautoneg v0.0.0-20191010083416-a7dc8b61c822 // indirect
	go.opentelemetry.io/collector/featuregate v1.67.0 // indirect
	go.uber.org/multierr v1.11.0 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
)

replace (
	github.com/otelcol-rastir/otelcol-rastir/pkg/rastirjson => ../../pkg/rastirjson
	github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary => ../../pkg/vocabulary
)
