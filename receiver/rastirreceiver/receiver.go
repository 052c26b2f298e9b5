package rastirreceiver

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receiverhelper"
	"go.uber.org/zap"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/rastirjson"
	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	"github.com/otelcol-rastir/otelcol-rastir/receiver/rastirreceiver/internal/metadata"
	"github.com/otelcol-rastir/otelcol-rastir/receiver/rastirreceiver/internal/ratelimit"
)

// Paths served on the receiver's port, as the Rastir server serves them.
const (
	pathTelemetry = "/v1/telemetry"
	pathHealth    = "/health"
	pathReady     = "/ready"
	pathMetrics   = "/metrics"
)

const (
	// contentEncodingIdentity is the Content-Encoding of an unencoded body.
	contentEncodingIdentity = "identity"
	// errSnappyTooLarge ends confighttp's refusal of a snappy block that
	// decodes past max_request_body_size (its only sign of that case).
	errSnappyTooLarge = "decoded size exceeds max request body size"
)

type rastirReceiver struct {
	cfg      *Config
	settings receiver.Settings
	// next receives the spans; nextMetrics, set when the receiver is also
	// in a metrics pipeline, receives the operational families.
	next        consumer.Traces
	nextMetrics consumer.Metrics

	obsrecv   *receiverhelper.ObsReport
	telemetry *metadata.TelemetryBuilder
	decoder   *rastirjson.Decoder
	bodies    bodyBuffers
	// ipLimiter and serviceLimiter are nil when rate limiting is off.
	ipLimiter, serviceLimiter *ratelimit.Limiter
	tenantsByKey              map[string]string
	boundTenants              map[string]struct{} // the tenants of tenantsByKey
	ready                     readiness
	counters                  *operationalCounters
	emitter                   *operationalEmitter

	server     *http.Server
	shutdownWG sync.WaitGroup
	// A receiver in both a traces and a metrics pipeline is one instance,
	// started and stopped once.
	startOnce, shutdownOnce sync.Once
	startErr, shutdownErr   error
}

func newRastirReceiver(cfg *Config, set receiver.Settings) (*rastirReceiver, error) {
	obsrecv, err := receiverhelper.NewObsReport(receiverhelper.ObsReportSettings{
		ReceiverID:             set.ID,
		Transport:              "http",
		ReceiverCreateSettings: set,
	})
	if err != nil {
		return nil, err
	}
	telemetry, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	decoderOpts := []rastirjson.Option{
		// llm_enrich, next in the default pipeline, adds canonical keys to
		// nearly every span; room for them saves it reallocating each
		// span's attributes.
		rastirjson.WithSpareAttributeCapacity(),
	}
	if cfg.Tenancy.Enabled {
		// The request's tenant goes on the resource; a span-level copy
		// (Rastir's "tenant", which Rastir overwrote with the request's,
		// or rastir.tenant) would win over it wherever span attributes are
		// read first, and a client bound to one tenant could file spans
		// under another.
		decoderOpts = append(decoderOpts, rastirjson.WithoutSpanAttributes(vocabulary.RastirAttrTenant, vocabulary.ResourceTenant))
	}
	r := &rastirReceiver{
		cfg:       cfg,
		settings:  set,
		obsrecv:   obsrecv,
		telemetry: telemetry,
		decoder: rastirjson.NewDecoder(rastirjson.Limits{
			MaxAttributes: cfg.Limits.MaxAttributesPerSpan,
			MaxEvents:     cfg.Limits.MaxEventsPerSpan,
			MaxValueDepth: cfg.Limits.MaxValueDepth,

			MaxValuesPerBatch: cfg.Limits.MaxAttributeValuesPerBatch,
		}, decoderOpts...),
		bodies:   newBodyBuffers(),
		ready:    readiness{hold: cfg.Readiness.RefusalHold},
		counters: newOperationalCounters(),
	}
	if cfg.RateLimit.Enabled {
		r.ipLimiter = ratelimit.New(cfg.RateLimit.PerIPRPM, cfg.RateLimit.MaxTrackedKeys)
		r.serviceLimiter = ratelimit.New(cfg.RateLimit.PerServiceRPM, cfg.RateLimit.MaxTrackedKeys)
	}
	if cfg.Tenancy.Enabled {
		r.tenantsByKey = make(map[string]string, len(cfg.Tenancy.APIKeys))
		r.boundTenants = make(map[string]struct{}, len(cfg.Tenancy.APIKeys))
		for _, k := range cfg.Tenancy.APIKeys {
			r.tenantsByKey[string(k.Key)] = k.Tenant
			r.boundTenants[k.Tenant] = struct{}{}
		}
	}
	return r, nil
}

func (r *rastirReceiver) Start(ctx context.Context, host component.Host) error {
	r.startOnce.Do(func() { r.startErr = r.start(ctx, host) })
	return r.startErr
}

