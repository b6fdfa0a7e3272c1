// The client matrix, TypeScript half: every call the workbook teaches, through the three JavaScript
// clients a learner would use against a local model server, in ONE node process (start-up costs ~1 s).
//   ai-sdk/ollama  — the AI SDK with `ollama-ai-provider` (the module's own choice), native /api
//   ollama-js      — the official `ollama` JavaScript client, native /api
//   ai-sdk/openai  — the AI SDK's OpenAI provider pointed at the server's OpenAI-compatible /v1
// Each case reports FACTS in one shape shared with the Python half (tests/test_client_matrix.py
// asserts on them, for all six clients alike): never the small model's free text, only its structure.
// Run: `npx tsx client-matrix.ts [client/call ...]` with OLLAMA_HOST set; prints one JSON document.
import { embedMany, generateObject, generateText, streamText, zodSchema } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
import { Ollama } from 'ollama';
import { createOllama } from 'ollama-ai-provider';
import { z } from 'zod';
import { ollamaApiURL, ollamaOpenAIURL, parseHost } from './host.ts';

// What to ask is decided in ONE place, tests/test_client_matrix.py, and passed here as MATRIX_INPUT.
if (!process.env.MATRIX_INPUT) {
  console.error('MATRIX_INPUT is not set: run this through tests/test_client_matrix.py (pytest), which passes it');
  process.exit(2);
}
const input = JSON.parse(process.env.MATRIX_INPUT) as {
  model: string; missing: string; numPredict: number; objectTokens: number; abortTokens: number; prompt: string;
  system: string; history: { role: 'user' | 'assistant'; content: string }[]; objectPrompt: string;
  abortPrompt: string; embedInput: string[]; rowTimeoutMs: number;
};
const MODEL = input.model;
const MISSING = input.missing;
const SHORT = { maxTokens: input.numPredict, temperature: 0, seed: 42, maxRetries: 0 };
const OPTIONS = { num_predict: input.numPredict, temperature: 0, seed: 42 };
const PROMPT = input.prompt;
const SYSTEM = input.system;
const HISTORY = input.history;
const SCHEMA = z.object({ answer: z.boolean() }); // the zod twin of the test's pydantic `Answer`
const OBJECT_PROMPT = input.objectPrompt;
const EMBED_INPUT = input.embedInput;
const ABORT_PROMPT = input.abortPrompt;
const ABORT_TOKENS = input.abortTokens;
const ROW_TIMEOUT_MS = input.rowTimeoutMs;

type Facts = Record<string, unknown>;
type Case = () => Promise<Facts>;

const ollama = createOllama({ baseURL: ollamaApiURL() });
const local = createOpenAI({ baseURL: ollamaOpenAIURL(), apiKey: 'ollama', compatibility: 'strict' });
const client = new Ollama({ host: parseHost() });

/** What an error tells us, in one shape: the HTTP status and the server's own body when there is one. */
function describe(e: unknown): Facts {
  const err = e as Record<string, unknown> & Error;
  const status = (err?.statusCode ?? err?.status_code) as number | undefined;
  const body = (err?.responseBody ?? (typeof err?.error === 'string' ? err.error : undefined)) as string | undefined;
  return { name: err?.name ?? typeof e, message: String(err?.message ?? e), status: status ?? null, body: body ?? null };
}

async function thrown(run: () => Promise<unknown>): Promise<Facts> {
  try {
    await run();
  } catch (e) {
    return { error: describe(e) };
  }
  return { error: null };
}

/** `run`, or an error naming `what` after `ms`: a promise that never settles (the AI SDK 4.3's
 *  `result.finishReason` after a stream error or an abort) must cost one row, not the whole report. */
