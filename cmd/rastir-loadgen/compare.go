package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// defaultConfig is otelcol-rastir's default configuration, relative to the
// repository root.
const defaultConfig = "config/otelcol-rastir.yaml"

// compareFlags are the flags of `compare`.
type compareFlags struct {
	bin         string
	config      string
	fixtures    string
	concurrency int
	warmup      time.Duration
	duration    time.Duration
	settle      time.Duration
	rounds      int
	keep        bool
}

// ports are the listening ports of one collector under test.
type ports struct {
	ingest, otlpGRPC, otlpHTTP, prometheus, telemetry, health int
}

// pipelineSpec is one side of the comparison: how to configure the
// collector and what to send it.
type pipelineSpec struct {
	name    string
	mode    string
	batches []batch
	// counter counts, on the pipeline's prometheus exporter, every span
	// it derived metrics from.
	counter string
	// setup writes the collector's configuration into dir and returns
	// its path and the environment it needs.
	setup func(dir string, p ports) (config string, env []string, err error)
}

// pipelineResult is what compare measured for one pipeline.
type pipelineResult struct {
	spec          *pipelineSpec
	max, half     *result
	acceptedSpans int64 // warm-up, max and half rate runs together
	errors        int64
	downstream    float64
	downstreamErr error
	rss           int64
	rssErr        error
}

func compareCommand(args []string, out io.Writer) error {
	var f compareFlags
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.StringVar(&f.bin, "bin", "", "otelcol-rastir binary (required; `make build` writes _build/otelcol-rastir)")
	fs.StringVar(&f.config, "config", "", "otelcol-rastir default configuration (default: "+defaultConfig+" of the repository)")
	fs.StringVar(&f.fixtures, "fixtures", "", "directory of Rastir batches (default: "+fixtureDir+" of the repository)")
	fs.IntVar(&f.concurrency, "concurrency", 8, "concurrent workers, each on its own keep-alive connection")
	fs.DurationVar(&f.warmup, "warmup", 3*time.Second, "unmeasured full-speed run after start-up")
	fs.DurationVar(&f.duration, "duration", 10*time.Second, "length of the max-rate run and of the half-rate run")
	fs.DurationVar(&f.settle, "settle", 11*time.Second, "how long the downstream counter must stay unchanged (> 2 span_metrics flush intervals)")
	fs.IntVar(&f.rounds, "rounds", 3, "rounds of both pipelines (fresh processes, order alternating); the table shows medians")
	fs.BoolVar(&f.keep, "keep", false, "keep the temporary configurations and collector logs")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: rastir-loadgen compare --bin <otelcol-rastir> [flags]

Starts the binary twice, one after the other, each on its own temporary
configuration with free ports:
  (a) otelcol-rastir default pipeline: config/otelcol-rastir.yaml as is
      (at the time of writing: rastir -> memory_limiter -> llm_enrich ->
      cardinality -> spanmetricsllm + forward -> debug, prometheus
      exporter), fed Rastir JSON on
      POST /v1/telemetry;
  (b) stock baseline: otlp (HTTP) -> memory_limiter -> batch -> span_metrics
      -> prometheus, fed OTLP/HTTP JSON of the same spans on POST /v1/traces.
For each: a warm-up, a max-rate run, a run at half the max rate, the spans
counted downstream by the span metrics connector and the peak RSS. All of it is repeated
for -rounds rounds, alternating which pipeline goes first, and the table
shows the median of each figure (the maximum for peak RSS), so that a burst
of other work on the machine moves it less.

flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if f.bin == "" {
		fs.Usage()
		return errors.New("-bin is required")
	}
	if f.concurrency < 1 || f.duration <= 0 || f.rounds < 1 {
		return errors.New("need -concurrency ≥ 1, -duration > 0 and -rounds ≥ 1")
	}
	if f.config == "" {
		var err error
		if f.config, err = repoPath(defaultConfig); err != nil {
			return fmt.Errorf("%w; pass -config", err)
		}
	}
	defaultYAML, err := os.ReadFile(f.config)
	if err != nil {
		return err
	}
	if err := checkPortVariables(string(defaultYAML)); err != nil {
		return fmt.Errorf("%s: %w", f.config, err)
	}
	rastirBatches, err := loadFixtures(f.fixtures, modeRastir)
	if err != nil {
		return err
	}
	otlpBatches, err := loadFixtures(f.fixtures, modeOTLP)
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	specs := []*pipelineSpec{
		{name: "otelcol-rastir default", mode: modeRastir, batches: rastirBatches, counter: spansIngestedMetric, setup: oursSetup(defaultYAML)},
		{name: "stock otlp baseline", mode: modeOTLP, batches: otlpBatches, counter: callsMetric, setup: stockSetup},
	}
	fmt.Fprintf(out, "compare: %d CPUs (GOMAXPROCS %d), load generator on the same CPUs; %d fixture batches, %d spans per pass (%s bytes as Rastir JSON, %s as OTLP JSON); concurrency %d, warm-up %s, runs of %s, %d rounds\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), len(rastirBatches), totalSpans(rastirBatches),
		thousands(totalBytes(rastirBatches)), thousands(totalBytes(otlpBatches)), f.concurrency, f.warmup, f.duration, f.rounds)
	results := make([][]*pipelineResult, len(specs))
	for round := range f.rounds {
		for k := range specs {
			// Alternate the order, so that a drift of the machine's
			// load does not favour one side.
			i := k
			if round%2 == 1 {
				i = len(specs) - 1 - k
			}
			label := fmt.Sprintf("%d/%d %s", round+1, f.rounds, specs[i].name)
			r, err := measurePipeline(ctx, specs[i], label, &f, out)
			if err != nil {
				return fmt.Errorf("%s: %w", specs[i].name, err)
			}
			results[i] = append(results[i], r)
		}
	}
	printComparison(out, summarize(results[0]), summarize(results[1]))
	return nil
}

