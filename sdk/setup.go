package rastir

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// Environment variables Setup reads (options override them). The OTLP
// exporters also read their own OTEL_EXPORTER_OTLP_* variables (endpoint,
// headers, timeout, TLS), and the SDK reads OTEL_TRACES_SAMPLER,
// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES.
const (
	EnvService       = "RASTIR_SERVICE"
	EnvEnv           = "RASTIR_ENV"
	EnvVersion       = "RASTIR_VERSION"
	EnvPushURL       = "RASTIR_PUSH_URL"
	EnvAPIKey        = "RASTIR_API_KEY"
	EnvBatchSize     = "RASTIR_BATCH_SIZE"
	EnvFlushInterval = "RASTIR_FLUSH_INTERVAL"
	EnvMaxRetries    = "RASTIR_MAX_RETRIES"
	EnvRetryBackoff  = "RASTIR_RETRY_BACKOFF"
	EnvTimeout       = "RASTIR_TIMEOUT"

	EnvOTLPProtocol       = "OTEL_EXPORTER_OTLP_PROTOCOL"
	EnvOTLPTracesProtocol = "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"
	EnvOTLPEndpoint       = "OTEL_EXPORTER_OTLP_ENDPOINT"
	EnvOTLPTracesEndpoint = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
	EnvOTLPInsecure       = "OTEL_EXPORTER_OTLP_INSECURE"
	EnvOTLPTracesInsecure = "OTEL_EXPORTER_OTLP_TRACES_INSECURE"
	EnvSDKDisabled        = "OTEL_SDK_DISABLED"
	EnvTracesExporter     = "OTEL_TRACES_EXPORTER"
)

// OTLP protocols (the values of OTEL_EXPORTER_OTLP_PROTOCOL).
const (
	ProtocolGRPC         = "grpc"
	ProtocolHTTPProtobuf = "http/protobuf"
	ProtocolHTTPJSON     = "http/json"
	// ProtocolHTTP is accepted as http/protobuf.
	ProtocolHTTP = "http"
)

// SetupOption configures Setup.
type SetupOption func(*setupConfig)

type setupConfig struct {
	service, env, version string
	endpoint, protocol    string
	headers               map[string]string
	insecure              bool
	exporter              sdktrace.SpanExporter
	sampler               sdktrace.Sampler
	provider              trace.TracerProvider
	pushURL, apiKey       string
	pushOpts              []PushOption
	resourceAttrs         []attribute.KeyValue
	batchOpts             []sdktrace.BatchSpanProcessorOption
	noGlobal              bool
}

// WithService sets service.name (over RASTIR_SERVICE, OTEL_SERVICE_NAME and
// OTEL_RESOURCE_ATTRIBUTES).
func WithService(name string) SetupOption { return func(c *setupConfig) { c.service = name } }

// WithEnv sets deployment.environment.name (over RASTIR_ENV and
// OTEL_RESOURCE_ATTRIBUTES).
func WithEnv(env string) SetupOption { return func(c *setupConfig) { c.env = env } }

// WithVersion sets service.version (over RASTIR_VERSION and
// OTEL_RESOURCE_ATTRIBUTES).
func WithVersion(v string) SetupOption { return func(c *setupConfig) { c.version = v } }

// WithResourceAttributes adds resource attributes.
func WithResourceAttributes(kv ...attribute.KeyValue) SetupOption {
	return func(c *setupConfig) { c.resourceAttrs = append(c.resourceAttrs, kv...) }
}

// WithEndpoint sets the OTLP endpoint URL (over
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT and OTEL_EXPORTER_OTLP_ENDPOINT), e.g.
// "http://localhost:4318" (HTTP; the /v1/traces path is added when the URL
// has no path) or "http://localhost:4317" (gRPC), or host:port
// ("collector:4317"; for HTTP, a path may follow), sent with TLS unless
// WithInsecure or OTEL_EXPORTER_OTLP_INSECURE. Nothing of the variables'
// endpoint URL (path, scheme) stays.
func WithEndpoint(url string) SetupOption { return func(c *setupConfig) { c.endpoint = url } }

