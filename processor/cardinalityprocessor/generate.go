package cardinalityprocessor

//go:generate mdatagen metadata.yaml
