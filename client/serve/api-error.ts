/**
 * Errors the server answers with, in OpenAI's shape:
 * `{"error": {"message", "type", "param", "code"}}` with the HTTP status. Each message is one line
 * naming the parameter, the value and the fix.
 */
import { NeoxError } from '../../common/errors';

export type ApiErrorType = 'invalid_request_error' | 'server_error' | 'overloaded_error';

export class ApiError extends NeoxError {
  constructor(
    readonly status: number,
    readonly type: ApiErrorType,
    message: string,
    readonly param: string | null,
    readonly apiCode: string | null,
  ) {
    super('SERVE_API', message);
  }

  body(): { error: { message: string; type: ApiErrorType; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.apiCode } };
  }
}

/** HTTP 400 for a request parameter. */
export function invalidRequest(message: string, param: string | null, code: string | null = 'invalid_value'): ApiError {
  return new ApiError(400, 'invalid_request_error', message, param, code);
}

function firstLine(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error);
}

/** HTTP 500: the model failed; the message says what and that the server is still up. */
export function modelFailure(error: unknown): ApiError {
  return new ApiError(500, 'server_error', `The model failed while computing this request: ${firstLine(error)}. The server is still running; retry, and report the error if it repeats.`, null, 'model_error');
}

/** Any thrown value as an ApiError; anything else is a bug in the server, answered with 500. */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(500, 'server_error', `neox serve failed on this request: ${firstLine(error)}. The server is still running; please report this error.`, null, 'internal_error');
}
