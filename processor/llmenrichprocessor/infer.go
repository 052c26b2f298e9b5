package llmenrichprocessor

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	"github.com/otelcol-rastir/otelcol-rastir/processor/llmenrichprocessor/internal/dialect"
	"github.com/otelcol-rastir/otelcol-rastir/processor/llmenrichprocessor/internal/inference"
)

// inferProviderAndModel fills what an LLM span lacks from what it has:
//   - the request model from a semconv inference span's name
//     "{operation} {model}";
//   - the provider from server.address (where the call went), else from
//     the model id or name (inference package), also in place of a
//     framework's name (which goes when neither gives one).
//
// Only spans of an LLM operation or type are considered, so that an
// unrelated span is never given a provider.
func inferProviderAndModel(span ptrace.Span) {
	attrs := span.Attributes()
	var operation, spanType, provider, requestModel, responseModel, server string
	for k, v := range attrs.All() {
		switch k {
		case vocabulary.GenAIOperationName:
			operation = v.Str()
		case vocabulary.RastirSpanTypeKey:
			spanType = v.Str()
		case vocabulary.GenAIProviderName:
			provider = v.AsString()
		case vocabulary.GenAIRequestModel:
			requestModel = v.Str()
		case vocabulary.GenAIResponseModel:
			responseModel = v.Str()
		case vocabulary.ServerAddress:
			server = v.Str()
		}
	}
	if spanType != vocabulary.SpanTypeLLM && (operation == "" || operation == vocabulary.OperationExecuteTool ||
		operation == vocabulary.OperationInvokeAgent || operation == vocabulary.OperationCreateAgent ||
		operation == vocabulary.OperationInvokeWorkflow) {
		return
	}
	// Semconv names inference spans "{gen_ai.operation.name} {gen_ai.request.model}";
	// other spans after what they act on (retrieval: the data source).
	llmCall := spanType == vocabulary.SpanTypeLLM ||
		spanType == "" && dialect.SpanTypeForOperation(operation) == vocabulary.SpanTypeLLM
	if requestModel == "" && operation != "" && llmCall {
		if model, ok := strings.CutPrefix(span.Name(), operation+" "); ok && model != "" && !strings.Contains(model, " ") {
			requestModel = model
			attrs.PutStr(vocabulary.GenAIRequestModel, model)
		}
	}
	// A framework's name (agno, langchain, ...) is no provider: the other
	// hints replace it, else it goes (the GenAI dialect has removed it
	// already unless it is off).
	framework := provider != "" && inference.IsFramework(provider)
	if provider != "" && !framework {
		return
	}
	if p, ok := vocabulary.ProviderFromServerAddress(server); ok && server != "" {
		attrs.PutStr(vocabulary.GenAIProviderName, p)
		return
	}
	for _, model := range [...]string{requestModel, responseModel} {
		if p, ok := inference.ProviderFromModel(model); ok && model != "" {
			attrs.PutStr(vocabulary.GenAIProviderName, p)
			return
		}
	}
	if framework {
		attrs.Remove(vocabulary.GenAIProviderName)
	}
}
