/**
 * The HTTP server of `neox serve`: routes, body parsing and the error boundary. Every request ends
 * in a JSON answer; nothing a client sends, and no model failure, takes the process down.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { ApiError, asApiError } from './api-error';
import { handleCompletions, type ServedModel } from './completions-handler';
import { readJsonBody, sendError, sendJson } from './http-io';
import type { LanguageModel } from './language-model';
import { asBody, type JsonBody } from './request-fields';
import { Scheduler } from './scheduler';
import { TokenText } from './token-text';
import { detokenize, tokenize, tokenizerInfo } from './tokenizer-endpoints';

export interface ServeOptions {
  /** The name clients send as `model` and GET /v1/models lists. */
  name: string;
  model: LanguageModel;
  /** Sequences (prompts × n) that may wait for the model; more get 503 (default 1024). */
  maxQueued?: number;
  /** Largest request body (default 64 MiB). */
  maxBodyBytes?: number;
  /** Receives one line per server-side failure (500s). */
  log?: (line: string) => void;
}

type Handler = (context: { body: JsonBody | null; response: ServerResponse }) => void | object;

export class NeoxServer {
  readonly http: Server;
  readonly served: ServedModel;
  private readonly created = Math.floor(Date.now() / 1000);
  private readonly routes: Record<string, Record<string, Handler>>;

  constructor(private readonly options: ServeOptions) {
    const { model, name } = options;
    const log = options.log ?? (() => {});
    this.served = { name, model, scheduler: new Scheduler(model, { maxQueued: options.maxQueued ?? 1024 }), text: new TokenText(model.tokenizer), log };
    this.routes = {
      '/v1/completions': { POST: ({ body, response }) => handleCompletions(body!, this.served, response) },
      '/v1/models': { GET: () => ({ object: 'list', data: [this.modelCard()] }) },
      [`/v1/models/${name}`]: { GET: () => this.modelCard() },
      '/tokenizer_info': { GET: () => tokenizerInfo(this.served) },
      '/tokenize': { POST: ({ body }) => tokenize(body!, this.served) },
      '/detokenize': { POST: ({ body }) => detokenize(body!, this.served) },
      '/health': { GET: () => ({ status: 'ok' }) },
    };
    this.http = createServer((request, response) => void this.handle(request, response));
    this.http.on('clientError', (_error, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
  }

  private modelCard(): object {
    return { id: this.options.name, object: 'model', created: this.created, owned_by: 'neox', max_model_len: this.options.model.maxContext };
  }

  /** Listens; port 0 picks a free port. Resolves with the bound address. */
  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => {
        this.http.off('error', reject);
        resolve(this.http.address() as AddressInfo);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const path = (request.url ?? '/').split('?')[0]!.replace(/(.)\/+$/, '$1');
      const methods = this.routes[path];
      if (methods === undefined) throw this.unknownRoute(request.method ?? '?', path);
      // HEAD is answered as GET (Node leaves the body out).
      const handler = methods[request.method === 'HEAD' ? 'GET' : (request.method ?? '')];
      if (handler === undefined) {
        const allowed = Object.keys(methods).join(', ');
        response.setHeader('Allow', allowed);
        throw new ApiError(405, 'invalid_request_error', `${path} does not accept ${request.method}; use ${allowed}.`, null, 'method_not_allowed');
      }
      const body = request.method === 'POST' ? asBody(await readJsonBody(request, this.options.maxBodyBytes ?? 64 << 20), `${request.method} ${path}`) : null;
      const result = handler({ body, response });
      if (result !== undefined) sendJson(response, 200, result);
    } catch (error) {
      const failure = asApiError(error);
      if (failure.status >= 500 && failure.status !== 503) this.served.log(`neox serve: ${request.method} ${request.url}: ${failure.message}`);
      if (failure.status === 413) response.setHeader('Connection', 'close');
      sendError(response, failure);
    }
  }

  private unknownRoute(method: string, path: string): ApiError {
    const known = Object.entries(this.routes)
      .map(([route, methods]) => `${Object.keys(methods).join('/')} ${route}`)
      .join(', ');
    return new ApiError(404, 'invalid_request_error', `Unknown route ${method} ${path}; this server serves ${known}.`, null, 'unknown_route');
  }
}
