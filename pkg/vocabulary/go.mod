module github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary

go 1.26.0
