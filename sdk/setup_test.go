package rastir

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// clearEnv unsets every variable Setup reads, for the test.
func clearEnv(t *testing.T) {
	t.Helper()
	for _, k := range []string{
		EnvService, EnvEnv, EnvVersion, EnvPushURL, EnvAPIKey, EnvBatchSize, EnvFlushInterval,
		EnvMaxRetries, EnvRetryBackoff, EnvTimeout, EnvOTLPProtocol, EnvOTLPTracesProtocol,
		"OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES", EnvOTLPEndpoint,
		EnvOTLPTracesEndpoint, "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_TRACES_SAMPLER",
		EnvSDKDisabled, EnvTracesExporter, EnvOTLPInsecure, EnvOTLPTracesInsecure,
	} {
		t.Setenv(k, "")
	}
}

// TestMalformedResourceAttributes: a malformed OTEL_RESOURCE_ATTRIBUTES
// pair is skipped, the others kept, and the error handler told.
func TestMalformedResourceAttributes(t *testing.T) {
	clearEnv(t)
	t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "team=ai,broken,region=eu")
	var handled []error
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { handled = append(handled, err) }))
	// Back to logging, as OpenTelemetry's default handler does (the
	// default would now delegate to the handler above).
	t.Cleanup(func() { otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { log.Print(err) })) })
	var cfg setupConfig
	res, err := buildResource(t.Context(), &cfg)
	require.NoError(t, err)
	team, _ := res.Set().Value("team")
	region, _ := res.Set().Value("region")
	assert.Equal(t, "ai", team.AsString())
	assert.Equal(t, "eu", region.AsString())
	require.Len(t, handled, 1)
	assert.ErrorIs(t, handled[0], resource.ErrPartialResource)
	assert.Contains(t, handled[0].Error(), "broken")
}

func TestResourcePrecedence(t *testing.T) {
	tests := []struct {
		name                string
		env                 map[string]string
		opts                []SetupOption
		service, dep, ver   string
		hasDep, hasVer      bool
		servicePrefixIsUnkn bool
	}{
		{name: "defaults", servicePrefixIsUnkn: true},
		{
			name: "otel variables",
			env: map[string]string{
				"OTEL_SERVICE_NAME":        "otel-svc",
				"OTEL_RESOURCE_ATTRIBUTES": "service.name=attr-svc,deployment.environment.name=staging,service.version=9",
			},
			service: "otel-svc", dep: "staging", ver: "9", hasDep: true, hasVer: true,
		},
		{
			name: "rastir variables over otel's",
			env: map[string]string{
				"OTEL_SERVICE_NAME":        "otel-svc",
				"OTEL_RESOURCE_ATTRIBUTES": "deployment.environment.name=staging",
				EnvService:                 "rastir-svc", EnvEnv: "prod", EnvVersion: "1.0",
			},
			service: "rastir-svc", dep: "prod", ver: "1.0", hasDep: true, hasVer: true,
		},
		{
			name: "options over variables",
			env:  map[string]string{EnvService: "rastir-svc", EnvEnv: "prod", EnvVersion: "1.0"},
			opts: []SetupOption{WithService("opt-svc"), WithEnv("dev"), WithVersion("2.0"),
				WithResourceAttributes(attribute.String("team", "ai"))},
			service: "opt-svc", dep: "dev", ver: "2.0", hasDep: true, hasVer: true,
		},
		{
			// An option beats a variable, WithResourceAttributes included.
			name: "resource attributes option over rastir variables",
			env:  map[string]string{EnvService: "rastir-svc", EnvEnv: "prod", EnvVersion: "1.0"},
			opts: []SetupOption{WithResourceAttributes(
				attribute.String(vocabulary.ResourceServiceName, "attr-svc"),
				attribute.String(vocabulary.ResourceDeploymentEnvironmentName, "dev"),
				attribute.String(vocabulary.ResourceServiceVersion, "2.0"))},
			service: "attr-svc", dep: "dev", ver: "2.0", hasDep: true, hasVer: true,
		},
		{
			name: "named options over the resource attributes option",
			opts: []SetupOption{WithService("opt-svc"), WithEnv("stage"), WithVersion("3.0"), WithResourceAttributes(
				attribute.String(vocabulary.ResourceServiceName, "attr-svc"),
				attribute.String(vocabulary.ResourceDeploymentEnvironmentName, "dev"),
				attribute.String(vocabulary.ResourceServiceVersion, "2.0"))},
			service: "opt-svc", dep: "stage", ver: "3.0", hasDep: true, hasVer: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var cfg setupConfig
			for _, o := range tt.opts {
				o(&cfg)
			}
			res, err := buildResource(t.Context(), &cfg)
			require.NoError(t, err)
			set := res.Set()
			svc, _ := set.Value(vocabulary.ResourceServiceName)
			if tt.servicePrefixIsUnkn {
				assert.Contains(t, svc.AsString(), "unknown_service:")
			} else {
				assert.Equal(t, tt.service, svc.AsString())
			}
			dep, ok := set.Value(vocabulary.ResourceDeploymentEnvironmentName)
			assert.Equal(t, tt.hasDep, ok)
			assert.Equal(t, tt.dep, dep.AsString())
			ver, ok := set.Value(vocabulary.ResourceServiceVersion)
			assert.Equal(t, tt.hasVer, ok)
			assert.Equal(t, tt.ver, ver.AsString())
			if tt.name == "options over variables" {
				team, _ := set.Value("team")
				assert.Equal(t, "ai", team.AsString())
			}
		})
	}
}

