// Module 29, section 29.3 «Гібридна архітектура: Local + Cloud», as a file that runs (lesson 3).
// Changed from the module only where it must be, each change marked «workbook:»:
//   the models (LABS_MODEL for both local ones, smollm2:135m unless set), the local address (OLLAMA_HOST), a short
//   deterministic answer, and the cloud's address: OPENAI_BASE_URL when set. The workbook sets it to
//   lesson 3's STAND-IN cloud (a local recorder, not a model, see labs/router/cloud.py) unless a real
//   OPENAI_API_KEY is in the environment; the key itself is read by @ai-sdk/openai from the
//   environment and never printed.
// Run: `npx tsx smart-route.ts simple|complex|sensitive "<prompt>"` (or the prompt on stdin) — prints one JSON line.
import { generateText } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
import { createOllama } from 'ollama-ai-provider';
import { isMain, labsModel, ollamaApiURL } from './host.ts';

// workbook: the module imports the default `openai` from '@ai-sdk/openai', which always calls
// api.openai.com; createOpenAI with the same defaults can be pointed elsewhere.
const openai = createOpenAI({ baseURL: process.env.OPENAI_BASE_URL || undefined });
const ollama = createOllama({ baseURL: ollamaApiURL() }); // workbook: the module's createOllama(), at OLLAMA_HOST
const short = { maxTokens: 16, temperature: 0, seed: 42 }; // workbook: short and deterministic

export async function smartRoute(prompt: string, complexity: 'simple' | 'complex') {
  if (complexity === 'simple') {
    // Локальна модель: безкоштовно, приватно, швидко
    return generateText({ model: ollama(labsModel()), prompt, ...short }); // workbook: llama3.2 (LABS_MODEL)
  } else {
    // Cloud: найвища якість для складних задач
    return generateText({ model: openai('gpt-4o-mini'), prompt, ...short });
  }
}

// PII-sensitive дані — тільки локально
export async function processSensitiveData(data: string) {
  return generateText({
    model: ollama(labsModel()), // Дані НЕ покидають сервер   (workbook: qwen3:8b; LABS_MODEL)
    prompt: `Витягни медичні діагнози з тексту: ${data}`,
    ...short,
  });
}

if (isMain(import.meta.url)) {
  const [how, argPrompt] = process.argv.slice(2);
  if (!['simple', 'complex', 'sensitive'].includes(how)) {
    console.error('usage: tsx smart-route.ts simple|complex|sensitive ["<prompt>"]   (no prompt: read it from stdin)');
    process.exit(2);
  }
  // workbook: the prompt may come on stdin, so a long one (or one with any character) needs no argv
  let prompt = argPrompt;
  if (prompt === undefined) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    prompt = Buffer.concat(chunks).toString('utf8');
  }
  const result = how === 'sensitive' ? await processSensitiveData(prompt) : await smartRoute(prompt, how as 'simple' | 'complex');
  // modelId is the AI SDK's response.modelId: the server's own word on the cloud side (/v1); ollama-ai-provider 1.2
  // returns no response metadata, so on the local side it is the model this script asked for
  console.log(JSON.stringify({ how, modelId: result.response.modelId, text: result.text, usage: result.usage,
                               finishReason: result.finishReason }));
}
