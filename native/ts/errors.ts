/**
 * Native errors as typed JS errors. The binding throws a plain Error whose `code` is one of the
 * stable names from native/src/core/errors.cpp; convertNativeError maps it to a class here.
 */
import { NeoxError } from '../../common/errors';

/** Thrown when the addon file is missing or cannot be loaded. */
export class NativeLoadError extends NeoxError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NEOX_NATIVE_LOAD', message, options);
  }
}

/** Thrown when a native call is given bad input (shapes, names, dtypes, token ids, options). */
export class NativeInvalidArgumentError extends NeoxError {
  constructor(message: string) {
    super('NEOX_INVALID_ARGUMENT', message);
  }
}

/** Thrown when a loss, gradient or tensor is NaN or infinite. */
export class NonFiniteError extends NeoxError {
  constructor(message: string) {
    super('NEOX_NON_FINITE', message);
  }
}

/** Thrown when native file I/O fails. */
export class NativeIoError extends NeoxError {
  constructor(message: string) {
    super('NEOX_IO', message);
  }
}

/** Thrown when a collective fails: timeout, dead peer, transport error. */
export class CommError extends NeoxError {
  constructor(message: string) {
    super('NEOX_COMM', message);
  }
}

/** Thrown for a bug inside the native trainer. */
export class NativeInternalError extends NeoxError {
  constructor(message: string) {
    super('NEOX_INTERNAL', message);
  }
}

const byCode: Record<string, new (message: string) => NeoxError> = {
  NEOX_INVALID_ARGUMENT: NativeInvalidArgumentError,
  NEOX_NON_FINITE: NonFiniteError,
  NEOX_IO: NativeIoError,
  NEOX_COMM: CommError,
  NEOX_INTERNAL: NativeInternalError,
};

export function convertNativeError(error: unknown): unknown {
  if (error instanceof NeoxError || !(error instanceof Error)) return error;
  const code = (error as Error & { code?: unknown }).code;
  const ErrorClass = typeof code === 'string' ? byCode[code] : undefined;
  if (ErrorClass) return new ErrorClass(error.message);
  if (error instanceof TypeError) return new NativeInvalidArgumentError(error.message);
  return error;
}