// portVariables are the variables through which the default
// configuration's ports can be moved.
var portVariables = []string{
	"RASTIR_SERVER_PORT",
	"OTELCOL_RASTIR_OTLP_GRPC_PORT",
	"OTELCOL_RASTIR_OTLP_HTTP_PORT",
	"OTELCOL_RASTIR_PROMETHEUS_PORT",
	"OTELCOL_RASTIR_TELEMETRY_PORT",
	"OTELCOL_RASTIR_HEALTH_CHECK_PORT",
}

// checkPortVariables refuses a default configuration that hard-codes a
// port: the benchmark instance would clash with a running collector.
func checkPortVariables(yaml string) error {
	for _, v := range portVariables {
		if !strings.Contains(yaml, "${env:"+v+":-") {
			return fmt.Errorf("does not read its port from ${env:%s:-...}", v)
		}
	}
	return nil
}

// oursSetup runs the default configuration unchanged (a copy, for the
// record), moving its ports with environment variables.
func oursSetup(defaultYAML []byte) func(string, ports) (string, []string, error) {
	return func(dir string, p ports) (string, []string, error) {
		path := filepath.Join(dir, "otelcol-rastir.yaml")
		if err := os.WriteFile(path, defaultYAML, 0o600); err != nil {
			return "", nil, err
		}
		env := []string{
			"RASTIR_SERVER_HOST=127.0.0.1",
			"RASTIR_SERVER_RATE_LIMIT_ENABLED=false",
			"RASTIR_SERVER_MULTI_TENANT_ENABLED=false",
		}
		for i, port := range []int{p.ingest, p.otlpGRPC, p.otlpHTTP, p.prometheus, p.telemetry, p.health} {
			env = append(env, portVariables[i]+"="+strconv.Itoa(port))
		}
		return path, env, nil
	}
}

// stockConfig is the baseline: what a stock collector needs to turn OTLP
// spans into span metrics (the stock span_metrics connector). Its
// memory_limiter settings are those of config/otelcol-rastir.yaml, and it
// exposes its own telemetry the same way.
const stockConfig = `# Stock baseline of rastir-loadgen compare.
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:%[1]d
processors:
  memory_limiter:
    check_interval: 1s
    limit_percentage: 80
    spike_limit_percentage: 20
  batch: {}
connectors:
  span_metrics:
    metrics_flush_interval: 5s
exporters:
  prometheus:
    endpoint: 127.0.0.1:%[2]d
service:
  telemetry:
    metrics:
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: %[3]d
  pipelines:
    traces:
      receivers: [otlp]
      processors: [memory_limiter, batch]
      exporters: [span_metrics]
    metrics:
      receivers: [span_metrics]
      exporters: [prometheus]
`

