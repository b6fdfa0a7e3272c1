// Where the local model server is: OLLAMA_HOST, read with the same rules as `ollama` itself and
// as the workbook's Python helpers (labs/host.py, whose doctests tests/test_client_matrix.py
// replays here, so the two languages cannot drift apart).
//   unset -> http://127.0.0.1:11434    '1.2.3.4' -> http://1.2.3.4:11434    ':5000' -> http://127.0.0.1:5000
//   'https://example.com' -> https://example.com:443    'http://h:8080/ollama/' -> http://h:8080/ollama

import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_PORT = 11434;

export function parseHost(host: string | undefined = process.env.OLLAMA_HOST): string {
  const raw = (host ?? '').trim();
  const hasScheme = raw.includes('://');
  const scheme = hasScheme ? raw.slice(0, raw.lastIndexOf('://')) : 'http';
  const rest = hasScheme ? raw.slice(raw.lastIndexOf('://') + 3) : raw;
  if (scheme !== 'http' && scheme !== 'https') {
    throw new Error(`OLLAMA_HOST='${raw}': the scheme must be http or https`);
  }
  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const path = (slash < 0 ? '' : rest.slice(slash)).replace(/\/+$/, '');
  // [v6]:port, name:port, or a bare name / v6 address
  const m = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(authority);
  let hostname = m?.[1] ?? '';
  const portText = m?.[2];
  const defaultPort = hasScheme ? (scheme === 'https' ? 443 : 80) : DEFAULT_PORT; // as Ollama's envconfig.Host
  let port = defaultPort;
  if (portText !== undefined && portText !== '') {
    port = /^\d+$/.test(portText) ? Number(portText) || defaultPort : NaN; // ':0' means the default, as in Python
    if (!(port >= 1 && port <= 65535)) {
      throw new Error(`OLLAMA_HOST='${raw}': the port must be a number from 1 to 65535`);
    }
  }
  hostname = hostname.replace(/^\[|\]$/g, '') || DEFAULT_HOST;
  if (hostname.includes(':')) hostname = `[${hostname}]`;
  return `${scheme}://${hostname}:${port}${path}`;
}

/** The native API's base, what `createOllama({ baseURL })` takes: `<host>/api`.
 *  Unset, that is http://127.0.0.1:11434/api: the module's 'http://localhost:11434/api' names the
 *  same server, but Node 18 may try `localhost` as ::1 first, where Ollama does not listen. */
export function ollamaApiURL(): string {
  return `${parseHost()}/api`;
}

/** The embedded server's only model, labs.DEFAULT_MODEL in Python (tests/test_client.py checks they agree). */
export const DEFAULT_MODEL = 'smollm2:135m';

/** The model every lesson uses: LABS_MODEL when set and not blank, else DEFAULT_MODEL — the rule of
 *  labs.settings.lesson_model, so `LABS_MODEL=llama3.2 make lab` switches these examples too (lesson 0). */
export function labsModel(env: Record<string, string | undefined> = process.env): string {
  return (env.LABS_MODEL ?? '').trim() || DEFAULT_MODEL;
}

/** The OpenAI-compatible API's base on the same server: `<host>/v1`. */
export function ollamaOpenAIURL(): string {
  return `${parseHost()}/v1`;
}

/** True when the file whose `import.meta.url` is `moduleUrl` is the script Node was started with.
 *  Compares file paths, not URLs: `import.meta.url` is percent-encoded (a space is %20, Cyrillic
 *  letters are %D0%..), `process.argv[1]` is not, so a folder like `Мій курс/module 29` would never
 *  match as text. Symlinks are resolved on both sides, as Node resolves the script it loads. */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  return real(fileURLToPath(moduleUrl)) === real(script);
}

// `tsx host.ts VALUE...` prints what each value parses to (JSON), for the cross-language test.
if (isMain(import.meta.url)) {
  const out = process.argv.slice(2).map((v) => {
    try {
      return { value: v, url: parseHost(v) };
    } catch (e) {
      return { value: v, error: (e as Error).message };
    }
  });
  console.log(JSON.stringify(out));
}
