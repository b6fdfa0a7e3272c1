// Module 29, section 29.2 «Інтеграція з AI SDK», as a file that runs (lesson 2, "the same in TypeScript").
// Changed from the module only where it must be, each change marked «workbook:»:
//   the model (LABS_MODEL, as every lesson reads it: smollm2:135m unless set), the address (OLLAMA_HOST, as every
//   lesson reads it), and a short, deterministic answer so the notebook stays fast.
// Run: `npx tsx generate-text.ts` in sdk/ (after `npm ci`), with a model server at OLLAMA_HOST.
import { generateText } from 'ai';
import { createOllama } from 'ollama-ai-provider';
import { labsModel, ollamaApiURL } from './host.ts';

const ollama = createOllama({
  baseURL: ollamaApiURL(), // workbook: the module's 'http://localhost:11434/api', or wherever OLLAMA_HOST says
});

const { text, usage, finishReason, request } = await generateText({
  model: ollama(labsModel()), // workbook: the module's ollama('llama3.2'); LABS_MODEL=llama3.2 gives exactly that
  prompt: 'Поясни що таке TypeScript одним реченням.',
  maxTokens: 16, temperature: 0, seed: 42, // workbook: short and deterministic
});

// Той же код що й з OpenAI — просто інший провайдер!  (the same code as with OpenAI, just another provider)
// workbook: print the result, and the request the AI SDK sent to Ollama's /api/chat, as one JSON line
console.log(JSON.stringify({ text, usage, finishReason, request: JSON.parse(request.body ?? '{}') }));
