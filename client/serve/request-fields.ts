/**
 * Typed reads of JSON request fields. Each failure is an HTTP 400 naming the parameter, the value
 * received and what to send instead. JSON null counts as absent, as in OpenAI's API.
 */
import { invalidRequest } from './api-error';

export type JsonBody = Record<string, unknown>;

/** A short rendering of a received value for error messages. */
export function shown(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The request body as an object, or a 400 that says what arrived. */
export function asBody(value: unknown, route: string): JsonBody {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidRequest(`The body of ${route} must be a JSON object, got ${shown(value)}; send e.g. {"prompt": "Hello", "max_tokens": 16}.`, null, 'invalid_body');
  }
  return value as JsonBody;
}

export function rejectUnknownFields(body: JsonBody, known: readonly string[], route: string): void {
  for (const key of Object.keys(body)) {
    if (!known.includes(key)) {
      throw invalidRequest(`Unrecognized request argument supplied: '${key}'. ${route} accepts ${known.join(', ')}.`, key, 'unknown_parameter');
    }
  }
}

function present(body: JsonBody, name: string): boolean {
  return body[name] !== undefined && body[name] !== null;
}

export function readBoolean(body: JsonBody, name: string, fallback: boolean): boolean {
  if (!present(body, name)) return fallback;
  const value = body[name];
  if (typeof value !== 'boolean') throw invalidRequest(`Invalid '${name}': expected true or false, got ${shown(value)}.`, name, 'invalid_type');
  return value;
}

export interface Range {
  min: number;
  max?: number;
  /** Added to the message: what the value means or how to fix it. */
  hint?: string;
}

function rangeText(range: Range): string {
  return range.max === undefined ? `>= ${range.min}` : `from ${range.min} to ${range.max}`;
}

function checkRange(name: string, value: number, kind: string, range: Range): void {
  if (value < range.min || (range.max !== undefined && value > range.max)) {
    throw invalidRequest(`Invalid '${name}': expected ${kind} ${rangeText(range)}, got ${shown(value)}${range.hint ? `; ${range.hint}` : ''}.`, name);
  }
}

export function readInteger(body: JsonBody, name: string, fallback: number, range: Range): number;
export function readInteger(body: JsonBody, name: string, fallback: null, range: Range): number | null;
export function readInteger(body: JsonBody, name: string, fallback: number | null, range: Range): number | null {
  if (!present(body, name)) return fallback;
  const value = body[name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw invalidRequest(`Invalid '${name}': expected an integer ${rangeText(range)}, got ${shown(value)}${range.hint ? `; ${range.hint}` : ''}.`, name, 'invalid_type');
  }
  checkRange(name, value, 'an integer', range);
  return value;
}

export function readNumber(body: JsonBody, name: string, fallback: number, range: Range): number {
  if (!present(body, name)) return fallback;
  const value = body[name];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalidRequest(`Invalid '${name}': expected a number ${rangeText(range)}, got ${shown(value)}${range.hint ? `; ${range.hint}` : ''}.`, name, 'invalid_type');
  }
  checkRange(name, value, 'a number', range);
  return value;
}

export function readString(body: JsonBody, name: string): string | null {
  if (!present(body, name)) return null;
  const value = body[name];
  if (typeof value !== 'string') throw invalidRequest(`Invalid '${name}': expected a string, got ${shown(value)}.`, name, 'invalid_type');
  return value;
}

/** Parameters accepted only at the value that means "off", for clients that always send them. */
export function requireOff(body: JsonBody, name: string, isOff: (value: unknown) => boolean, fix: string): void {
  if (present(body, name) && !isOff(body[name])) {
    throw invalidRequest(`'${name}' = ${shown(body[name])} is not supported by neox serve; ${fix}.`, name, 'unsupported_parameter');
  }
}
