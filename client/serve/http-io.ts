/**
 * Reading request bodies and writing JSON and server-sent-event responses. Bodies are size-limited
 * and parsed as JSON here, so a malformed body is a 400 before any handler runs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import { ApiError, invalidRequest } from './api-error';

export async function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      throw new ApiError(413, 'invalid_request_error', `The request body is larger than ${maxBytes} bytes; send fewer or shorter prompts per request.`, null, 'request_too_large');
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw invalidRequest('The request body is empty; send a JSON object, e.g. {"prompt": "Hello", "max_tokens": 16}.', null, 'invalid_json');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw invalidRequest(`The request body is not valid JSON (${(error as Error).message}); send a JSON object with Content-Type: application/json.`, null, 'invalid_json');
  }
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (response.headersSent) return;
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

export function sendError(response: ServerResponse, error: ApiError): void {
  sendJson(response, error.status, error.body(), error.status === 503 ? { 'Retry-After': '1' } : {});
}

/** Server-sent events as OpenAI streams them: `data: {json}` blocks, then `data: [DONE]`. */
export class EventStream {
  constructor(private readonly response: ServerResponse) {
    response.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
  }

  send(body: unknown): void {
    if (!this.response.writableEnded) this.response.write(`data: ${JSON.stringify(body)}\n\n`);
  }

  /** Ends the stream: `data: [DONE]` after success; after an error the error event is the last. */
  end(done: boolean): void {
    if (this.response.writableEnded) return;
    this.response.end(done ? 'data: [DONE]\n\n' : undefined);
  }
}
