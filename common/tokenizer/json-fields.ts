/** Typed access to fields of a parsed JSON file; every error names the file, the key path and the fix. */
import { FileError } from '../errors';

export type JsonObject = Record<string, unknown>;

export class JsonFields {
  constructor(readonly file: string) {}

  fail(key: string, message: string): never {
    throw new FileError(this.file, `${this.file}: ${key} ${message}`);
  }

  object(value: unknown, key: string): JsonObject {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) this.fail(key, `must be an object, got ${describe(value)}`);
    return value as JsonObject;
  }

  array(value: unknown, key: string): unknown[] {
    if (!Array.isArray(value)) this.fail(key, `must be an array, got ${describe(value)}`);
    return value as unknown[];
  }

  string(value: unknown, key: string): string {
    if (typeof value !== 'string') this.fail(key, `must be a string, got ${describe(value)}`);
    return value as string;
  }

  optionalString(value: unknown, key: string): string | null {
    return value === undefined || value === null ? null : this.string(value, key);
  }

  bool(value: unknown, key: string, fallback: boolean): boolean {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') this.fail(key, `must be true or false, got ${describe(value)}`);
    return value as boolean;
  }

  int(value: unknown, key: string): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) this.fail(key, `must be a non-negative integer, got ${describe(value)}`);
    return value as number;
  }

  /** The "type" of a component, checked against the supported ones. */
  type(value: JsonObject, key: string, supported: readonly string[]): string {
    const type = this.string(value['type'], `${key}.type`);
    if (!supported.includes(type)) {
      this.fail(`${key}.type`, `${JSON.stringify(type)} is not supported by neox (supported: ${supported.join(', ')}); use a tokenizer without it`);
    }
    return type;
  }
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
