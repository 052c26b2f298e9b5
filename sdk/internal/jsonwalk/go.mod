module github.com/otelcol-rastir/otelcol-rastir/sdk/internal/jsonwalk

go 1.26.0

require (
	github.com/romshark/jscan/v2 v2.0.2
	github.com/stretchr/testify v1.12.1
)

require go.yaml.in/yaml/v3 v3.0.5 // indirect
