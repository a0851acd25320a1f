/**
 * How a preprocessing worker thread obtains its tokenizer. Tokenizer objects cannot cross
 * threads, so each worker loads a module and calls a factory with serializable arguments: by
 * default common/tokenizer's `createTokenizer(spec)`; tests and tools can name their own module.
 */
import { join } from 'node:path';

import type { Tokenizer, TokenizerSpec } from '../../tokenizer/tokenizer';

export interface TokenizerSource {
  /** Absolute path (or resolvable id) of a CommonJS module. */
  module: string;
  /** Its export to call; default "createTokenizer". */
  exportName?: string;
  /** The single argument passed to the factory (must survive structured cloning). */
  args: unknown;
}

export async function loadTokenizer(source: TokenizerSource): Promise<Tokenizer> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const loaded = require(source.module) as Record<string, unknown>;
  const name = source.exportName ?? 'createTokenizer';
  const factory = loaded[name];
  if (typeof factory !== 'function') throw new Error(`${source.module} does not export a function ${name}`);
  return (await (factory as (args: unknown) => Tokenizer | Promise<Tokenizer>)(source.args));
}

/** common/tokenizer's createTokenizer(spec), run inside each worker thread. */
export function tokenizerSourceFor(spec: TokenizerSpec): TokenizerSource {
  return { module: join(__dirname, '..', '..', 'tokenizer', 'index.js'), exportName: 'createTokenizer', args: spec };
}