// WithProtocol sets the OTLP protocol: ProtocolGRPC, ProtocolHTTPProtobuf
// (the default) or ProtocolHTTPJSON (over OTEL_EXPORTER_OTLP_TRACES_PROTOCOL
// and OTEL_EXPORTER_OTLP_PROTOCOL).
func WithProtocol(p string) SetupOption { return func(c *setupConfig) { c.protocol = p } }

// WithHeaders sets the OTLP request headers (replacing
// OTEL_EXPORTER_OTLP_HEADERS).
func WithHeaders(h map[string]string) SetupOption { return func(c *setupConfig) { c.headers = h } }

// WithInsecure sends OTLP without TLS when the endpoint does not say: an
// endpoint URL (the option, else OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else
// OTEL_EXPORTER_OTLP_ENDPOINT) starting with http:// or https:// decides.
func WithInsecure() SetupOption { return func(c *setupConfig) { c.insecure = true } }

// WithExporter exports with e instead of OTLP or the push exporter.
func WithExporter(e sdktrace.SpanExporter) SetupOption {
	return func(c *setupConfig) { c.exporter = e }
}

// WithSampler sets the sampler (over OTEL_TRACES_SAMPLER).
func WithSampler(s sdktrace.Sampler) SetupOption { return func(c *setupConfig) { c.sampler = s } }

// WithTracerProvider makes the helpers use an existing provider: Setup then
// creates nothing, and its shutdown only flushes tp (its owner shuts it
// down).
func WithTracerProvider(tp trace.TracerProvider) SetupOption {
	return func(c *setupConfig) { c.provider = tp }
}

// WithPushURL exports to a Rastir server's POST /v1/telemetry instead of
// OTLP (over RASTIR_PUSH_URL): the server's base URL.
func WithPushURL(url string) SetupOption { return func(c *setupConfig) { c.pushURL = url } }

// WithAPIKey sets the push exporter's X-API-Key (over RASTIR_API_KEY).
func WithAPIKey(key string) SetupOption { return func(c *setupConfig) { c.apiKey = key } }

// WithPushOptions passes options to the push exporter (over the RASTIR_*
// batching and retry variables).
func WithPushOptions(opts ...PushOption) SetupOption {
	return func(c *setupConfig) { c.pushOpts = append(c.pushOpts, opts...) }
}

// WithBatchOptions passes options to the batch span processor.
func WithBatchOptions(opts ...sdktrace.BatchSpanProcessorOption) SetupOption {
	return func(c *setupConfig) { c.batchOpts = append(c.batchOpts, opts...) }
}

// WithoutGlobal leaves the global TracerProvider and propagator alone (by
// default Setup installs its provider and the W3C trace context and baggage
// propagators globally).
func WithoutGlobal() SetupOption { return func(c *setupConfig) { c.noGlobal = true } }

// ShutdownFunc flushes and stops what Setup started.
type ShutdownFunc func(context.Context) error

