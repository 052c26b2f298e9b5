package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"
)

// runFlags are the flags of `run`.
type runFlags struct {
	mode        string
	url         string
	fixtures    string
	concurrency int
	duration    time.Duration
	warmup      time.Duration
	rate        float64
	metricsURL  string
	counter     string
	settle      time.Duration
	pid         int
	cpuProfile  string
}

func runCommand(args []string, out io.Writer) error {
	var f runFlags
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.StringVar(&f.mode, "mode", modeRastir, "wire format: rastir (POST /v1/telemetry) or otlp (POST /v1/traces, JSON)")
	fs.StringVar(&f.url, "url", "", "target URL (default http://127.0.0.1:8080/v1/telemetry, or http://127.0.0.1:4318/v1/traces with -mode otlp)")
	fs.StringVar(&f.fixtures, "fixtures", "", "directory of Rastir batches (default: "+fixtureDir+" of the repository)")
	fs.IntVar(&f.concurrency, "concurrency", 8, "concurrent workers, each on its own keep-alive connection")
	fs.DurationVar(&f.duration, "duration", 15*time.Second, "length of the measured run")
	fs.DurationVar(&f.warmup, "warmup", 0, "unmeasured run at full speed before the measured one")
	fs.Float64Var(&f.rate, "rate", 0, "target rate in spans/s (0: as fast as the collector answers)")
	fs.StringVar(&f.metricsURL, "metrics-url", "http://localhost:9464/metrics", "prometheus exporter to read spans counted downstream from (empty: skip)")
	fs.StringVar(&f.counter, "counter", spansIngestedMetric, "counter of spans on -metrics-url ("+spansIngestedMetric+" of the default config; "+callsMetric+" of a stock span_metrics connector)")
	fs.DurationVar(&f.settle, "settle", 11*time.Second, "how long the downstream counter must stay unchanged (> 2 span_metrics flush intervals)")
	fs.IntVar(&f.pid, "pid", 0, "collector process id, to report its peak RSS (VmHWM)")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "write the load generator's own CPU profile of the measured run to this file")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: rastir-loadgen run [flags]