func TestChooseExporter(t *testing.T) {
	tests := []struct {
		name      string
		env       map[string]string
		opts      []SetupOption
		want      exporterKind
		wantProto string
		wantErr   string
	}{
		{name: "default otlp http", want: exporterOTLPHTTP, wantProto: ProtocolHTTPProtobuf},
		{name: "protocol variable", env: map[string]string{EnvOTLPProtocol: "grpc"}, want: exporterOTLPGRPC, wantProto: ProtocolGRPC},
		{
			name:      "traces protocol over the general one",
			env:       map[string]string{EnvOTLPProtocol: "grpc", EnvOTLPTracesProtocol: "http/json"},
			want:      exporterOTLPHTTP,
			wantProto: ProtocolHTTPJSON,
		},
		{
			name: "option over variables", env: map[string]string{EnvOTLPTracesProtocol: "grpc"},
			opts: []SetupOption{WithProtocol(ProtocolHTTP)}, want: exporterOTLPHTTP, wantProto: ProtocolHTTP,
		},
		{name: "push url variable", env: map[string]string{EnvPushURL: "http://rastir:8080"}, want: exporterPush},
		{name: "push url option", opts: []SetupOption{WithPushURL("http://rastir:8080")}, want: exporterPush},
		{
			name: "explicit exporter wins", env: map[string]string{EnvPushURL: "http://rastir:8080"},
			opts: []SetupOption{WithExporter(tracetest.NewInMemoryExporter())}, want: exporterCustom,
		},
		// The application's own OTLP option beats a push URL of its
		// environment, as every option beats its variable.
		{
			name: "OTLP endpoint option over the push url variable", env: map[string]string{EnvPushURL: "http://rastir:8080"},
			opts: []SetupOption{WithEndpoint("http://collector:4318")}, want: exporterOTLPHTTP, wantProto: ProtocolHTTPProtobuf,
		},
		{
			name: "OTLP protocol option over the push url variable", env: map[string]string{EnvPushURL: "http://rastir:8080"},
			opts: []SetupOption{WithProtocol(ProtocolGRPC)}, want: exporterOTLPGRPC, wantProto: ProtocolGRPC,
		},
		{
			name: "push url option over an OTLP option", opts: []SetupOption{WithEndpoint("http://collector:4318"), WithPushURL("http://rastir:8080")},
			want: exporterPush,
		},
		{name: "bad protocol", env: map[string]string{EnvOTLPProtocol: "thrift"}, wantErr: `OTLP protocol "thrift"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var cfg setupConfig
			for _, o := range tt.opts {
				o(&cfg)
			}
			kinds, proto, err := chooseExporters(&cfg)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, []exporterKind{tt.want}, kinds)
			assert.Equal(t, tt.wantProto, proto)
		})
	}
}

func TestSetupPushFromEnvironment(t *testing.T) {
	clearEnv(t)
	srv := newTelemetryServer(t)
	t.Setenv(EnvPushURL, srv.URL)
	t.Setenv(EnvAPIKey, "secret")
	t.Setenv(EnvService, "billing")
	t.Setenv(EnvEnv, "prod")
	t.Setenv(EnvBatchSize, "2")
	t.Setenv(EnvMaxRetries, "1")
	shutdown, err := Setup(t.Context(), WithoutGlobal())
	require.NoError(t, err)
	for range 3 {
		_, err = Tool(t.Context(), "t", func(context.Context) (int, error) { return 1, nil })
		require.NoError(t, err)
	}
	require.NoError(t, shutdown(context.Background()))
	bodies, headers := srv.requests()
	require.Len(t, bodies, 2, "batches of RASTIR_BATCH_SIZE")
	assert.Equal(t, "secret", headers[0].Get(APIKeyHeader))
	batch := decodeBody(t, bodies[0])
	assert.Equal(t, "billing", batch[vocabulary.WireService])
	assert.Equal(t, "prod", batch[vocabulary.WireEnv])
	assert.Nil(t, ownTracer.Load(), "the helpers went back to the global provider")
}

func TestSetupReportsEveryError(t *testing.T) {
	clearEnv(t)
	t.Setenv(EnvPushURL, "http://rastir:8080")
	t.Setenv(EnvBatchSize, "many")
	t.Setenv(EnvTimeout, "-1")
	_, err := Setup(t.Context(), WithoutGlobal())
	require.Error(t, err)
	assert.ErrorContains(t, err, EnvBatchSize)
	assert.ErrorContains(t, err, EnvTimeout)

	clearEnv(t)
	_, err = Setup(t.Context(), WithoutGlobal(), WithPushURL("not a url"))
	require.ErrorContains(t, err, "push URL")
}

func TestSetupWithExistingProvider(t *testing.T) {
	clearEnv(t)
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	shutdown, err := Setup(t.Context(), WithTracerProvider(tp))
	require.NoError(t, err)
	defer UseTracerProvider(nil)
	_, s := StartAgent(t.Context(), "a")
	s.End()
	require.NoError(t, shutdown(t.Context()), "flushes")
	require.Len(t, exp.GetSpans(), 1)
	// The provider still works: the app owns it.
	_, s = StartAgent(t.Context(), "b")
	s.End()
	require.NoError(t, tp.ForceFlush(t.Context()))
	assert.Len(t, exp.GetSpans(), 2)
}

// TestNilPointerProvider: a nil *TracerProvider given as a provider is a
// configuration error for Setup, and no provider for UseTracerProvider,
// never a panic in the helpers.
func TestNilPointerProvider(t *testing.T) {
	clearEnv(t)
	var nilProvider *sdktrace.TracerProvider
	shutdown, err := Setup(t.Context(), WithTracerProvider(nilProvider))
	require.ErrorContains(t, err, "WithTracerProvider")
	assert.Nil(t, shutdown)

	UseTracerProvider(nilProvider)
	defer UseTracerProvider(nil)
	_, s := StartLLM(t.Context(), "m")
	s.End()
}

func TestSetupGlobalAndCustomExporter(t *testing.T) {
	clearEnv(t)
	prev := otel.GetTracerProvider()
	t.Cleanup(func() { otel.SetTracerProvider(prev) })
	exp := keepExporter{tracetest.NewInMemoryExporter()}
	shutdown, err := Setup(t.Context(), WithExporter(exp), WithService("svc"),
		WithSampler(sdktrace.AlwaysSample()))
	require.NoError(t, err)
	_, span := otel.Tracer("other").Start(t.Context(), "via-global")
	span.End()
	_, s := StartLLM(t.Context(), "m")
	s.End()
	require.NoError(t, shutdown(context.Background()))
	spans := exp.GetSpans()
	require.Len(t, spans, 2)
	svc, _ := spans[0].Resource.Set().Value(vocabulary.ResourceServiceName)
	assert.Equal(t, "svc", svc.AsString())
}

func TestSetupOTLPHTTP(t *testing.T) {
	clearEnv(t)
	srv, got := otlpServer(t, "X-Team")
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", srv.URL)
	t.Setenv(EnvOTLPProtocol, ProtocolHTTPProtobuf)
	shutdown, err := Setup(t.Context(), WithoutGlobal(), WithHeaders(map[string]string{"X-Team": "ai"}))
	require.NoError(t, err)
	_, s := StartLLM(t.Context(), "m")
	s.End()
	require.NoError(t, shutdown(context.Background()))
	assert.Equal(t, []string{"/v1/traces ai"}, got())
}

// TestSetupOTLPGRPCURLEndpoint: an endpoint given as a URL
// (http://host:port) is the gRPC exporter's endpoint URL: the spans reach
// the server there, in plain text.
func TestSetupOTLPGRPCURLEndpoint(t *testing.T) {
	clearEnv(t)
	port, methods := grpcServer(t)
	shutdown, err := Setup(t.Context(), WithoutGlobal(), WithProtocol(ProtocolGRPC),
		WithEndpoint("http://127.0.0.1:"+port))
	require.NoError(t, err)
	_, s := StartLLM(t.Context(), "m")
	s.End()
	require.NoError(t, shutdown(context.Background()))
	require.Len(t, methods, 1)
	assert.Equal(t, traceExportMethod, <-methods)
}

// keepExporter keeps its spans at shutdown.
type keepExporter struct{ *tracetest.InMemoryExporter }

func (keepExporter) Shutdown(context.Context) error { return nil }

// otlpServer records the path and the header of every OTLP/HTTP request.
func otlpServer(t *testing.T, header string) (*httptest.Server, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		got = append(got, r.URL.Path+" "+r.Header.Get(header))
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), got...)
	}
}

func TestSetupWithEndpointAddsTracesPath(t *testing.T) {
	for _, suffix := range []string{"", "/"} {
		t.Run("suffix "+suffix, func(t *testing.T) {
			clearEnv(t)
			srv, got := otlpServer(t, "Content-Type")
			shutdown, err := Setup(t.Context(), WithoutGlobal(), WithEndpoint(srv.URL+suffix))
			require.NoError(t, err)
			_, s := StartLLM(t.Context(), "m")
			s.End()
			require.NoError(t, shutdown(context.Background()))
			assert.Equal(t, []string{"/v1/traces application/x-protobuf"}, got())
		})
	}
	t.Run("path kept", func(t *testing.T) {
		clearEnv(t)
		srv, got := otlpServer(t, "Content-Type")
		shutdown, err := Setup(t.Context(), WithoutGlobal(), WithEndpoint(srv.URL+"/otlp/traces"))
		require.NoError(t, err)
		_, s := StartLLM(t.Context(), "m")
		s.End()
		require.NoError(t, shutdown(context.Background()))
		assert.Equal(t, []string{"/otlp/traces application/x-protobuf"}, got())
	})
}

func TestSetupProtocolOptionOverVariable(t *testing.T) {
	for _, p := range []string{ProtocolHTTPProtobuf, ProtocolHTTP} {
		t.Run(p, func(t *testing.T) {
			clearEnv(t)
			srv, got := otlpServer(t, "Content-Type")
			t.Setenv(EnvOTLPProtocol, ProtocolHTTPJSON)
			shutdown, err := Setup(t.Context(), WithoutGlobal(), WithEndpoint(srv.URL), WithProtocol(p))
			require.NoError(t, err)
			_, s := StartLLM(t.Context(), "m")
			s.End()
			require.NoError(t, shutdown(context.Background()))
			assert.Equal(t, []string{"/v1/traces application/x-protobuf"}, got())
		})
	}
}

// writeCA writes the server's certificate as a PEM file for
// OTEL_EXPORTER_OTLP_CERTIFICATE.
func writeCA(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600))
	return caFile
}

func TestSetupOTLPExporterErrorIsReturned(t *testing.T) {
	clearEnv(t)
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()
	// A CA certificate for a plain-text endpoint: the exporter refuses to start.
	t.Setenv("OTEL_EXPORTER_OTLP_CERTIFICATE", writeCA(t, srv))
	t.Setenv(EnvOTLPEndpoint, "http://127.0.0.1:4318")
	var err error
	require.NotPanics(t, func() { _, err = Setup(t.Context(), WithoutGlobal()) })
	require.ErrorContains(t, err, "insecure")
}

func TestSetupInsecureDoesNotOverrideHTTPSEndpoint(t *testing.T) {
	var mu sync.Mutex
	var tlsReqs int
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		if r.TLS != nil {
			tlsReqs++
		}
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	caFile := writeCA(t, srv)
	for _, tt := range []struct {
		name string
		env  string
		opts []SetupOption
	}{
		{name: "endpoint option", opts: []SetupOption{WithEndpoint(srv.URL)}},
		{name: "endpoint variable", env: EnvOTLPEndpoint},
		{name: "traces endpoint variable", env: EnvOTLPTracesEndpoint},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			t.Setenv("OTEL_EXPORTER_OTLP_CERTIFICATE", caFile)
			if tt.env != "" {
				t.Setenv(tt.env, srv.URL+"/v1/traces")
			}
			mu.Lock()
			tlsReqs = 0
			mu.Unlock()
			// WithInsecure is for endpoints without a scheme: an https URL keeps TLS.
			shutdown, err := Setup(t.Context(), append([]SetupOption{WithoutGlobal(), WithInsecure()}, tt.opts...)...)
			require.NoError(t, err)
			_, s := StartLLM(t.Context(), "m")
			s.End()
			require.NoError(t, shutdown(context.Background()))
			mu.Lock()
			defer mu.Unlock()
			assert.Equal(t, 1, tlsReqs)
		})
	}
}

// TestSetupPushForceFlushSends: the provider's ForceFlush (what a
// short-lived process calls before it freezes or exits) returns once the
// push exporter sent the spans, not when its queue took them.
func TestSetupPushForceFlushSends(t *testing.T) {
	clearEnv(t)
	srv := newTelemetryServer(t)
	prev := otel.GetTracerProvider()
	t.Cleanup(func() { otel.SetTracerProvider(prev) })
	shutdown, err := Setup(t.Context(), WithPushURL(srv.URL))
	require.NoError(t, err)
	defer func() { require.NoError(t, shutdown(context.Background())) }()
	_, s := StartTool(t.Context(), "search")
	s.End()
	tp, ok := otel.GetTracerProvider().(*sdktrace.TracerProvider)
	require.True(t, ok)
	require.NoError(t, tp.ForceFlush(t.Context()))
	bodies, _ := srv.requests()
	assert.Len(t, bodies, 1, "sent when ForceFlush returned")
}

// TestSetupEndpointHostPort: an endpoint without a scheme is host:port
// (with WithInsecure, plain text), as the exporters' own WithEndpoint take
// it; it went to the default endpoint, or to no host at all.
func TestSetupEndpointHostPort(t *testing.T) {
	for _, tt := range []struct{ host, path, want string }{
		{host: "127.0.0.1", want: "/v1/traces"},
		{host: "localhost", want: "/v1/traces"},
		{host: "localhost", path: "/otlp/traces", want: "/otlp/traces"},
	} {
		t.Run(tt.host+tt.path, func(t *testing.T) {
			clearEnv(t)
			srv, got := otlpServer(t, "Content-Type")
			_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
			require.NoError(t, err)
			shutdown, err := Setup(t.Context(), WithoutGlobal(), WithEndpoint(net.JoinHostPort(tt.host, port)+tt.path), WithInsecure())
			require.NoError(t, err)
			_, s := StartLLM(t.Context(), "m")
			s.End()
			require.NoError(t, shutdown(context.Background()))
			assert.Equal(t, []string{tt.want + " application/x-protobuf"}, got())
		})
	}
	t.Run("grpc", func(t *testing.T) {
		clearEnv(t)
		port, methods := grpcServer(t)
		shutdown, err := Setup(t.Context(), WithoutGlobal(), WithProtocol(ProtocolGRPC),
			WithEndpoint(net.JoinHostPort("localhost", port)), WithInsecure())
		require.NoError(t, err)
		_, s := StartLLM(t.Context(), "m")
		s.End()
		require.NoError(t, shutdown(context.Background()))
		require.Len(t, methods, 1)
		assert.Equal(t, traceExportMethod, <-methods)
	})
}

// traceExportMethod is the gRPC method an OTLP trace export calls.
const traceExportMethod = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"

// grpcServer starts a gRPC server on a free local port that answers every
// call and records its method; it returns the port and the methods.
func grpcServer(t *testing.T) (port string, methods chan string) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	methods = make(chan string, 8)
	srv := grpc.NewServer(grpc.UnknownServiceHandler(func(_ any, stream grpc.ServerStream) error {
		m, _ := grpc.MethodFromServerStream(stream)
		methods <- m
		return stream.SendMsg(&emptypb.Empty{})
	}))
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	_, port, err = net.SplitHostPort(lis.Addr().String())
	require.NoError(t, err)
	return port, methods
}

// TestSetupSDKDisabled: OTEL_SDK_DISABLED=true (any case) makes Setup
// create and install nothing, whatever else is configured; its shutdown
// does nothing.
func TestSetupSDKDisabled(t *testing.T) {
	for _, v := range []string{"true", " TRUE "} {
		t.Run(v, func(t *testing.T) {
			clearEnv(t)
			srv := newTelemetryServer(t)
			t.Setenv(EnvSDKDisabled, v)
			t.Setenv(EnvPushURL, srv.URL)
			t.Setenv(EnvBatchSize, "not checked")
			prev := otel.GetTracerProvider()
			shutdown, err := Setup(t.Context(), WithPushURL(srv.URL))
			require.NoError(t, err)
			assert.Nil(t, ownTracer.Load())
			assert.Equal(t, prev, otel.GetTracerProvider(), "nothing installed")
			_, s := StartTool(t.Context(), "t")
			s.End()
			require.NoError(t, shutdown(context.Background()))
			require.NoError(t, shutdown(context.Background()))
			bodies, _ := srv.requests()
			assert.Empty(t, bodies)
		})
	}
	t.Run("false", func(t *testing.T) {
		clearEnv(t)
		srv := newTelemetryServer(t)
		t.Setenv(EnvSDKDisabled, "false")
		shutdown, err := Setup(t.Context(), WithoutGlobal(), WithPushURL(srv.URL))
		require.NoError(t, err)
		_, s := StartTool(t.Context(), "t")
		s.End()
		require.NoError(t, shutdown(context.Background()))
		bodies, _ := srv.requests()
		assert.Len(t, bodies, 1)
	})
}

// TestSetupTracesExporterVariable: OTEL_TRACES_EXPORTER chooses what Setup
// would otherwise send over OTLP: none (spans are made, with their trace
// context, and not exported), console (the OpenTelemetry SDK's stdout
// exporter), otlp, or a
// list; any other value is an error.
func TestSetupTracesExporterVariable(t *testing.T) {
	t.Run("none", func(t *testing.T) {
		clearEnv(t)
		srv, got := otlpServer(t, "Content-Type")
		t.Setenv(EnvOTLPEndpoint, srv.URL)
		t.Setenv(EnvTracesExporter, "none")
		shutdown, err := Setup(t.Context(), WithoutGlobal())
		require.NoError(t, err)
		_, s := StartLLM(t.Context(), "m")
		assert.True(t, s.SpanContext().IsValid(), "spans still carry a trace context")
		s.End()
		require.NoError(t, shutdown(context.Background()))
		assert.Empty(t, got())
	})
	t.Run("console and otlp", func(t *testing.T) {
		clearEnv(t)
		srv, got := otlpServer(t, "Content-Type")
		t.Setenv(EnvOTLPEndpoint, srv.URL)
		t.Setenv(EnvTracesExporter, "console, otlp")
		out := captureStdout(t)
		shutdown, err := Setup(t.Context(), WithoutGlobal())
		require.NoError(t, err)
		_, s := StartLLM(t.Context(), "gpt-4o")
		s.End()
		require.NoError(t, shutdown(context.Background()))
		assert.Equal(t, []string{"/v1/traces application/x-protobuf"}, got())
		var span struct{ Name string }
		require.NoError(t, json.Unmarshal([]byte(out()), &span), "one span as stdouttrace's JSON")
		assert.Equal(t, "chat gpt-4o", span.Name)
	})
	t.Run("a push URL wins", func(t *testing.T) {
		clearEnv(t)
		srv := newTelemetryServer(t)
		t.Setenv(EnvTracesExporter, "none")
		shutdown, err := Setup(t.Context(), WithoutGlobal(), WithPushURL(srv.URL))
		require.NoError(t, err)
		_, s := StartTool(t.Context(), "t")
		s.End()
		require.NoError(t, shutdown(context.Background()))
		bodies, _ := srv.requests()
		assert.Len(t, bodies, 1)
	})
	t.Run("unknown", func(t *testing.T) {
		clearEnv(t)
		t.Setenv(EnvTracesExporter, "otlp,zipkin")
		t.Setenv(EnvOTLPProtocol, "thrift")
		_, err := Setup(t.Context(), WithoutGlobal())
		require.ErrorContains(t, err, EnvTracesExporter)
		require.ErrorContains(t, err, "zipkin")
		require.ErrorContains(t, err, "thrift", "every error at once")
	})
}

// captureStdout sends os.Stdout to a pipe for the test; the returned
// function restores it and returns what was written.
func captureStdout(t *testing.T) func() string {
	t.Helper()
	r, w, err := os.Pipe()
	require.NoError(t, err)
	prev := os.Stdout
	os.Stdout = w
	var buf bytes.Buffer
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(&buf, r)
		close(done)
	}()
	restore := func() {
		if os.Stdout == w {
			os.Stdout = prev
			_ = w.Close()
			<-done
		}
	}
	t.Cleanup(restore)
	return func() string {
		restore()
		return buf.String()
	}
}

// TestSetupBlankPushURLVariable: a push URL variable of blanks is ignored,
// as every empty variable.
func TestSetupBlankPushURLVariable(t *testing.T) {
	clearEnv(t)
	srv, got := otlpServer(t, "Content-Type")
	t.Setenv(EnvOTLPEndpoint, srv.URL)
	t.Setenv(EnvPushURL, "  ")
	shutdown, err := Setup(t.Context(), WithoutGlobal())
	require.NoError(t, err)
	_, s := StartLLM(t.Context(), "m")
	s.End()
	require.NoError(t, shutdown(context.Background()))
	assert.Len(t, got(), 1)
}

// TestSetupShutdownTwice: the second shutdown returns nil and the helpers
// stay on the global provider.
func TestSetupShutdownTwice(t *testing.T) {
	clearEnv(t)
	srv := newTelemetryServer(t)
	shutdown, err := Setup(t.Context(), WithoutGlobal(), WithPushURL(srv.URL))
	require.NoError(t, err)
	_, s := StartTool(t.Context(), "t")
	s.End()
	require.NoError(t, shutdown(context.Background()))
	require.NoError(t, shutdown(context.Background()))
	assert.Nil(t, ownTracer.Load())
	bodies, _ := srv.requests()
	assert.Len(t, bodies, 1)
}

// TestSetupHostPortEndpointOverEnvironment: an endpoint given as host:port
// replaces the environment's endpoint whole: the path and the plain text
// of an OTEL_EXPORTER_OTLP_*ENDPOINT URL do not stay with it.
func TestSetupHostPortEndpointOverEnvironment(t *testing.T) {
	for _, env := range []string{EnvOTLPEndpoint, EnvOTLPTracesEndpoint} {
		t.Run("path "+env, func(t *testing.T) {
			clearEnv(t)
			srv, got := otlpServer(t, "Content-Type")
			t.Setenv(env, "http://127.0.0.1:9/elsewhere")
			shutdown, err := Setup(t.Context(), WithoutGlobal(), WithEndpoint(srv.Listener.Addr().String()), WithInsecure())
			require.NoError(t, err)
			_, s := StartLLM(t.Context(), "m")
			s.End()
			require.NoError(t, shutdown(context.Background()))
			assert.Equal(t, []string{"/v1/traces application/x-protobuf"}, got())
		})
	}
	t.Run("tls", func(t *testing.T) {
		clearEnv(t)
		var mu sync.Mutex
		var tlsReqs int
		srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			mu.Lock()
			if r.TLS != nil {
				tlsReqs++
			}
			mu.Unlock()
			w.WriteHeader(http.StatusOK)
		}))
		defer srv.Close()
		t.Setenv("OTEL_EXPORTER_OTLP_CERTIFICATE", writeCA(t, srv))
		t.Setenv(EnvOTLPEndpoint, "http://127.0.0.1:9")
		// No WithInsecure: TLS, whatever the scheme of the variable's URL.
		shutdown, err := Setup(t.Context(), WithoutGlobal(), WithEndpoint(srv.Listener.Addr().String()))
		require.NoError(t, err)
		_, s := StartLLM(t.Context(), "m")
		s.End()
		require.NoError(t, shutdown(context.Background()))
		mu.Lock()
		defer mu.Unlock()
		assert.Equal(t, 1, tlsReqs)
	})
	t.Run("insecure variable", func(t *testing.T) {
		clearEnv(t)
		srv, got := otlpServer(t, "Content-Type")
		t.Setenv("OTEL_EXPORTER_OTLP_INSECURE", "true")
		shutdown, err := Setup(t.Context(), WithoutGlobal(), WithEndpoint(srv.Listener.Addr().String()))
		require.NoError(t, err)
		_, s := StartLLM(t.Context(), "m")
		s.End()
		require.NoError(t, shutdown(context.Background()))
		assert.Equal(t, []string{"/v1/traces application/x-protobuf"}, got())
	})
}

// TestSetupGRPCTargetEndpoint: a gRPC target that is not host:port (a
// unix socket) goes to the gRPC exporter as it is.
func TestSetupGRPCTargetEndpoint(t *testing.T) {
	clearEnv(t)
	dir, err := os.MkdirTemp("", "otlp")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	sock := filepath.Join(dir, "s")
	lis, err := net.Listen("unix", sock)
	require.NoError(t, err)
	methods := make(chan string, 8)
	srv := grpc.NewServer(grpc.UnknownServiceHandler(func(_ any, stream grpc.ServerStream) error {
		m, _ := grpc.MethodFromServerStream(stream)
		methods <- m
		return stream.SendMsg(&emptypb.Empty{})
	}))
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	shutdown, err := Setup(t.Context(), WithoutGlobal(), WithProtocol(ProtocolGRPC),
		WithEndpoint("unix://"+sock), WithInsecure())
	require.NoError(t, err)
	_, s := StartLLM(t.Context(), "m")
	s.End()
	require.NoError(t, shutdown(context.Background()))
	require.Len(t, methods, 1)
	assert.Equal(t, traceExportMethod, <-methods)
}
