/** Shared set-up for the serve tests: the reference model, an in-process server, raw HTTP. */
import { join } from 'node:path';

import type { LanguageModel } from '../../client/serve/language-model';
import { ReferenceModel, type ReferenceModelOptions } from '../../client/serve/reference/reference-model';
import { NeoxServer, type ServeOptions } from '../../client/serve/server';
import { packageRoot } from '../../common/paths';
import { createTokenizer, type Tokenizer } from '../../common/tokenizer';

export const FIXTURES = join(packageRoot(), 'test', 'serve', 'fixtures');
export const TOKENIZER_DIR = join(FIXTURES, 'reference-tokenizer');
export const TOKENIZER_JSON = join(TOKENIZER_DIR, 'tokenizer.json');
export const MODEL_NAME = 'neox-reference';

let tokenizer: Tokenizer | null = null;

export function referenceTokenizer(): Tokenizer {
  tokenizer ??= createTokenizer({ tokenizer_type: 'HFTokenizer', vocab_file: TOKENIZER_JSON, merge_file: null });
  return tokenizer;
}

export function referenceModel(options: Partial<ReferenceModelOptions> = {}): ReferenceModel {
  return new ReferenceModel({ tokenizer: referenceTokenizer(), ...options });
}

export interface Running {
  server: NeoxServer;
  /** http://127.0.0.1:PORT */
  root: string;
  close(): Promise<void>;
}

export async function startServer(model: LanguageModel, options: Partial<ServeOptions> = {}): Promise<Running> {
  const server = new NeoxServer({ name: MODEL_NAME, model, ...options });
  const address = await server.listen(0, '127.0.0.1');
  return { server, root: `http://127.0.0.1:${address.port}`, close: () => server.close() };
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/** POSTs a JSON value (or a raw string body) and reads the whole answer. */
export async function post(root: string, path: string, body: unknown, init: RequestInit = {}): Promise<Reply> {
  const response = await fetch(root + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
  return reply(response);
}

export async function get(root: string, path: string, method = 'GET'): Promise<Reply> {
  return reply(await fetch(root + path, { method }));
}

async function reply(response: Response): Promise<Reply> {
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON (a stream); the test reads text
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** The server's error object, checked for OpenAI's shape. */
export function errorOf(r: Reply): { message: string; type: string; param: string | null; code: string | null } {
  const error = r.json?.error;
  if (!error || typeof error.message !== 'string' || !('param' in error) || !('code' in error) || typeof error.type !== 'string') {
    throw new Error(`not an OpenAI error body: ${r.text}`);
  }
  return error;
}
