package llmenrichprocessor

//go:generate mdatagen metadata.yaml
