package rastirreceiver

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.uber.org/zap"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	"github.com/otelcol-rastir/otelcol-rastir/receiver/rastirreceiver/internal/metadata"
)

// maxRejectionSeries bounds the (service, env) pairs counted by
// rastir_ingestion_rejections_total: both come from the client, so a client
// inventing services must not grow the receiver's memory. Pairs beyond it
// are counted under the overflow value.
const maxRejectionSeries = 1000

type serviceEnv struct{ service, env string }

// operationalCounters are what the receiver alone knows of Rastir's
// operational families (spec §3.5-3.7): batches the pipeline refused, rate
// limited requests, and the spans handed on.
type operationalCounters struct {
	mu         sync.Mutex
	rejections map[serviceEnv]int64

	rateLimitedIP, rateLimitedService atomic.Int64
	acceptedSpans                     atomic.Int64
}

func newOperationalCounters() *operationalCounters {
	return &operationalCounters{rejections: make(map[serviceEnv]int64)}
}

func (c *operationalCounters) rejected(service, env string) {
	key := serviceEnv{service, env}
	c.mu.Lock()
	if _, ok := c.rejections[key]; !ok && len(c.rejections) >= maxRejectionSeries {
		key = serviceEnv{vocabulary.OverflowValue, vocabulary.OverflowValue}
	}
	c.rejections[key]++
	c.mu.Unlock()
}

func (c *operationalCounters) rateLimited(dimension string) {
	if dimension == dimensionIP {
		c.rateLimitedIP.Add(1)
		return
	}
	c.rateLimitedService.Add(1)
}

// operationalEmitter sends the operational families to the metrics
// pipeline every interval, as cumulative sums and a rate gauge.
type operationalEmitter struct {
	counters         *operationalCounters
	builder          *metadata.MetricsBuilder
	next             consumer.Metrics
	interval         time.Duration
	rateLimitEnabled bool
	logger           *zap.Logger

	lastEmit     time.Time
	lastAccepted int64

	stop chan struct{}
	done chan struct{}
}

func (e *operationalEmitter) start(now time.Time) {
	e.lastEmit = now
	e.stop, e.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(e.done)
		ticker := time.NewTicker(e.interval)
		defer ticker.Stop()
		for {
			select {
			case <-e.stop:
				return
			case t := <-ticker.C:
				e.emit(context.Background(), t)
			}
		}
	}()
}

func (e *operationalEmitter) shutdown() {
	if e.stop == nil {
		return
	}
	close(e.stop)
	<-e.done
}

// emit records one point per series and hands the result on.
func (e *operationalEmitter) emit(ctx context.Context, now time.Time) {
	ts := pcommon.NewTimestampFromTime(now)

	accepted := e.counters.acceptedSpans.Load()
	if elapsed := now.Sub(e.lastEmit).Seconds(); elapsed > 0 {
		// Rastir rounds the rate to two decimals.
		rate := math.Round(float64(accepted-e.lastAccepted)/elapsed*100) / 100
		e.builder.RecordRastirIngestionRateDataPoint(ts, rate)
	}
	e.lastEmit, e.lastAccepted = now, accepted

	e.counters.mu.Lock()
	for key, n := range e.counters.rejections {
		e.builder.RecordRastirIngestionRejectionsTotalDataPoint(ts, n, key.service, key.env)
	}
	e.counters.mu.Unlock()

	if e.rateLimitEnabled {
		// Like Rastir's labelled counter, a dimension appears once counted.
		if n := e.counters.rateLimitedIP.Load(); n > 0 {
			e.builder.RecordRastirRateLimitedTotalDataPoint(ts, n, metadata.AttributeDimensionIP)
		}
		if n := e.counters.rateLimitedService.Load(); n > 0 {
			e.builder.RecordRastirRateLimitedTotalDataPoint(ts, n, metadata.AttributeDimensionService)
		}
	}
	md := e.builder.Emit()
	if md.DataPointCount() == 0 {
		return
	}
	if err := e.next.ConsumeMetrics(ctx, md); err != nil {
		e.logger.Warn("the metrics pipeline refused the operational metrics", zap.Error(err))
	}
}