Replays the Rastir client's batches against a running collector and prints
the accepted spans/s, the request latency, the errors by status, the spans
counted downstream (-counter on the prometheus exporter) and, with
-pid, the collector's peak RSS. With -rate the sends are paced in spans/s.

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
	if f.concurrency < 1 || f.duration <= 0 || f.rate < 0 {
		return errors.New("need -concurrency ≥ 1, -duration > 0 and -rate ≥ 0")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	batches, err := loadFixtures(f.fixtures, f.mode)
	if err != nil {
		return err
	}
	target := endpoint(f.mode, f.url, "127.0.0.1:8080", "127.0.0.1:4318")
	client := newClient(f.concurrency)
	loadClient := newLoadClient(f.concurrency)
	fmt.Fprintf(out, "mode %s  url %s  %d batches (%d spans per pass)  concurrency %d  duration %s  rate %s\n",
		f.mode, target.url, len(batches), totalSpans(batches), f.concurrency, f.duration, rateLabel(f.rate))

	var before float64
	haveBefore := false
	if f.metricsURL != "" {
		before, err = scrape(ctx, client, f.metricsURL, f.counter)
		haveBefore = err == nil
	}
	var accepted int64
	if f.warmup > 0 {
		w := target.load(batches, f.concurrency, f.warmup, 0).run(ctx, loadClient, f.pid)
		accepted += w.acceptedSpans
		fmt.Fprintf(out, "warm-up: %s spans/s, errors %s\n", thousands(int64(w.spansPerSecond())), w.errorSummary())
	}
	stopProfile, err := startCPUProfile(f.cpuProfile)
	if err != nil {
		return err
	}
	r := target.load(batches, f.concurrency, f.duration, f.rate).run(ctx, loadClient, f.pid)
	if err := stopProfile(); err != nil {
		return err
	}
	accepted += r.acceptedSpans
	printResult(out, r)
	switch {
	case r.cpuErr != nil:
		fmt.Fprintf(out, "CPU: unavailable (%v)\n", r.cpuErr)
	case f.pid > 0:
		fmt.Fprintf(out, "%s; %s spans/s per collector core\n", r.cpu, thousands(int64(r.spansPerCollectorCore())))
	default:
		fmt.Fprintf(out, "CPU: load generator %.2f cores, other processes (collector included) %.2f cores\n", r.cpu.loadgen, r.cpu.other)
	}
	if r.acceptedSpans == 0 {
		return errors.New("no span accepted")
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	if f.metricsURL != "" {
		after, err := settle(ctx, client, f.metricsURL, f.counter, f.settle, 2*time.Minute)
		switch {
		case err != nil:
			fmt.Fprintf(out, "downstream: unavailable (%v)\n", err)
		case haveBefore:
			fmt.Fprintf(out, "downstream: %s spans counted downstream, %s accepted (warm-up included)\n",
				thousands(int64(after-before)), thousands(accepted))
		default:
			fmt.Fprintf(out, "downstream: %s spans counted by span_metrics in total, %s accepted by this run\n",
				thousands(int64(after)), thousands(accepted))
		}
	}
	if f.pid > 0 {
		if rss, err := peakRSS(f.pid); err != nil {
			fmt.Fprintf(out, "peak RSS: unavailable (%v)\n", err)
		} else {
			fmt.Fprintf(out, "peak RSS: %s\n", mib(rss))
		}
	}
	return nil
}

// loadFixtures reads the batches from dir, or from the repository's
// fixtures when dir is empty.
func loadFixtures(dir, mode string) ([]batch, error) {
	if dir == "" {
		var err error
		if dir, err = repoPath(fixtureDir); err != nil {
			return nil, fmt.Errorf("%w; pass -fixtures", err)
		}
	}
	return loadBatches(dir, mode)
}

// target is where and how a mode sends.
type target struct {
	url         string
	contentType string
}

// endpoint is the target of mode: url if set, else the default address of
// that mode's receiver.
func endpoint(mode, url, rastirAddr, otlpAddr string) target {
	if mode == modeOTLP {
		if url == "" {
			url = "http://" + otlpAddr + "/v1/traces"
		}
		return target{url: url, contentType: "application/json"}
	}
	if url == "" {
		url = "http://" + rastirAddr + "/v1/telemetry"
	}
	return target{url: url, contentType: "application/json"}
}

func (t target) load(batches []batch, concurrency int, d time.Duration, rate float64) *load {
	return &load{url: t.url, contentType: t.contentType, batches: batches, concurrency: concurrency, duration: d, rate: rate}
}

func rateLabel(rate float64) string {
	if rate == 0 {
		return "max"
	}
	return thousands(int64(rate)) + " spans/s"
}

func printResult(out io.Writer, r *result) {
	fmt.Fprintf(out, "accepted: %s spans in %s requests over %s = %s spans/s (target %s)\n",
		thousands(r.acceptedSpans), thousands(r.acceptedReqs), r.elapsed.Round(time.Millisecond),
		thousands(int64(r.spansPerSecond())), rateLabel(r.targetRate))
	fmt.Fprintf(out, "latency (send to answer): p50 %s  p99 %s  max %s\n",
		ms(percentile(r.latencies, 50)), ms(percentile(r.latencies, 99)), ms(percentile(r.latencies, 100)))
	if len(r.dueLatencies) > 0 {
		fmt.Fprintf(out, "latency (due time to answer): p50 %s  p99 %s  max %s\n",
			ms(percentile(r.dueLatencies, 50)), ms(percentile(r.dueLatencies, 99)), ms(percentile(r.dueLatencies, 100)))
	}
	fmt.Fprintf(out, "errors: %s", r.errorSummary())
	if r.firstErr != "" {
		fmt.Fprintf(out, " (first transport error: %s)", r.firstErr)
	}
	fmt.Fprintln(out)
}

// startCPUProfile starts profiling this process into path (nothing when
// path is empty) and returns the function that stops it.
func startCPUProfile(path string) (func() error, error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	out, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(out); err != nil {
		_ = out.Close()
		return nil, err
	}
	return func() error {
		pprof.StopCPUProfile()
		return out.Close()
	}, nil
}