// Setup configures tracing in one call: a TracerProvider with the service's
// resource and a batching exporter (the Rastir push exporter when a push URL
// is set, else what OTEL_TRACES_EXPORTER lists, by default OTLP over HTTP
// or gRPC), installed globally and used by the span helpers. The returned
// shutdown flushes the spans and stops the exporter. Every configuration
// error is reported at once. With OTEL_SDK_DISABLED=true it creates and
// installs nothing.
func Setup(ctx context.Context, opts ...SetupOption) (ShutdownFunc, error) {
	cfg := setupConfig{}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.provider != nil {
		if nilPointer(cfg.provider) {
			return nil, errors.New("rastir: WithTracerProvider: the provider is a nil pointer")
		}
		UseTracerProvider(cfg.provider)
		return func(ctx context.Context) error {
			if f, ok := cfg.provider.(interface{ ForceFlush(context.Context) error }); ok {
				return f.ForceFlush(ctx)
			}
			return nil
		}, nil
	}
	if sdkDisabled() {
		// OTEL_SDK_DISABLED: nothing is created or installed; the helpers
		// use the global provider, a no-op one unless the application
		// installs another.
		return func(context.Context) error { return nil }, nil
	}
	res, resErr := buildResource(ctx, &cfg)
	exps, expErr := buildExporters(ctx, &cfg)
	if err := errors.Join(resErr, expErr); err != nil {
		for _, e := range exps {
			_ = e.exp.Shutdown(ctx)
		}
		return nil, err
	}
	tpOpts := []sdktrace.TracerProviderOption{sdktrace.WithResource(res)}
	for _, e := range exps {
		tpOpts = append(tpOpts, sdktrace.WithBatcher(e.exp, append(e.batchOpts, cfg.batchOpts...)...))
		if f, ok := e.exp.(flusher); ok {
			// After the batcher: the provider flushes its processors in turn.
			tpOpts = append(tpOpts, sdktrace.WithSpanProcessor(exporterFlusher{f}))
		}
	}
	if cfg.sampler != nil {
		tpOpts = append(tpOpts, sdktrace.WithSampler(cfg.sampler))
	}
	tp := sdktrace.NewTracerProvider(tpOpts...)
	if !cfg.noGlobal {
		otel.SetTracerProvider(tp)
		otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	}
	UseTracerProvider(tp)
	mine := ownTracer.Load()
	return func(ctx context.Context) error {
		err := tp.Shutdown(ctx)
		// The helpers go back to the global provider, unless something
		// else was installed since.
		ownTracer.CompareAndSwap(mine, nil)
		return err
	}, nil
}

// sdkDisabled reports whether OTEL_SDK_DISABLED is true.
func sdkDisabled() bool {
	return strings.EqualFold(strings.TrimSpace(os.Getenv(EnvSDKDisabled)), "true")
}

// flusher is an exporter that queues what it is given (the push exporter)
// and can wait until it has sent it.
type flusher interface {
	ForceFlush(ctx context.Context) error
}

// exporterFlusher passes the provider's ForceFlush on to such an exporter:
// the batch span processor only hands the exporter its spans.
type exporterFlusher struct{ f flusher }

func (exporterFlusher) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (exporterFlusher) OnEnd(sdktrace.ReadOnlySpan)                     {}
func (e exporterFlusher) ForceFlush(ctx context.Context) error          { return e.f.ForceFlush(ctx) }
func (exporterFlusher) Shutdown(context.Context) error                  { return nil }

func envOr(v, key string) string {
	if v != "" {
		return v
	}
	return strings.TrimSpace(os.Getenv(key))
}

// buildResource returns the resource: the SDK's detectors (OTEL_SERVICE_NAME,
// OTEL_RESOURCE_ATTRIBUTES, the telemetry SDK), then RASTIR_* variables,
// then options.
func buildResource(ctx context.Context, cfg *setupConfig) (*resource.Resource, error) {
	detected, err := resource.New(ctx, resource.WithFromEnv(), resource.WithTelemetrySDK())
	if err != nil {
		if detected == nil {
			return nil, fmt.Errorf("resource: %w", err)
		}
		// A malformed OTEL_RESOURCE_ATTRIBUTES pair is skipped and the
		// others kept (the OpenTelemetry SDK's partial resource); the
		// application's error handler is told which, as the
		// specification's error handling asks, rather than failing Setup.
		otel.Handle(fmt.Errorf("resource: %w", err))
	}
	var kvs []attribute.KeyValue
	if _, ok := detected.Set().Value(vocabulary.ResourceServiceName); !ok {
		kvs = append(kvs, attribute.String(vocabulary.ResourceServiceName, "unknown_service:"+filepath.Base(os.Args[0])))
	}
	// Later attributes win: the RASTIR_* variables, then the attributes
	// option, then the named options (each option beats a variable).
	named := [...]struct{ key, option, env string }{
		{vocabulary.ResourceServiceName, cfg.service, EnvService},
		{vocabulary.ResourceDeploymentEnvironmentName, cfg.env, EnvEnv},
		{vocabulary.ResourceServiceVersion, cfg.version, EnvVersion},
	}
	for _, n := range named {
		if v := envOr("", n.env); v != "" && n.option == "" {
			kvs = append(kvs, attribute.String(n.key, v))
		}
	}
	kvs = append(kvs, cfg.resourceAttrs...)
	for _, n := range named {
		if n.option != "" {
			kvs = append(kvs, attribute.String(n.key, n.option))
		}
	}
	res, mergeErr := resource.Merge(detected, resource.NewSchemaless(kvs...))
	if mergeErr != nil {
		// Only schema URLs can conflict; the schemaless overrides cannot.
		return nil, fmt.Errorf("resource: %w", mergeErr)
	}
	return res, nil
}

