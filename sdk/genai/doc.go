// Package rastirgenai traces the content generation calls of a
// google.golang.org/genai client as Rastir LLM spans:
//
//	client, err := genai.NewClient(ctx, &genai.ClientConfig{...})
//	models := rastirgenai.Wrap(client)
//	resp, err := models.GenerateContent(ctx, "gemini-2.5-flash", genai.Text("Hi"), nil)
//
// Models embeds the client's *genai.Models, so every other method is still
// there; GenerateContent and GenerateContentStream are traced.
package rastirgenai
