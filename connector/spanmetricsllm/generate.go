package spanmetricsllm

//go:generate mdatagen metadata.yaml