// exporterKind names what buildExporter chose (for tests and logs).
type exporterKind string

const (
	exporterCustom   exporterKind = "custom"
	exporterPush     exporterKind = "rastir-push"
	exporterOTLPGRPC exporterKind = "otlp-grpc"
	exporterOTLPHTTP exporterKind = "otlp-http"
	exporterConsole  exporterKind = "console"
)

// The values of OTEL_TRACES_EXPORTER Setup knows.
const (
	tracesExporterOTLP    = "otlp"
	tracesExporterConsole = "console"
	tracesExporterNone    = "none"
)

// chooseExporters returns the exporters to build, and the OTLP protocol
// when one of them is OTLP: the application's exporter, else the push
// exporter, else what OTEL_TRACES_EXPORTER lists (default otlp; none for
// "none").
func chooseExporters(cfg *setupConfig) ([]exporterKind, string, error) {
	switch {
	case cfg.exporter != nil:
		return []exporterKind{exporterCustom}, "", nil
	case cfg.pushURL != "":
		return []exporterKind{exporterPush}, "", nil
	case cfg.endpoint == "" && cfg.protocol == "" && envOr("", EnvPushURL) != "":
		// The environment's push URL, unless the application asked for
		// OTLP itself: as every option beats its variable.
		return []exporterKind{exporterPush}, "", nil
	}
	names := envOr("", EnvTracesExporter)
	if names == "" {
		names = tracesExporterOTLP
	}
	var (
		kinds         []exporterKind
		otlp, console bool
		errs          []error
	)
	for n := range strings.SplitSeq(names, ",") {
		switch n = strings.ToLower(strings.TrimSpace(n)); n {
		case tracesExporterOTLP:
			otlp = true
		case tracesExporterConsole:
			console = true
		case tracesExporterNone, "":
		default:
			errs = append(errs, fmt.Errorf("%s: %q: want %s, %s or %s", EnvTracesExporter, n,
				tracesExporterOTLP, tracesExporterConsole, tracesExporterNone))
		}
	}
	var proto string
	if otlp {
		kind, p, err := chooseOTLP(cfg)
		errs = append(errs, err)
		kinds, proto = append(kinds, kind), p
	}
	if console {
		kinds = append(kinds, exporterConsole)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, "", err
	}
	return kinds, proto, nil
}

// chooseOTLP returns the OTLP exporter and protocol.
func chooseOTLP(cfg *setupConfig) (exporterKind, string, error) {
	proto := envOr(cfg.protocol, EnvOTLPTracesProtocol)
	proto = envOr(proto, EnvOTLPProtocol)
	switch proto {
	case ProtocolGRPC:
		return exporterOTLPGRPC, proto, nil
	case "", ProtocolHTTPProtobuf, ProtocolHTTP, ProtocolHTTPJSON:
		if proto == "" {
			proto = ProtocolHTTPProtobuf
		}
		return exporterOTLPHTTP, proto, nil
	}
	return "", "", fmt.Errorf("OTLP protocol %q: want %s, %s or %s", proto, ProtocolGRPC, ProtocolHTTPProtobuf, ProtocolHTTPJSON)
}

// builtExporter is an exporter and the options of its batch processor.
type builtExporter struct {
	exp       sdktrace.SpanExporter
	batchOpts []sdktrace.BatchSpanProcessorOption
}

