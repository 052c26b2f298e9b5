package rastirreceiver

//go:generate mdatagen metadata.yaml
