package rastirreceiver

import (
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/rastirjson"
	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	"github.com/otelcol-rastir/otelcol-rastir/receiver/rastirreceiver/internal/pipelineerror"
	"github.com/otelcol-rastir/otelcol-rastir/receiver/rastirreceiver/internal/ratelimit"
)

// Attribute keys and values of the receiver's own telemetry
// (metadata.yaml).
const (
	telemetryAttrDimension = "dimension"
	telemetryAttrReason    = "reason"

	dimensionIP      = "ip"
	dimensionService = "service"

	reasonInvalid  = "invalid"
	reasonTooLarge = "too_large"
	reasonTimeout  = "timeout"
	reasonPipeline = "pipeline"
	// reasonTenant: the tenant header names a tenant bound to API keys,
	// and the request has none of them.
	reasonTenant = "tenant"
)

// formatRastirJSON names the wire format in the collector's receiver
// telemetry.
const formatRastirJSON = "rastir_json"

// detailNoTracesPipeline answers the spans of a receiver that is in no
// traces pipeline (only in a metrics one), and readyNoTracesPipeline is
// /ready's reason for it.
const (
	detailNoTracesPipeline = "No traces pipeline receives the spans of this receiver"
	readyNoTracesPipeline  = "no_traces_pipeline"
)

// maxPooledBuffer keeps one huge request from pinning its buffer forever.
const maxPooledBuffer = 1 << 20

// maxBodyPrealloc bounds the room made for a body before it arrives: its
// Content-Length is only the client's word (a Rastir batch of 100 spans is
// about 50 KiB; a larger body grows the buffer as it comes).
const maxBodyPrealloc = 64 << 10

// bodyBuffers is a free list of request body buffers. Not a sync.Pool: a
// pool is emptied by every second garbage collection, which under load
// comes dozens of times a second, and each new buffer regrows to the body
// size.
type bodyBuffers chan *bytes.Buffer

func newBodyBuffers() bodyBuffers { return make(bodyBuffers, 4*runtime.GOMAXPROCS(0)) }

func (bb bodyBuffers) get() *bytes.Buffer {
	select {
	case b := <-bb:
		return b
	default:
		return new(bytes.Buffer)
	}
}

func (bb bodyBuffers) put(b *bytes.Buffer) {
	if b.Cap() > maxPooledBuffer {
		return
	}
	b.Reset()
	select {
	case bb <- b:
	default:
	}
}

