package vocabulary

// ProviderOllama is the gen_ai.provider.name the SDK's OpenAI adapter
// records for an Ollama server's OpenAI-compatible endpoint (semconv has no
// value for it; OpenInference and OpenLIT spell it so).
const ProviderOllama = "ollama"