func stockSetup(dir string, p ports) (string, []string, error) {
	path := filepath.Join(dir, "stock.yaml")
	cfg := fmt.Sprintf(stockConfig, p.ingest, p.prometheus, p.telemetry)
	return path, nil, os.WriteFile(path, []byte(cfg), 0o600)
}

// measurePipeline starts the collector of spec and runs the warm-up, the
// max-rate run and the half-rate run against it.
// label names the pipeline and round in progress lines.
func measurePipeline(ctx context.Context, spec *pipelineSpec, label string, f *compareFlags, out io.Writer) (*pipelineResult, error) {
	dir, err := os.MkdirTemp("", "rastir-loadgen-")
	if err != nil {
		return nil, err
	}
	if f.keep {
		fmt.Fprintf(out, "[%s] configuration and log kept in %s\n", label, dir)
	} else {
		defer os.RemoveAll(dir)
	}
	free, err := freePorts(6)
	if err != nil {
		return nil, err
	}
	p := ports{ingest: free[0], otlpGRPC: free[1], otlpHTTP: free[2], prometheus: free[3], telemetry: free[4], health: free[5]}
	config, env, err := spec.setup(dir, p)
	if err != nil {
		return nil, err
	}
	proc, err := startCollector(f.bin, config, env, filepath.Join(dir, "collector.log"))
	if err != nil {
		return nil, err
	}
	defer func() { _ = proc.stop() }()
	if err := proc.waitListening(60*time.Second, hostPort(p.ingest), hostPort(p.prometheus)); err != nil {
		return nil, err
	}

	tgt := endpoint(spec.mode, "", hostPort(p.ingest), hostPort(p.ingest))
	client := newClient(f.concurrency)
	loadClient := newLoadClient(f.concurrency)
	res := &pipelineResult{spec: spec}
	phase := func(name string, d time.Duration, rate float64) (*result, error) {
		r := tgt.load(spec.batches, f.concurrency, d, rate).run(ctx, loadClient, proc.pid())
		res.acceptedSpans += r.acceptedSpans
		res.errors += r.errorCount()
		fmt.Fprintf(out, "[%s] %-7s %9s spans/s (target %s)  p50 %s  p99 %s",
			label, name, thousands(int64(r.spansPerSecond())), rateLabel(rate),
			ms(percentile(r.latencies, 50)), ms(percentile(r.latencies, 99)))
		if len(r.dueLatencies) > 0 {
			fmt.Fprintf(out, " (from due time %s)", ms(percentile(r.dueLatencies, 99)))
		}
		fmt.Fprintf(out, "  errors %s\n", r.errorSummary())
		if r.cpuErr == nil {
			fmt.Fprintf(out, "[%s] %-7s %s\n", label, "", r.cpu)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := proc.exited(); err != nil {
			return nil, err
		}
		if r.acceptedSpans == 0 {
			return nil, fmt.Errorf("no span accepted (errors %s %s):\n%s", r.errorSummary(), r.firstErr, proc.logTail(30))
		}
		return r, nil
	}
	if f.warmup > 0 {
		if _, err := phase("warm-up", f.warmup, 0); err != nil {
			return nil, err
		}
	}
	if res.max, err = phase("max", f.duration, 0); err != nil {
		return nil, err
	}
	if res.half, err = phase("half", f.duration, res.max.spansPerSecond()/2); err != nil {
		return nil, err
	}
	metricsURL := "http://" + hostPort(p.prometheus) + "/metrics"
	res.downstream, res.downstreamErr = settle(ctx, client, metricsURL, spec.counter, f.settle, 2*time.Minute)
	res.rss, res.rssErr = peakRSS(proc.pid())
	if err := proc.stop(); err != nil {
		fmt.Fprintf(out, "[%s] %v\n", label, err)
	}
	return res, nil
}

func totalBytes(batches []batch) int64 {
	var n int64
	for _, b := range batches {
		n += int64(len(b.body))
	}
	return n
}