// handleTelemetry is POST /v1/telemetry: read, decode, rate-limit, tag the
// tenant, hand the batch to the pipeline, answer.
func (r *rastirReceiver) handleTelemetry(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost {
		methodNotAllowed(w, http.MethodPost)
		return
	}
	if r.next == nil {
		// Every 503 carries Retry-After, so that clients pace their retries.
		w.Header().Set("Retry-After", strconv.Itoa(ratelimit.RetryAfterSeconds(r.cfg.RetryAfter)))
		writeDetail(w, http.StatusServiceUnavailable, detailNoTracesPipeline, nil)
		return
	}
	tenant := ""
	if r.tenantsByKey != nil {
		var ok bool
		if tenant, ok = r.tenantOf(req); !ok {
			r.countRefused(req, reasonTenant)
			writeDetail(w, http.StatusForbidden, "Tenant "+strconv.Quote(tenant)+
				" is bound to API keys (tenancy.api_keys), and this request has none of them", nil)
			return
		}
	}
	buf := r.bodies.get()
	defer r.bodies.put(buf)
	if req.ContentLength > 0 && req.ContentLength <= r.cfg.MaxRequestBodySize {
		buf.Grow(int(min(req.ContentLength, maxBodyPrealloc)))
	}
	if _, err := buf.ReadFrom(req.Body); err != nil {
		r.refuseUnreadable(w, req, err)
		return
	}

	td, err := r.decoder.Decode(buf.Bytes())
	if err != nil {
		r.countRefused(req, reasonInvalid)
		var de *rastirjson.Error
		if errors.As(err, &de) {
			writeDetail(w, http.StatusBadRequest, de.Detail, reasonField(de.Reason))
			return
		}
		writeDetail(w, http.StatusBadRequest, rastirjson.DetailInvalidJSON, reasonField(err.Error()))
		return
	}
	resource := td.ResourceSpans().At(0).Resource().Attributes()
	// Read now: once handed on, the batch is the pipeline's, which may
	// rewrite it or still hold it when it answers.
	service := resourceString(resource, vocabulary.ResourceServiceName)
	env := resourceString(resource, vocabulary.ResourceDeploymentEnvironmentName)

	if r.ipLimiter != nil {
		now := time.Now()
		ipTaken, delay := r.ipLimiter.Reserve(clientIP(req), now)
		if ipTaken == nil {
			r.rateLimited(w, req, dimensionIP, delay)
			return
		}
		if ok, delay := r.serviceLimiter.Allow(service, now); !ok {
			// A refused request uses no quota.
			ipTaken.CancelAt(now)
			r.rateLimited(w, req, dimensionService, delay)
			return
		}
	}
	if r.tenantsByKey != nil {
		resource.PutStr(vocabulary.ResourceTenant, tenant)
	}

	spanCount := td.SpanCount()
	ctx := r.obsrecv.StartTracesOp(req.Context())
	err = r.next.ConsumeTraces(ctx, td)
	r.obsrecv.EndTracesOp(ctx, formatRastirJSON, spanCount, err)
	if err != nil {
		answer := pipelineerror.For(err)
		r.countRefused(req, reasonPipeline)
		if answer.Retryable() {
			// Only a pipeline that may take the batch later is short of
			// capacity; a permanent rejection is about the batch.
			r.ready.refused(time.Now(), err.Error())
			r.counters.rejected(service, env)
			w.Header().Set("Retry-After", strconv.Itoa(ratelimit.RetryAfterSeconds(r.cfg.RetryAfter)))
		}
		writeDetail(w, answer.Status, answer.Detail, nil)
		return
	}
	r.ready.accepted()
	r.counters.acceptedSpans.Add(int64(spanCount))
	writeAccepted(w, spanCount)
}

// refuseUnreadable answers a body that could not be read: too large (413),
// too slow (408), or cut off (400).
func (r *rastirReceiver) refuseUnreadable(w http.ResponseWriter, req *http.Request, err error) {
	var tooLarge *http.MaxBytesError
	var netErr net.Error
	switch {
	case errors.As(err, &tooLarge):
		r.countRefused(req, reasonTooLarge)
		writeDetail(w, http.StatusRequestEntityTooLarge,
			"Request body too large: the limit is "+strconv.FormatInt(tooLarge.Limit, 10)+" bytes (max_request_body_size)", nil)
	case errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		r.countRefused(req, reasonTimeout)
		w.Header().Set("Connection", "close")
		writeDetail(w, http.StatusRequestTimeout, "Request body not received in time (read_timeout)", nil)
	default:
		r.countRefused(req, reasonInvalid)
		writeDetail(w, http.StatusBadRequest, "Could not read the request body", reasonField(err.Error()))
	}
}

func (r *rastirReceiver) rateLimited(w http.ResponseWriter, req *http.Request, dimension string, delay time.Duration) {
	r.counters.rateLimited(dimension)
	r.telemetry.ReceiverRastirRateLimitedRequests.Add(req.Context(), 1,
		metric.WithAttributeSet(attribute.NewSet(attribute.String(telemetryAttrDimension, dimension))))
	w.Header().Set("Retry-After", strconv.Itoa(ratelimit.RetryAfterSeconds(delay)))
	writeDetail(w, http.StatusTooManyRequests, "Rate limited ("+dimension+")", nil)
}

func (r *rastirReceiver) countRefused(req *http.Request, reason string) {
	r.telemetry.ReceiverRastirRefusedRequests.Add(req.Context(), 1, reasonAttr(reason))
}

func reasonAttr(reason string) metric.AddOption {
	return metric.WithAttributeSet(attribute.NewSet(attribute.String(telemetryAttrReason, reason)))
}

