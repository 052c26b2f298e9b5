package vocabulary

// Resource attribute keys (OpenTelemetry semantic conventions v1.41 unless
// marked otherwise).
const (
	// ResourceServiceName is the service that produced the spans.
	ResourceServiceName = "service.name"
	// ResourceServiceVersion is the version of that service.
	ResourceServiceVersion = "service.version"
	// ResourceDeploymentEnvironmentName is the deployment environment
	// (Rastir's "env").
	ResourceDeploymentEnvironmentName = "deployment.environment.name"
	// ResourceDeploymentEnvironment is the key semconv used for it before
	// v1.27, which many SDKs and OTEL_RESOURCE_ATTRIBUTES settings still
	// write: read when the current key is absent.
	ResourceDeploymentEnvironment = "deployment.environment"
	// ResourceTenant is the tenant a batch was received for (not in
	// semconv). Rastir wrote it as the span attribute "tenant"; here it
	// describes the whole batch, so it lives on the resource.
	ResourceTenant = "rastir.tenant"
)

// UnknownService and UnknownEnv are what Rastir uses when a batch names no
// service or environment.
const (
	UnknownService = "unknown"
	UnknownEnv     = "unknown"
	// DefaultTenant is the tenant of a request that names none.
	DefaultTenant = "default"
)