func (r *rastirReceiver) start(ctx context.Context, host component.Host) error {
	if r.next == nil {
		r.settings.Logger.Warn("the rastir receiver is in no traces pipeline: every batch will be answered 503")
	}
	mux := http.NewServeMux()
	mux.HandleFunc(pathTelemetry, r.handleTelemetry)
	mux.HandleFunc(pathHealth, handleHealth)
	mux.HandleFunc(pathReady, r.handleReady)
	if r.cfg.MetricsEndpoint != "" {
		proxy, err := newMetricsProxy(r.cfg.MetricsEndpoint, r.settings.Logger)
		if err != nil {
			return err
		}
		mux.Handle(pathMetrics, proxy)
	}
	mux.HandleFunc("/", handleNotFound)

	opts := []confighttp.ToServerOption{confighttp.WithErrorHandler(r.handleServerError)}
	if algorithms := r.cfg.CompressionAlgorithms; algorithms == nil || slices.Contains(algorithms, "") {
		// HTTP's name for no encoding, which some clients and proxies
		// send; Rastir, which ignores the header, accepts their bodies.
		// Only where unencoded bodies are accepted: with
		// compression_algorithms [] confighttp decodes nothing and passes
		// every body on, but any decoder registered here would make it
		// refuse every body without this one encoding.
		opts = append(opts, confighttp.WithDecoder(contentEncodingIdentity, func(body io.ReadCloser) (io.ReadCloser, error) { return body, nil }))
	}
	var err error
	r.server, err = r.cfg.ToServer(ctx, host.GetExtensions(), r.settings.TelemetrySettings, mux, opts...)
	if err != nil {
		return err
	}
	listener, err := r.cfg.ToListener(ctx)
	if err != nil {
		return err
	}
	r.settings.Logger.Info("Rastir receiver listening", zap.String("endpoint", listener.Addr().String()))
	if r.nextMetrics != nil {
		r.emitter = &operationalEmitter{
			counters:         r.counters,
			builder:          metadata.NewMetricsBuilder(r.cfg.MetricsBuilderConfig, r.settings),
			next:             r.nextMetrics,
			interval:         r.cfg.MetricsInterval,
			rateLimitEnabled: r.cfg.RateLimit.Enabled,
			logger:           r.settings.Logger,
		}
		r.emitter.start(time.Now())
	}
	r.shutdownWG.Add(1)
	go func() {
		defer r.shutdownWG.Done()
		if errHTTP := r.server.Serve(listener); errHTTP != nil && !errors.Is(errHTTP, http.ErrServerClosed) {
			componentstatus.ReportStatus(host, componentstatus.NewFatalErrorEvent(errHTTP))
		}
	}()
	return nil
}

// Shutdown stops accepting connections and waits for requests in flight, so
// that every batch already answered 202 has been handed to the pipeline.
func (r *rastirReceiver) Shutdown(ctx context.Context) error {
	r.shutdownOnce.Do(func() {
		r.shutdownErr = r.shutdown(ctx)
		receivers.remove(r.cfg)
	})
	return r.shutdownErr
}

func (r *rastirReceiver) shutdown(ctx context.Context) error {
	var err error
	if r.server != nil {
		err = r.server.Shutdown(ctx)
	}
	r.shutdownWG.Wait()
	if r.emitter != nil {
		r.emitter.shutdown()
	}
	r.telemetry.Shutdown()
	return err
}

// readiness remembers whether the pipeline refused the latest batch.
type readiness struct {
	hold time.Duration

	// refusing is read on every accepted batch: an atomic load keeps the
	// handlers of concurrent requests off the mutex while nothing refuses.
	refusing    atomic.Bool
	mu          sync.Mutex
	lastRefusal time.Time
	lastReason  string
}

func (rd *readiness) refused(now time.Time, reason string) {
	rd.mu.Lock()
	rd.lastRefusal, rd.lastReason = now, reason
	rd.refusing.Store(true)
	rd.mu.Unlock()
}

func (rd *readiness) accepted() {
	if rd.refusing.Load() {
		rd.refusing.Store(false)
	}
}

// state reports readiness. A refusal counts for hold only: with no traffic
// (a load balancer that took the instance out) nothing would ever clear it.
func (rd *readiness) state(now time.Time) (bool, string) {
	rd.mu.Lock()
	defer rd.mu.Unlock()
	if rd.refusing.Load() && now.Sub(rd.lastRefusal) < rd.hold {
		return false, rd.lastReason
	}
	return true, ""
}

func newMetricsProxy(endpoint string, logger *zap.Logger) (http.Handler, error) {
	target, err := url.Parse(endpoint)
	if err != nil {
		return nil, err
	}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.URL.Path = target.Path
			pr.Out.URL.RawQuery = target.RawQuery
		},
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			logger.Warn("metrics endpoint unavailable", zap.String("endpoint", endpoint), zap.Error(err))
			writeDetail(w, http.StatusBadGateway, "The metrics endpoint is unavailable", nil)
		},
	}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			methodNotAllowed(w, "GET, HEAD")
			return
		}
		proxy.ServeHTTP(w, req)
	}), nil
}

// clientIP is the TCP peer's address, as Rastir keys its IP limit (no
// X-Forwarded-For: a header is the client's to forge).
func clientIP(req *http.Request) string {
	host, _, err := net.SplitHostPort(req.RemoteAddr)
	if err != nil {
		return req.RemoteAddr
	}
	return host
}
