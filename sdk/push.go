package rastir

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// TelemetryPath is the path of Rastir's span endpoint, appended to the
// push URL.
const TelemetryPath = "/v1/telemetry"

// APIKeyHeader carries the API key of a push request.
const APIKeyHeader = "X-API-Key"

// Defaults of the push exporter (the Python client's).
const (
	DefaultPushBatchSize   = 100
	DefaultPushQueueSize   = 10000
	DefaultPushMaxAttempts = 3
	DefaultPushBackoff     = 500 * time.Millisecond
	DefaultPushTimeout     = 5 * time.Second
	// DefaultPushMaxRetryAfter caps the wait a Retry-After header asks for.
	DefaultPushMaxRetryAfter = 30 * time.Second
)

// PushOption configures a PushExporter.
type PushOption func(*pushConfig)

type pushConfig struct {
	apiKey        string
	client        *http.Client
	batchSize     int
	queueSize     int
	maxAttempts   int
	backoff       time.Duration
	maxRetryAfter time.Duration
	timeout       time.Duration
	meta          batchMeta
	logger        *slog.Logger
}

// WithPushAPIKey sends key in the X-API-Key header.
func WithPushAPIKey(key string) PushOption { return func(c *pushConfig) { c.apiKey = key } }

// WithPushHTTPClient sends with client (its own timeout applies on top of
// the per-request one).
func WithPushHTTPClient(client *http.Client) PushOption {
	return func(c *pushConfig) { c.client = client }
}

// WithPushBatchSize sets the most spans per request (default 100).
func WithPushBatchSize(n int) PushOption { return func(c *pushConfig) { c.batchSize = n } }

// WithPushQueueSize sets the most spans waiting to be sent (default
// 10000); spans beyond it are dropped and counted.
func WithPushQueueSize(n int) PushOption { return func(c *pushConfig) { c.queueSize = n } }

// WithPushRetry sets the total attempts per batch (default 3) and the first
// wait between them (default 0.5 s, doubled after each).
func WithPushRetry(maxAttempts int, backoff time.Duration) PushOption {
	return func(c *pushConfig) { c.maxAttempts, c.backoff = maxAttempts, backoff }
}

// WithPushMaxRetryAfter caps the wait a Retry-After header asks for
// (default 30 s); 0 ignores the header and waits the backoff, never
// retrying at once.
func WithPushMaxRetryAfter(d time.Duration) PushOption {
	return func(c *pushConfig) { c.maxRetryAfter = d }
}

// WithPushTimeout sets the timeout of one request (default 5 s).
func WithPushTimeout(d time.Duration) PushOption { return func(c *pushConfig) { c.timeout = d } }

// WithPushService sets the batch's service, env and version instead of the
// spans' resource (service.name, deployment.environment.name,
// service.version); empty values keep the resource's.
func WithPushService(service, env, version string) PushOption {
	return func(c *pushConfig) { c.meta = batchMeta{service: service, env: env, version: version} }
}

// WithPushLogger logs dropped spans with logger (default slog.Default()).
func WithPushLogger(l *slog.Logger) PushOption { return func(c *pushConfig) { c.logger = l } }

// PushStats are the push exporter's counters since it started.
type PushStats struct {
	// SpansSent were accepted by the server.
	SpansSent uint64
	// SpansDropped were dropped because the queue was full (or the
	// exporter shut down before sending them).
	SpansDropped uint64
	// SpansFailed were given up: answered a status that is not retried
	// (3xx, 4xx other than 429, a 413 for a single span, 501, ...), or
	// failed at the last attempt.
	SpansFailed uint64
	// BatchesSent and BatchesFailed count requests the same way.
	BatchesSent   uint64
	BatchesFailed uint64
	// BatchesSplit counts batches answered 413 (too large) and sent again
	// as two halves.
	BatchesSplit uint64
	// Retries counts attempts after the first.
	Retries uint64
}

