package rastiropenai

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/adaptertest"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/httptap"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/jsonwalk"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/jsonwalk/jsonwalktest"
)

// The fuzz tests read any input without a panic, and check each reader
// against encoding/json: what encoding/json decodes from the input is
// encoded again (one spelling per key, escapes included) and the reader
// must find the same fields in that text.

// usageShape is a usage object as encoding/json decodes it (the keys
// differ between the APIs).
type usageShape struct {
	Input, Output *int64
	InputDetails  *inputDetails
	OutputDetails *outputDetails
	CacheHit      *int64 // encoded after the details
}

type inputDetails struct {
	Cached     *int64 `json:"cached_tokens,omitempty"`
	CacheWrite *int64 `json:"cache_write_tokens,omitempty"`
}

type outputDetails struct {
	Reasoning *int64 `json:"reasoning_tokens,omitempty"`
}

// checkUsage compares what the reader found with the usage object u.
func checkUsage(t *testing.T, got *result, u *usageShape) {
	if u == nil {
		assert.False(t, got.haveUsage)
		return
	}
	assert.True(t, got.haveUsage)
	assert.Equal(t, adaptertest.Deref(u.Input, -1), got.input)
	assert.Equal(t, adaptertest.Deref(u.Output, -1), got.output)
	cached, cacheWrite, reasoning := int64(-1), int64(-1), int64(-1)
	if u.InputDetails != nil {
		cached = adaptertest.Deref(u.InputDetails.Cached, -1)
		cacheWrite = adaptertest.Deref(u.InputDetails.CacheWrite, -1)
	}
	if u.CacheHit != nil {
		cached = *u.CacheHit
	}
	if u.OutputDetails != nil {
		reasoning = adaptertest.Deref(u.OutputDetails.Reasoning, -1)
	}
	assert.Equal(t, cached, got.cached)
	assert.Equal(t, cacheWrite, got.cacheWrite)
	assert.Equal(t, reasoning, got.reasoning)
}