// buildExporters builds the chosen exporters (none for
// OTEL_TRACES_EXPORTER=none).
func buildExporters(ctx context.Context, cfg *setupConfig) ([]builtExporter, error) {
	kinds, proto, err := chooseExporters(cfg)
	if err != nil {
		return nil, err
	}
	out := make([]builtExporter, 0, len(kinds))
	for _, kind := range kinds {
		exp, batchOpts, err := buildExporter(ctx, cfg, kind, proto)
		if err != nil {
			for _, e := range out {
				_ = e.exp.Shutdown(ctx)
			}
			return nil, err
		}
		out = append(out, builtExporter{exp: exp, batchOpts: batchOpts})
	}
	return out, nil
}

func buildExporter(ctx context.Context, cfg *setupConfig, kind exporterKind, proto string) (sdktrace.SpanExporter, []sdktrace.BatchSpanProcessorOption, error) {
	switch kind {
	case exporterCustom:
		return cfg.exporter, nil, nil
	case exporterConsole:
		// The OpenTelemetry SDK's own stdout exporter, as
		// OTEL_TRACES_EXPORTER=console names it for every SDK.
		exp, err := stdouttrace.New(stdouttrace.WithWriter(os.Stdout))
		return exp, nil, err
	case exporterPush:
		pushOpts, batchOpts, err := pushEnv()
		if err != nil {
			return nil, nil, err
		}
		if key := envOr(cfg.apiKey, EnvAPIKey); key != "" {
			pushOpts = append(pushOpts, WithPushAPIKey(key))
		}
		pushOpts = append(pushOpts, cfg.pushOpts...)
		e, err := NewPushExporter(envOr(cfg.pushURL, EnvPushURL), pushOpts...)
		if err != nil {
			return nil, nil, err
		}
		// The batch processor hands over batches of the push batch size.
		batchOpts = append(batchOpts, sdktrace.WithMaxExportBatchSize(e.cfg.batchSize), sdktrace.WithMaxQueueSize(e.cfg.queueSize))
		return e, batchOpts, nil
	case exporterOTLPGRPC:
		var o []otlptracegrpc.Option
		switch {
		case isURL(cfg.endpoint):
			o = append(o, otlptracegrpc.WithEndpointURL(cfg.endpoint))
		case cfg.endpoint != "" && !strings.Contains(cfg.endpoint, "/"):
			// host:port as a URL, so that the TLS setting of an
			// environment's endpoint URL does not stay with it.
			o = append(o, otlptracegrpc.WithEndpointURL(cfg.hostPortURL(cfg.endpoint)))
		case cfg.endpoint != "":
			// A gRPC target (unix:///path, dns:///host:port).
			o = append(o, otlptracegrpc.WithEndpoint(cfg.endpoint))
		}
		if cfg.headers != nil {
			o = append(o, otlptracegrpc.WithHeaders(cfg.headers))
		}
		if cfg.insecureApplies() {
			o = append(o, otlptracegrpc.WithInsecure())
		}
		e, err := otlptracegrpc.New(ctx, o...)
		if err != nil {
			// Not e: a nil *Exporter is not a nil SpanExporter.
			return nil, nil, err
		}
		return e, nil, nil
	}
	var o []otlptracehttp.Option
	switch {
	case isURL(cfg.endpoint):
		o = append(o, otlptracehttp.WithEndpointURL(httpTracesURL(cfg.endpoint)))
	case cfg.endpoint != "":
		// host:port, and maybe a path (else the exporter's /v1/traces).
		// As a URL, so that neither the path nor the TLS setting of an
		// environment's endpoint URL stays with it.
		hostPort, path, hasPath := strings.Cut(cfg.endpoint, "/")
		path = "/" + path
		if !hasPath || strings.Trim(path, "/") == "" {
			path = otlpTracesPath
		}
		o = append(o, otlptracehttp.WithEndpointURL(cfg.hostPortURL(hostPort)+path))
	}
	if cfg.headers != nil {
		o = append(o, otlptracehttp.WithHeaders(cfg.headers))
	}
	if cfg.insecureApplies() {
		o = append(o, otlptracehttp.WithInsecure())
	}
	// Always given: the exporter itself reads OTEL_EXPORTER_OTLP_PROTOCOL,
	// which the option overrides.
	enc := otlptracehttp.EncodingProtobuf
	if proto == ProtocolHTTPJSON {
		enc = otlptracehttp.EncodingJSON
	}
	o = append(o, otlptracehttp.WithEncoding(enc))
	e, err := otlptracehttp.New(ctx, o...)
	if err != nil {
		return nil, nil, err
	}
	return e, nil, nil
}