// PushExporter is an sdktrace.SpanExporter that sends spans to a Rastir
// server's POST /v1/telemetry in the Python client's JSON format. ExportSpans
// never waits for the network: it encodes the spans and puts them on a
// bounded queue that one goroutine sends from (retrying 429, 5xx and
// network errors with backoff, honouring Retry-After; dropping other 4xx).
// When the queue is full the new spans are dropped, counted in Stats and
// logged.
type PushExporter struct {
	url string
	cfg pushConfig

	queue  chan pushItem
	queued atomic.Int64 // spans on the queue

	sent, dropped, failed      atomic.Uint64
	batchesSent, batchesFailed atomic.Uint64
	batchesSplit               atomic.Uint64
	retries                    atomic.Uint64
	lastDropLog                atomic.Int64
	closed                     atomic.Bool
	sendCtx                    context.Context
	cancelSend                 context.CancelFunc
	done                       chan struct{}
	stopOnce                   sync.Once
	bufPool                    sync.Pool
	exportMu                   sync.Mutex
	resourceMetaCache          *resource.Resource
	resourceMeta               batchMeta
}

type pushItem struct {
	body  *pushBody
	spans int
	flush chan struct{}
}

// pushBody is an encoded batch and where its spans are in it (appendBatch).
type pushBody struct {
	b      []byte
	bounds []int
}