// tenantOf names the request's tenant: the tenant bound to its API key, else
// its tenant header, else the default tenant. ok is false when the header
// names a tenant bound to API keys (only those keys file spans under it).
func (r *rastirReceiver) tenantOf(req *http.Request) (tenant string, ok bool) {
	if key := req.Header.Get(r.cfg.Tenancy.APIKeyHeader); key != "" {
		if tenant, ok := r.tenantsByKey[key]; ok {
			return tenant, true
		}
	}
	if tenant := req.Header.Get(r.cfg.Tenancy.Header); tenant != "" {
		_, bound := r.boundTenants[tenant]
		return tenant, !bound
	}
	return r.cfg.Tenancy.DefaultTenant, true
}

func (r *rastirReceiver) handleReady(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		methodNotAllowed(w, "GET, HEAD")
		return
	}
	if r.next == nil {
		writeJSON(w, http.StatusServiceUnavailable, readyBody{Status: "not_ready", Reasons: []string{readyNoTracesPipeline}})
		return
	}
	if ok, reason := r.ready.state(time.Now()); !ok {
		writeJSON(w, http.StatusServiceUnavailable, readyBody{Status: "not_ready", Reasons: []string{"pipeline_refusing: " + reason}})
		return
	}
	writeJSON(w, http.StatusOK, readyBody{Status: "ready"})
}

// handleServerError answers errors raised before the handler runs (for
// example an unsupported Content-Encoding) in Rastir's error shape. A body
// that could not be decompressed is an invalid batch and is counted as one.
func (r *rastirReceiver) handleServerError(w http.ResponseWriter, req *http.Request, msg string, status int) {
	if status == http.StatusBadRequest && strings.HasSuffix(msg, errSnappyTooLarge) {
		// confighttp refuses a snappy block that would decode past the
		// limit before decoding it, by a message alone: answered as any
		// body past the limit.
		r.refuseUnreadable(w, req, &http.MaxBytesError{Limit: r.cfg.MaxRequestBodySize})
		return
	}
	if status == http.StatusBadRequest && req.URL.Path == pathTelemetry {
		r.countRefused(req, reasonInvalid)
	}
	r.settings.Logger.Debug("request refused by the HTTP server", zap.String("path", req.URL.Path), zap.String("error", msg))
	writeDetail(w, status, msg, nil)
}

func handleHealth(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		methodNotAllowed(w, "GET, HEAD")
		return
	}
	writeJSON(w, http.StatusOK, healthBody{Status: "ok"})
}

func handleNotFound(w http.ResponseWriter, _ *http.Request) {
	writeDetail(w, http.StatusNotFound, "Not Found", nil)
}

func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	writeDetail(w, http.StatusMethodNotAllowed, "Method Not Allowed", nil)
}

type healthBody struct {
	Status string `json:"status"`
}

type readyBody struct {
	Status  string   `json:"status"`
	Reasons []string `json:"reasons,omitempty"`
}

// detailBody is the FastAPI error shape Rastir clients know, plus an
// optional reason that explains the detail.
type detailBody struct {
	Detail string  `json:"detail"`
	Reason *string `json:"reason,omitempty"`
}

func reasonField(reason string) *string {
	if reason == "" {
		return nil
	}
	return &reason
}

func writeDetail(w http.ResponseWriter, status int, detail string, reason *string) {
	writeJSON(w, status, detailBody{Detail: detail, Reason: reason})
}

// jsonContentType is shared by every answer: net/http only reads it.
var jsonContentType = []string{"application/json"}

// writeAccepted is the 202 answer, {"status":"accepted","spans_received":N},
// built without reflection or allocation: it is written once per batch.
func writeAccepted(w http.ResponseWriter, spans int) {
	var buf [64]byte
	b := append(buf[:0], `{"status":"accepted","spans_received":`...)
	b = strconv.AppendInt(b, int64(spans), 10)
	b = append(b, '}')
	w.Header()["Content-Type"] = jsonContentType
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write(b)
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	b, err := json.Marshal(body)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"detail":"Internal Server Error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// resourceString is a resource attribute as a label value ("" when absent).
func resourceString(resource pcommon.Map, key string) string {
	v, ok := resource.Get(key)
	if !ok {
		return ""
	}
	return v.AsString()
}