async function within<T>(run: () => Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${what} did not settle within ${ms} ms`),
                                                  { name: 'RowTimeout' })), ms);
  });
  try {
    return await Promise.race([run(), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Read an AI SDK stream's parts: the text pieces, and the finish from the `finish` part itself (never
 *  `await result.finishReason`, which never settles after an error). An error part is thrown. */
async function readParts(parts: AsyncIterable<any>, onPiece: (n: number) => void = () => {}) {
  let chunks = 0;
  let text = '';
  let finish: { finishReason: string; usage: { promptTokens: number; completionTokens: number } } | null = null;
  for await (const part of parts) {
    if (part.type === 'text-delta' && part.textDelta) {
      chunks += 1;
      text += part.textDelta;
      onPiece(chunks);
    } else if (part.type === 'finish') {
      finish = part;
    } else if (part.type === 'error') {
      throw part.error;
    }
  }
  return { chunks, text, finish };
}

/** How a stream that was aborted after its first piece ended, in the facts every client reports:
 *  `chunks` (all pieces that arrived, before and after the abort), `finished` (a normal end was seen),
 *  `endedBy` (the error the client raised, or 'finished'), `aborted` (the abort was really called). */
function abortFacts(chunks: number, finished: boolean, endedBy: string, aborted: boolean): Facts {
  return { chunks, finished, endedBy, aborted, requested: ABORT_TOKENS };
}

function usage(u: { promptTokens: number; completionTokens: number } | undefined) {
  return { promptTokens: u?.promptTokens ?? null, completionTokens: u?.completionTokens ?? null };
}

/** The three AI SDK calls are the same code for both providers: "just another provider". */
function aiSdkCases(model: (id: string, settings?: { structuredOutputs?: boolean }) => any,
                    embedding: (id: string) => any): Record<string, Case> {
  return {
    generate: async () => {
      const r = await generateText({ model: model(MODEL), prompt: PROMPT, ...SHORT });
      return { text: r.text, finishReason: r.finishReason, ...usage(r.usage) };
    },
    stream: async () => {
      const r = streamText({ model: model(MODEL), prompt: PROMPT, ...SHORT, onError: () => {} });
      const { chunks, text, finish } = await readParts(r.fullStream);
      return { chunks, text, finishReason: finish?.finishReason ?? null, ...usage(finish?.usage) };
    },
    chat: async () => {
      const r = await generateText({ model: model(MODEL), system: SYSTEM, messages: HISTORY, ...SHORT });
      return { role: 'assistant', text: r.text, finishReason: r.finishReason, ...usage(r.usage) };
    },
    structured: async () => {
      const r = await generateObject({ model: model(MODEL, { structuredOutputs: true }), schema: SCHEMA,
                                       prompt: OBJECT_PROMPT, ...SHORT, maxTokens: input.objectTokens });
      return { object: r.object, valid: SCHEMA.safeParse(r.object).success, finishReason: r.finishReason };
    },
    embed: async () => {
      const r = await embedMany({ model: embedding(MODEL), values: EMBED_INPUT, maxRetries: 0 });
      return { count: r.embeddings.length, dims: r.embeddings.map((v) => v.length) };
    },
    unknown_model: () => thrown(() => generateText({ model: model(MISSING), prompt: PROMPT, ...SHORT })),
    abort: async () => {
      const controller = new AbortController();
      const r = streamText({ model: model(MODEL), prompt: ABORT_PROMPT, ...SHORT,
                             maxTokens: ABORT_TOKENS, abortSignal: controller.signal, onError: () => {} });
      let chunks = 0;
      let finished = false;
      let endedBy = 'finished';
      try {
        const read = await readParts(r.fullStream, (n) => {
          chunks = n;
          if (n === 1) controller.abort();
        });
        finished = read.finish !== null;
      } catch (e) {
        if (!controller.signal.aborted) throw e; // an error before the abort is the row's failure
        endedBy = (e as Error).name;
      }
      return { ...abortFacts(chunks, finished, endedBy, controller.signal.aborted),
               ...(await followUp(() => generateText({ model: model(MODEL), prompt: PROMPT, ...SHORT }).then((x) => x.text))) };
    },
  };
}

/** After an abort the server must keep serving: one more short request. */
async function followUp(run: () => Promise<string | undefined>): Promise<Facts> {
  try {
    const text = await run();
    return { followUp: { ok: typeof text === 'string' && text.length > 0 } };
  } catch (e) {
    return { followUp: { ok: false, error: describe(e) } };
  }
}

const ollamaJsCases: Record<string, Case> = {
  generate: async () => {
    const r = await client.generate({ model: MODEL, prompt: PROMPT, options: OPTIONS });
    return { text: r.response, finishReason: r.done_reason, promptTokens: r.prompt_eval_count,
             completionTokens: r.eval_count };
  },
  stream: async () => {
    let chunks = 0;
    let text = '';
    let last: Record<string, unknown> = {};
    for await (const part of await client.generate({ model: MODEL, prompt: PROMPT, options: OPTIONS, stream: true })) {
      if (part.response) chunks += 1;
      text += part.response;
      if (part.done) last = part as unknown as Record<string, unknown>;
    }
    return { chunks, text, finishReason: last.done_reason, promptTokens: last.prompt_eval_count,
             completionTokens: last.eval_count };
  },
  chat: async () => {
    const r = await client.chat({ model: MODEL, messages: [{ role: 'system', content: SYSTEM }, ...HISTORY],
                                  options: OPTIONS });
    return { role: r.message.role, text: r.message.content, finishReason: r.done_reason,
             promptTokens: r.prompt_eval_count, completionTokens: r.eval_count };
  },
  structured: async () => {
    // the same zod schema, as the JSON schema Ollama's `format` takes
    const r = await client.chat({ model: MODEL, messages: [{ role: 'user', content: OBJECT_PROMPT }],
                                  format: zodSchema(SCHEMA).jsonSchema, options: { ...OPTIONS, num_predict: input.objectTokens } });
    let object: unknown = null;
    try {
      object = JSON.parse(r.message.content);
    } catch {
      return { object: null, valid: false, raw: r.message.content, finishReason: r.done_reason };
    }
    return { object, valid: SCHEMA.safeParse(object).success, finishReason: r.done_reason };
  },
  embed: async () => {
    const r = await client.embed({ model: MODEL, input: EMBED_INPUT });
    return { count: r.embeddings.length, dims: r.embeddings.map((v) => v.length) };
  },
  unknown_model: () => thrown(() => client.generate({ model: MISSING, prompt: PROMPT, options: OPTIONS })),
  abort: async () => {
    const stream = await client.generate({ model: MODEL, prompt: ABORT_PROMPT, stream: true,
                                           options: { ...OPTIONS, num_predict: ABORT_TOKENS } });
    let chunks = 0;
    let finished = false;
    let aborted = false;
    let endedBy = 'finished';
    try {
      for await (const part of stream) {
        if (part.response) chunks += 1;
        if (part.done) finished = true;
        if (chunks === 1 && !aborted) {
          stream.abort();
          aborted = true;
        }
      }
    } catch (e) {
      if (!aborted) throw e;
      endedBy = (e as Error).name;
    }
    return { ...abortFacts(chunks, finished, endedBy, aborted),
             ...(await followUp(() => client.generate({ model: MODEL, prompt: PROMPT, options: OPTIONS }).then((x) => x.response))) };
  },
};

const CLIENTS: Record<string, Record<string, Case>> = {
  'ai-sdk/ollama': aiSdkCases((id, s) => ollama(id, s), (id) => ollama.embedding(id)),
  'ollama-js': ollamaJsCases,
  'ai-sdk/openai': aiSdkCases((id, s) => local(id, s), (id) => local.embedding(id)),
};

const only = new Set(process.argv.slice(2));
const results: Facts[] = [];
for (const [name, cases] of Object.entries(CLIENTS)) {
  for (const [call, run] of Object.entries(cases)) {
    if (only.size && !only.has(`${name}/${call}`) && !only.has(name)) continue;
    const started = performance.now();
    try {
      const facts = await within(run, ROW_TIMEOUT_MS, `${name} · ${call}`);
      results.push({ client: name, call, ok: true, facts, ms: Math.round(performance.now() - started) });
    } catch (e) {
      results.push({ client: name, call, ok: false, error: describe(e), ms: Math.round(performance.now() - started) });
    }
  }
}
// exit once printed: a row that timed out may still hold a connection open
process.stdout.write(`${JSON.stringify({ host: parseHost(), model: MODEL, node: process.version,
                                         schema: zodSchema(SCHEMA).jsonSchema, results })}\n`, () => process.exit(0));
