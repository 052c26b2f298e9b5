module github.com/otelcol-rastir/otelcol-rastir/cmd/rastir-loadgen

go 1.26.0

require (
	github.com/otelcol-rastir/otelcol-rastir/pkg/rastirjson v0.0.0
	github.com/valyala/fasthttp v1.78.0
	go.opentelemetry.io/collector/pdata v1.67.0
)

require (
	github.com/hashicorp/go-version v1.9.0 // indirect
	github.com/json-iterator/go v1.1.12 // indirect
	github.com/klauspost/compress v1.20.4 // indirect
	github.com/modern-go/concurrent v0.0.0-20180306012644-bacd9c7ef1dd // indirect
	github.com/modern-go/reflect2 v1.0.3-0.20250322232337-35a7c28c31ee // indirect
	github.com/molecule-man/go-brrr v1.3.1 // indirect
	github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary v0.0.0 // indirect
	github.com/romshark/jscan/v2 v2.0.2 // indirect
	github.com/valyala/bytebufferpool v1.0.0 // indirect
	github.com/valyala/fastjson v1.6.10 // indirect
	go.opentelemetry.io/collector/featuregate v1.67.0 // indirect
	go.uber.org/multierr v1.11.0 // indirect
	golang.org/x/tools v0.51.0 // indirect
)

replace (
	github.com/otelcol-rastir/otelcol-rastir/pkg/rastirjson => ../../pkg/rastirjson
	github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary => ../../pkg/vocabulary
)