func FuzzReadCompletion(f *testing.F) {
	adaptertest.AddFiles(f, "chat_completion.json", "chat_completion_reasoning.json", "embeddings.json")
	f.Add([]byte(`{"id":"a\u00e9\"b","model":"m<1>","choices":[{"finish_reason":"stop"},{"finish_reason":"len\\gth"}],"usage":{"prompt_tokens":3.7}}`))
	f.Add([]byte(`{"usage":{"prompt_tokens":1300,"prompt_tokens_details":{"cached_tokens":1280},"prompt_cache_hit_tokens":1280,"prompt_cache_miss_tokens":20}}`))
	f.Add([]byte(`{"usage":{"prompt_tokens":3100,"prompt_tokens_details":{"cached_tokens":1024,"cache_write_tokens":2048}}}`))
	f.Add([]byte(`{"choices":[{"finish_reason":"stop"}],"x_groq":{"id":"req_1","usage":{"queue_time":0.06,"prompt_tokens":18,"completion_tokens":3}}}`))
	f.Add([]byte(`{"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"jailbreak":{"filtered":true,"detected":true}}}]}`))
	f.Add([]byte(`{"choices":[{"content_filter_results":{"custom_blocklists":{"filtered":true,"details":[{"filtered":true,"id":"x"}]}},"delta":{"content":"","refusal":null,"role":"assistant","tool_calls":[{"index":0}]},"finish_reason":null,"index":0}]}`))
	f.Add([]byte(`{"choices":[{"index":0,"delta":{"reasoning_content":"Ok","function_call":{"name":"f"}},"text":"","finish_reason":null}],"prompt_annotations":[{"content_filter_results":{"profanity":[{"filtered":true}]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var models httptap.Recent
		r := result{models: &models}
		r.readCompletion(httptap.View(data))
		var decoded openai.ChatCompletion
		if decoded.UnmarshalJSON(data) == nil {
			r.readChatCompletion(&decoded)
		}

		var doc struct {
			ID      *string `json:"id,omitempty"`
			Model   *string `json:"model,omitempty"`
			Choices []struct {
				FinishReason  *string         `json:"finish_reason,omitempty"`
				Text          *string         `json:"text,omitempty"`
				Delta         *chunkDelta     `json:"delta,omitempty"`
				FilterResults filterResultMap `json:"content_filter_results,omitempty"`
			} `json:"choices,omitempty"`
			PromptFilterResults []promptFilterResult `json:"prompt_filter_results,omitempty"`
			PromptAnnotations   []promptFilterResult `json:"prompt_annotations,omitempty"`
			Usage               *completionUsage     `json:"usage,omitempty"`
			// Groq's streamed usage, encoded after the usage member.
			XGroq *struct {
				Usage *completionUsage `json:"usage,omitempty"`
			} `json:"x_groq,omitempty"`
		}
		canon, ok := adaptertest.Canonical(data, &doc)
		if !ok {
			return
		}

		got := result{models: &models}
		output, isError := got.readCompletion(httptap.View(canon))
		require.False(t, isError, "%s", canon)
		assert.Equal(t, adaptertest.Deref(doc.ID, ""), got.id, "%s", canon)
		assert.Equal(t, adaptertest.Deref(doc.Model, ""), got.model, "%s", canon)
		var (
			finish     []string
			wantOutput bool
			want       result // its filter category
		)
		for _, c := range doc.Choices {
			if s := adaptertest.Deref(c.FinishReason, ""); s != "" {
				finish = append(finish, s)
				wantOutput = true
			}
			wantOutput = wantOutput || adaptertest.Deref(c.Text, "") != "" || c.Delta.output()
			c.FilterResults.check(&want)
		}
		for _, p := range append(doc.PromptFilterResults, doc.PromptAnnotations...) {
			p.FilterResults.check(&want)
		}
		assert.Equal(t, finish, got.finish, "%s", canon)
		assert.Equal(t, wantOutput, output, "%s", canon)
		assert.Equal(t, want.filtered, got.filtered, "%s", canon)
		assert.Equal(t, want.filter, got.filter, "%s", canon)
		usage := doc.Usage
		if doc.XGroq != nil && doc.XGroq.Usage != nil {
			usage = doc.XGroq.Usage
		}
		checkUsage(t, &got, (*usageShape)(usage))

		// The typed call's reader finds the same in what the client
		// decodes from the same text.
		var c openai.ChatCompletion
		if c.UnmarshalJSON(canon) != nil {
			return
		}
		typed := result{models: &models}
		typed.readChatCompletion(&c)
		// Compared without the model cache and the finish reasons' array
		// (a copy's finish still points into the original's).
		want, have := got, typed
		want.models, have.models = nil, nil
		want.finishBuf, have.finishBuf = [2]string{}, [2]string{}
		assert.Equal(t, want, have, "%s", canon)
	})
}

// chunkDelta is the delta of a streamed choice.
type chunkDelta struct {
	Content          *string `json:"content,omitempty"`
	Refusal          *string `json:"refusal,omitempty"`
	ReasoningContent *string `json:"reasoning_content,omitempty"`
	Reasoning        *string `json:"reasoning,omitempty"`
	ToolCalls        any     `json:"tool_calls,omitempty"`
	FunctionCall     any     `json:"function_call,omitempty"`
	Audio            any     `json:"audio,omitempty"`
}

// output tells a delta that carries model output: a non-empty string, or
// a non-empty array or object of the members that stream as those.
func (d *chunkDelta) output() bool {
	if d == nil {
		return false
	}
	for _, s := range []*string{d.Content, d.Refusal, d.ReasoningContent, d.Reasoning} {
		if adaptertest.Deref(s, "") != "" {
			return true
		}
	}
	for _, v := range []any{d.ToolCalls, d.FunctionCall, d.Audio} {
		switch v := v.(type) {
		case []any:
			if len(v) > 0 {
				return true
			}
		case map[string]any:
			if len(v) > 0 {
				return true
			}
		}
	}
	return false
}

type promptFilterResult struct {
	FilterResults filterResultMap `json:"content_filter_results,omitempty"`
}

// filterResultMap is Azure OpenAI's content_filter_results, by category.
type filterResultMap map[string]any

// check records in r the category of the first category (in the order
// encoding/json writes them) whose value has a "filtered": true.
func (m filterResultMap) check(r *result) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if hasFiltered(m[k]) {
			quoted, err := json.Marshal(k)
			if err == nil {
				r.contentFiltered(string(quoted))
			}
			return
		}
	}
}

func hasFiltered(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		if v["filtered"] == true {
			return true
		}
		for _, e := range v {
			if hasFiltered(e) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if hasFiltered(e) {
				return true
			}
		}
	}
	return false
}

// completionUsage is the usage object of a chat completion or completion.
type completionUsage struct {
	Input         *int64         `json:"prompt_tokens,omitempty"`
	Output        *int64         `json:"completion_tokens,omitempty"`
	InputDetails  *inputDetails  `json:"prompt_tokens_details,omitempty"`
	OutputDetails *outputDetails `json:"completion_tokens_details,omitempty"`
	CacheHit      *int64         `json:"prompt_cache_hit_tokens,omitempty"`
}

func FuzzReadResponse(f *testing.F) {
	adaptertest.AddFiles(f, "responses.json")
	f.Add([]byte(`{"id":"r","status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},"error":{"message":"x\ny"}}`))
	f.Add([]byte(`{"id":"r","status":"failed","error":{"code":"rate_limit_exceeded","message":"Rate limit reached"}}`))
	f.Add([]byte(`{"id":"r","model":"m","status":"completed","usage":{"input_tokens":3100,"input_tokens_details":{"cached_tokens":1024,"cache_write_tokens":2048},"output_tokens":5,"output_tokens_details":{"reasoning_tokens":2}}}`))
	f.Add([]byte(`{"id":7,"model":["m"],"status":"incomplete","incomplete_details":{"reason":1},"error":{"code":5,"message":null},"usage":{"input_tokens":"3","input_tokens_details":[],"output_tokens_details":null}}`))
	f.Add([]byte(`{"id":"r","usage":{"input_tokens":1300,"prompt_cache_hit_tokens":1280,"input_tokens_details":{"cached_tokens":1}},"x":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var models httptap.Recent
		r := result{models: &models}
		r.readResponse(httptap.View(data))
		// The same document as a stream's response.completed event.
		event := append(append([]byte(`{"type":"response.completed","response":`), data...), '}')
		r = result{models: &models}
		r.readResponseEvent(httptap.View(event))
		var decoded responses.Response
		if decoded.UnmarshalJSON(data) == nil {
			r.readTypedResponse(&decoded)
		}

		var doc struct {
			ID                *string `json:"id,omitempty"`
			Model             *string `json:"model,omitempty"`
			Status            *string `json:"status,omitempty"`
			IncompleteDetails *struct {
				Reason *string `json:"reason,omitempty"`
			} `json:"incomplete_details,omitempty"`
			Error *struct {
				Code    *string `json:"code,omitempty"`
				Message *string `json:"message,omitempty"`
			} `json:"error,omitempty"`
			Usage *struct {
				Input         *int64         `json:"input_tokens,omitempty"`
				Output        *int64         `json:"output_tokens,omitempty"`
				InputDetails  *inputDetails  `json:"input_tokens_details,omitempty"`
				OutputDetails *outputDetails `json:"output_tokens_details,omitempty"`
				CacheHit      *int64         `json:"prompt_cache_hit_tokens,omitempty"`
			} `json:"usage,omitempty"`
			// A member the client's Response does not have.
			Store any `json:"store,omitempty"`
		}
		canon, ok := adaptertest.Canonical(data, &doc)
		if !ok {
			return
		}
		var finish []string
		switch adaptertest.Deref(doc.Status, "") {
		case "completed":
			finish = []string{finishStop}
		case "incomplete":
			if doc.IncompleteDetails != nil {
				if s := adaptertest.Deref(doc.IncompleteDetails.Reason, ""); s != "" {
					finish = []string{s}
				}
			}
		}
		for name, read := range map[string]func(*result){
			"body":  func(r *result) { r.readResponse(httptap.View(canon)) },
			"event": func(r *result) { r.readResponseEvent(`{"response":` + string(canon) + `,"type":"response.completed"}`) },
		} {
			got := result{models: &models}
			read(&got)
			assert.Equal(t, adaptertest.Deref(doc.ID, ""), got.id, "%s %s", name, canon)
			assert.Equal(t, adaptertest.Deref(doc.Model, ""), got.model, "%s %s", name, canon)
			if len(finish) == 0 {
				assert.Empty(t, got.finish, "%s %s", name, canon)
			} else {
				assert.Equal(t, finish, got.finish, "%s %s", name, canon)
			}
			if doc.Error == nil {
				assert.NoError(t, got.failure, "%s %s", name, canon)
			} else if assert.Error(t, got.failure, "%s %s", name, canon) {
				assert.Equal(t, "response failed: "+adaptertest.Deref(doc.Error.Message, ""), got.failure.Error(), "%s %s", name, canon)
				assert.Equal(t, streamErrorCategory(adaptertest.Deref(doc.Error.Code, ""), ""), got.failureCategory, "%s %s", name, canon)
			}
			checkUsage(t, &got, (*usageShape)(doc.Usage))
		}

		// The typed call's reader finds the same in what the client
		// decodes from the same text.
		var res responses.Response
		if res.UnmarshalJSON(canon) != nil {
			return
		}
		want := result{models: &models}
		want.readResponse(httptap.View(canon))
		typed := result{models: &models}
		typed.readTypedResponse(&res)
		want.models, typed.models = nil, nil
		want.finishBuf, typed.finishBuf = [2]string{}, [2]string{}
		assert.Equal(t, want, typed, "%s", canon)
	})
}

// FuzzRequestFields reads any input as a request of each endpoint, and
// checks the model, stream flag and parameters against encoding/json.
func FuzzRequestFields(f *testing.F) {
	f.Add([]byte(`{"messages":[{"content":"Hello!","role":"user","model":"no"}],"model":"gpt-4.1","stream":true,"stream_options":{"include_usage":false}}`))
	f.Add([]byte(`{"model":"o\u0033","stream":false,"stream_options":{}}`))
	f.Add([]byte(`{"max_completion_tokens":512.0,"max_tokens":9,"temperature":0.7,"top_p":1e-1,"frequency_penalty":-0.5,"presence_penalty":1,"seed":-42,"n":3,"stop":["\n","E\u004eD"],"response_format":{"type":"json_schema","json_schema":{"type":"text"}}}`))
	f.Add([]byte(`{"max_output_tokens":5e2,"temperature":"hot","top_p":null,"seed":1e19,"n":2.5,"stop":"END","text":{"format":{"type":"json_object"},"type":"text"}}`))
	f.Add([]byte(`{"stop":["a",1],"response_format":"json","text":{"format":"text"},"max_tokens":-1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var c config
		read := func(ep endpoint, body []byte) request {
			req, err := http.NewRequest(http.MethodPost, "https://api.openai.com/v1/chat/completions", bytes.NewReader(body))
			require.NoError(t, err)
			return c.requestFields(req, ep)
		}
		eps := []endpoint{endpointChat, endpointResponses, endpointCompletions, endpointEmbeddings}
		for _, ep := range eps {
			read(ep, data)
		}

		var doc struct {
			Model         *string `json:"model,omitempty"`
			Stream        *bool   `json:"stream,omitempty"`
			StreamOptions *struct {
				IncludeUsage *bool `json:"include_usage,omitempty"`
			} `json:"stream_options,omitempty"`
			MaxCompletionTokens *json.Number `json:"max_completion_tokens,omitempty"`
			MaxTokens           *json.Number `json:"max_tokens,omitempty"`
			MaxOutputTokens     *json.Number `json:"max_output_tokens,omitempty"`
			Temperature         *json.Number `json:"temperature,omitempty"`
			TopP                *json.Number `json:"top_p,omitempty"`
			FrequencyPenalty    *json.Number `json:"frequency_penalty,omitempty"`
			PresencePenalty     *json.Number `json:"presence_penalty,omitempty"`
			Seed                *json.Number `json:"seed,omitempty"`
			N                   *json.Number `json:"n,omitempty"`
			Stop                any          `json:"stop,omitempty"`
			ResponseFormat      any          `json:"response_format,omitempty"`
			Text                any          `json:"text,omitempty"`
		}
		canon, ok := adaptertest.Canonical(data, &doc)
		if !ok {
			return
		}
		for _, ep := range eps {
			got := read(ep, canon)
			assert.Equal(t, adaptertest.Deref(doc.Model, ""), got.model, "%s", canon)
			assert.Equal(t, adaptertest.Deref(doc.Stream, false), got.stream, "%s", canon)
			assert.Equal(t, doc.StreamOptions != nil && doc.StreamOptions.IncludeUsage != nil, got.usageSaid, "%s", canon)

			p := &got.params
			// The numbers of the parameters the endpoint takes.
			nums := map[jsonwalk.Param]*json.Number{}
			var stop []string
			chat, completions := ep == endpointChat, ep == endpointCompletions
			if chat || completions || ep == endpointResponses {
				nums[jsonwalk.ParamTemperature] = doc.Temperature
				nums[jsonwalk.ParamTopP] = doc.TopP
			}
			if chat || completions {
				nums[jsonwalk.ParamMaxTokens] = doc.MaxTokens
				nums[jsonwalk.ParamFrequencyPenalty] = doc.FrequencyPenalty
				nums[jsonwalk.ParamPresencePenalty] = doc.PresencePenalty
				nums[jsonwalk.ParamSeed] = doc.Seed
				nums[jsonwalk.ParamChoiceCount] = doc.N
				stop = stopOf(doc.Stop)
			}
			assert.Equal(t, stop, p.StopSequences, "endpoint %d: %s", ep, canon)
			var outputType string
			switch ep {
			case endpointChat:
				nums[jsonwalk.ParamMaxCompletionTokens] = doc.MaxCompletionTokens
				outputType = outputTypeOf(typeOf(doc.ResponseFormat))
			case endpointResponses:
				nums[jsonwalk.ParamMaxCompletionTokens] = doc.MaxOutputTokens
				if text, ok := doc.Text.(map[string]any); ok {
					outputType = outputTypeOf(typeOf(text["format"]))
				}
			}
			assert.Equal(t, outputType, p.OutputType, "endpoint %d: %s", ep, canon)
			jsonwalktest.CheckParams(t, p, nums, fmt.Sprintf("endpoint %d: %s", ep, canon))
		}
	})
}

// stopOf is the stop sequences of a stop member decoded by encoding/json:
// a string, or an array of strings only.
func stopOf(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil
			}
			out = append(out, s)
		}
		return out
	}
	return nil
}

// typeOf is the type member of an object decoded by encoding/json.
func typeOf(v any) string {
	m, _ := v.(map[string]any)
	s, _ := m["type"].(string)
	return s
}