// insecureApplies reports whether WithInsecure applies: the exporter takes
// TLS or not from the scheme of an endpoint URL, which WithInsecure would
// override.
func (c *setupConfig) insecureApplies() bool {
	if !c.insecure {
		return false
	}
	e := envOr(envOr(c.endpoint, EnvOTLPTracesEndpoint), EnvOTLPEndpoint)
	u, err := url.Parse(e)
	if err != nil {
		return true
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return false
	}
	return true
}

// hostPortURL returns a host:port endpoint as a URL whose scheme says
// whether to use TLS: not with WithInsecure or OTEL_EXPORTER_OTLP_INSECURE
// (OTEL_EXPORTER_OTLP_TRACES_INSECURE when set), whatever the scheme of an
// endpoint URL in the environment, which the option replaces.
func (c *setupConfig) hostPortURL(hostPort string) string {
	insecure := c.insecure
	if !insecure {
		v := strings.TrimSpace(os.Getenv(EnvOTLPTracesInsecure))
		if v == "" {
			v = strings.TrimSpace(os.Getenv(EnvOTLPInsecure))
		}
		insecure = strings.EqualFold(v, "true")
	}
	if insecure {
		return "http://" + hostPort
	}
	return "https://" + hostPort
}

// isURL reports whether an endpoint is a URL, whose scheme says http or
// https; any other endpoint is host:port, which the exporters' WithEndpointURL
// would misread (it sent to the default endpoint or to no host at all).
func isURL(endpoint string) bool {
	e := strings.ToLower(endpoint)
	return strings.HasPrefix(e, "http://") || strings.HasPrefix(e, "https://")
}

// otlpTracesPath is the OTLP/HTTP traces path.
const otlpTracesPath = "/v1/traces"

// httpTracesURL adds the traces path to an endpoint URL without a path, as
// the exporter does for OTEL_EXPORTER_OTLP_ENDPOINT (its WithEndpointURL
// posts to such a URL's root).
func httpTracesURL(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" || strings.Trim(u.Path, "/") != "" {
		return endpoint
	}
	u.Path = otlpTracesPath
	return u.String()
}

// pushEnv reads the Python client's batching and retry variables.
func pushEnv() ([]PushOption, []sdktrace.BatchSpanProcessorOption, error) {
	var (
		opts  []PushOption
		bopts []sdktrace.BatchSpanProcessorOption
		errs  []error
	)
	num := func(key string) (float64, bool) {
		v := strings.TrimSpace(os.Getenv(key))
		if v == "" {
			return 0, false
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 0 {
			errs = append(errs, fmt.Errorf("%s=%q: want a positive number", key, v))
			return 0, false
		}
		return f, true
	}
	if n, ok := num(EnvBatchSize); ok {
		opts = append(opts, WithPushBatchSize(int(n)))
	}
	if s, ok := num(EnvFlushInterval); ok {
		bopts = append(bopts, sdktrace.WithBatchTimeout(time.Duration(s*float64(time.Second))))
	}
	attempts, hasAttempts := num(EnvMaxRetries)
	backoff, hasBackoff := num(EnvRetryBackoff)
	if hasAttempts || hasBackoff {
		a, b := DefaultPushMaxAttempts, DefaultPushBackoff
		if hasAttempts {
			a = int(attempts)
		}
		if hasBackoff {
			b = time.Duration(backoff * float64(time.Second))
		}
		opts = append(opts, WithPushRetry(a, b))
	}
	if s, ok := num(EnvTimeout); ok {
		opts = append(opts, WithPushTimeout(time.Duration(s*float64(time.Second))))
	}
	return opts, bopts, errors.Join(errs...)
}