// NewPushExporter returns an exporter that posts to pushURL +
// "/v1/telemetry" (pushURL is the server's base URL, as RASTIR_PUSH_URL; a
// URL already ending in /v1/telemetry is used as it is).
func NewPushExporter(pushURL string, opts ...PushOption) (*PushExporter, error) {
	cfg := pushConfig{
		batchSize:     DefaultPushBatchSize,
		queueSize:     DefaultPushQueueSize,
		maxAttempts:   DefaultPushMaxAttempts,
		backoff:       DefaultPushBackoff,
		maxRetryAfter: DefaultPushMaxRetryAfter,
		timeout:       DefaultPushTimeout,
	}
	for _, o := range opts {
		o(&cfg)
	}
	u, err := url.Parse(strings.TrimSpace(pushURL))
	var errs []error
	if err != nil {
		errs = append(errs, fmt.Errorf("push URL %q: %w", pushURL, err))
	} else if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("push URL %q: want http(s)://host[:port]", pushURL))
	}
	if cfg.batchSize <= 0 {
		errs = append(errs, fmt.Errorf("push batch size %d: must be positive", cfg.batchSize))
	}
	if cfg.queueSize < cfg.batchSize {
		errs = append(errs, fmt.Errorf("push queue size %d: must be at least the batch size", cfg.queueSize))
	}
	if cfg.maxAttempts <= 0 {
		errs = append(errs, fmt.Errorf("push attempts %d: must be positive", cfg.maxAttempts))
	}
	if cfg.backoff < 0 || cfg.timeout <= 0 || cfg.maxRetryAfter < 0 {
		errs = append(errs, errors.New("push backoff, timeout and max Retry-After must not be negative (timeout positive)"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if cfg.client == nil {
		cfg.client = &http.Client{CheckRedirect: noRedirect}
	}
	if cfg.logger == nil {
		cfg.logger = slog.Default()
	}
	target := strings.TrimRight(u.String(), "/")
	if !strings.HasSuffix(target, TelemetryPath) {
		target += TelemetryPath
	}
	e := &PushExporter{
		url:   target,
		cfg:   cfg,
		queue: make(chan pushItem, cfg.queueSize),
		done:  make(chan struct{}),
	}
	e.sendCtx, e.cancelSend = context.WithCancel(context.Background())
	go e.run()
	return e, nil
}

// URL returns the endpoint the exporter posts to.
func (e *PushExporter) URL() string { return e.url }

// Stats returns the exporter's counters.
func (e *PushExporter) Stats() PushStats {
	return PushStats{
		SpansSent:     e.sent.Load(),
		SpansDropped:  e.dropped.Load(),
		SpansFailed:   e.failed.Load(),
		BatchesSent:   e.batchesSent.Load(),
		BatchesFailed: e.batchesFailed.Load(),
		BatchesSplit:  e.batchesSplit.Load(),
		Retries:       e.retries.Load(),
	}
}

// Dropped returns the number of spans dropped because the queue was full
// or the exporter had shut down (Stats' SpansDropped).
func (e *PushExporter) Dropped() uint64 { return e.dropped.Load() }

// ExportSpans encodes spans into batches and queues them; it does not wait
// for the network and never fails (spans that do not fit are dropped and
// counted).
func (e *PushExporter) ExportSpans(_ context.Context, spans []sdktrace.ReadOnlySpan) error {
	if e.closed.Load() {
		e.drop(len(spans))
		return nil
	}
	for len(spans) > 0 {
		// One batch: up to batchSize spans of one resource.
		res := spans[0].Resource()
		n := 1
		for n < len(spans) && n < e.cfg.batchSize && spans[n].Resource() == res {
			n++
		}
		e.enqueue(res, spans[:n])
		spans = spans[n:]
	}
	return nil
}

func (e *PushExporter) enqueue(res *resource.Resource, spans []sdktrace.ReadOnlySpan) {
	n := int64(len(spans))
	if e.queued.Add(n) > int64(e.cfg.queueSize) {
		e.queued.Add(-n)
		e.drop(len(spans))
		return
	}
	bp := e.getBody()
	bp.b, bp.bounds = appendBatch(bp.b, bp.bounds, e.meta(res), spans)
	select {
	case e.queue <- pushItem{body: bp, spans: len(spans)}:
	default:
		// Unreachable while the span count bounds the queue; kept so that
		// ExportSpans can never block.
		e.queued.Add(-n)
		e.bufPool.Put(bp)
		e.drop(len(spans))
	}
}

func (e *PushExporter) getBody() *pushBody {
	bp, _ := e.bufPool.Get().(*pushBody)
	if bp == nil {
		return &pushBody{b: make([]byte, 0, 4096)}
	}
	bp.b, bp.bounds = bp.b[:0], bp.bounds[:0]
	return bp
}

func (e *PushExporter) meta(res *resource.Resource) batchMeta {
	e.exportMu.Lock()
	defer e.exportMu.Unlock()
	if res == e.resourceMetaCache && e.resourceMetaCache != nil {
		return e.resourceMeta
	}
	m := e.cfg.meta
	get := func(k string) string {
		if res == nil {
			return ""
		}
		v, _ := res.Set().Value(attribute.Key(k))
		return v.AsString()
	}
	if m.service == "" {
		m.service = get(vocabulary.ResourceServiceName)
	}
	if m.service == "" {
		m.service = vocabulary.UnknownService
	}
	if m.env == "" {
		m.env = get(vocabulary.ResourceDeploymentEnvironmentName)
	}
	if m.env == "" {
		m.env = get(vocabulary.ResourceDeploymentEnvironment)
	}
	if m.env == "" {
		m.env = vocabulary.UnknownEnv
	}
	if m.version == "" {
		m.version = get(vocabulary.ResourceServiceVersion)
	}
	e.resourceMetaCache, e.resourceMeta = res, m
	return m
}

func (e *PushExporter) drop(n int) {
	total := e.dropped.Add(uint64(n))
	now := time.Now().UnixNano()
	last := e.lastDropLog.Load()
	if now-last >= int64(10*time.Second) && e.lastDropLog.CompareAndSwap(last, now) {
		e.cfg.logger.Warn("rastir push exporter: queue full, spans dropped",
			slog.Int("spans", n), slog.Uint64("dropped_total", total), slog.Int("queue_size", e.cfg.queueSize))
	}
}

func (e *PushExporter) run() {
	defer close(e.done)
	for {
		select {
		case it := <-e.queue:
			if it.flush != nil {
				close(it.flush)
				continue
			}
			if e.sendCtx.Err() != nil {
				// Shut down (the select may take the queue over Done).
				e.queued.Add(-int64(it.spans))
				e.dropped.Add(uint64(it.spans))
				continue
			}
			e.send(it)
		case <-e.sendCtx.Done():
			// Shut down: what is left is dropped.
			for {
				select {
				case it := <-e.queue:
					if it.flush != nil {
						close(it.flush)
						continue
					}
					e.queued.Add(-int64(it.spans))
					e.dropped.Add(uint64(it.spans))
				default:
					return
				}
			}
		}
	}
}

func (e *PushExporter) send(it pushItem) {
	defer func() {
		e.queued.Add(-int64(it.spans))
		e.bufPool.Put(it.body)
	}()
	e.deliver(it.body, it.spans)
}

// deliver posts a batch of n spans, retrying it as the server allows. A
// batch answered 413 goes again as two halves, so that only a span too
// large on its own is lost: the Python client drops the whole batch, but
// its server has no body limit, while the rastir receiver and proxies do.
func (e *PushExporter) deliver(body *pushBody, n int) {
	wait := e.cfg.backoff
	for attempt := 1; ; attempt++ {
		status, retryAfter, err := e.post(body.b)
		if err == nil && status >= 200 && status < 300 {
			e.sent.Add(uint64(n))
			e.batchesSent.Add(1)
			return
		}
		if err == nil && status == http.StatusRequestEntityTooLarge && n > 1 && e.sendCtx.Err() == nil {
			e.batchesSplit.Add(1)
			for _, half := range [2][2]int{{0, n / 2}, {n / 2, n}} {
				part := e.getBody()
				part.b, part.bounds = splitBatch(part.b, part.bounds, body.b, body.bounds, half[0], half[1])
				e.deliver(part, half[1]-half[0])
				e.bufPool.Put(part)
			}
			return
		}
		retryable := err != nil && !errors.Is(err, errRedirected) || status == http.StatusTooManyRequests || status == http.StatusInternalServerError ||
			status == http.StatusBadGateway || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout
		if !retryable || attempt >= e.cfg.maxAttempts || e.sendCtx.Err() != nil {
			e.failed.Add(uint64(n))
			e.batchesFailed.Add(1)
			e.cfg.logger.Warn("rastir push exporter: batch dropped",
				slog.Int("spans", n), slog.Int("status", status), slog.Int("attempts", attempt), slog.Any("error", err))
			return
		}
		d := wait
		if retryAfter > 0 && e.cfg.maxRetryAfter > 0 {
			d = min(retryAfter, e.cfg.maxRetryAfter)
		}
		e.retries.Add(1)
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-e.sendCtx.Done():
			t.Stop()
		}
		wait *= 2
	}
}

// post sends one body and returns the status and the Retry-After wait.
func (e *PushExporter) post(body []byte) (int, time.Duration, error) {
	ctx, cancel := context.WithTimeout(e.sendCtx, e.cfg.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url, bytes.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "otelcol-rastir-sdk-go/"+Version)
	if e.cfg.apiKey != "" {
		req.Header.Set(APIKeyHeader, e.cfg.apiKey)
	}
	resp, err := e.cfg.client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	if resp.Request != nil && resp.Request.Method != http.MethodPost {
		// A client that follows redirects turned the POST into a GET
		// (301, 302, 303): whatever it answered, the spans went nowhere.
		return resp.StatusCode, 0, fmt.Errorf("%w to %s %s", errRedirected, resp.Request.Method, resp.Request.URL.Redacted())
	}
	return resp.StatusCode, retryAfter(resp.Header.Get("Retry-After"), time.Now()), nil
}

// errRedirected fails a batch whose POST a redirect turned into another
// method; sending it again would go the same way.
var errRedirected = errors.New("push redirected")

// noRedirect makes the exporter's own client answer a redirect with the
// redirect itself, which fails the batch: a POST sent on as a GET (301,
// 302, 303) would carry no spans, and Go's client passes the X-API-Key
// header on to whatever host the redirect names.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// retryAfter parses a Retry-After value: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
		if s <= 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// ForceFlush waits until everything queued before the call was sent (or
// given up), or ctx ends.
func (e *PushExporter) ForceFlush(ctx context.Context) error {
	if e.closed.Load() {
		return nil
	}
	return e.flush(ctx)
}

func (e *PushExporter) flush(ctx context.Context) error {
	marker := pushItem{flush: make(chan struct{})}
	select {
	case e.queue <- marker:
	case <-ctx.Done():
		return ctx.Err()
	case <-e.done:
		return nil
	}
	select {
	case <-marker.flush:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-e.done:
		return nil
	}
}

// Shutdown sends what is queued, waiting at most until ctx ends (then the
// rest is dropped and counted), and stops the exporter. Spans exported
// after it are dropped.
func (e *PushExporter) Shutdown(ctx context.Context) error {
	var err error
	e.stopOnce.Do(func() {
		e.closed.Store(true)
		err = e.flush(ctx)
		e.cancelSend()
		<-e.done
	})
	return err
}

var _ sdktrace.SpanExporter = (*PushExporter)(nil)
