/**
 * Tokenizer files between a neox checkpoint and a Hugging Face directory.
 *   HFTokenizer       ↔ tokenizer.json
 *   GPT2BPETokenizer  ↔ vocab.json + merges.txt
 * plus the tokenizer side files transformers reads when present (tokenizer_config.json,
 * special_tokens_map.json, added_tokens.json), copied as they are.
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';

import type { TokenizerSpec } from '../../common/tokenizer';
import { checkpointTokenizerDir } from '../../node/actor/engine-checkpoint';

export const SIDE_FILES = ['tokenizer_config.json', 'special_tokens_map.json', 'added_tokens.json'];

/** A file to copy: from `source` to `name` in the destination directory. */
export interface TokenizerFile {
  source: string;
  name: string;
}

export interface TokenizerKeys {
  tokenizer_type: string;
  vocab_file: string;
  merge_file: string | null;
}

/** The tokenizer of a Hugging Face directory, as neox config keys (paths in `dir`), and the files to copy. */
export function hfDirTokenizer(dir: string): { keys: TokenizerKeys; files: TokenizerFile[] } | null {
  const present = (name: string) => existsSync(join(dir, name));
  const side = SIDE_FILES.filter(present).map((name) => ({ source: join(dir, name), name }));
  if (present('tokenizer.json')) {
    return { keys: { tokenizer_type: 'HFTokenizer', vocab_file: join(dir, 'tokenizer.json'), merge_file: null }, files: [{ source: join(dir, 'tokenizer.json'), name: 'tokenizer.json' }, ...side] };
  }
  if (present('vocab.json') && present('merges.txt')) {
    return {
      keys: { tokenizer_type: 'GPT2BPETokenizer', vocab_file: join(dir, 'vocab.json'), merge_file: join(dir, 'merges.txt') },
      files: [{ source: join(dir, 'vocab.json'), name: 'vocab.json' }, { source: join(dir, 'merges.txt'), name: 'merges.txt' }, ...side],
    };
  }
  return null;
}

/**
 * The tokenizer keys of a checkpoint with its paths resolved: the stored copy (tokenizer/<name>)
 * when the checkpoint has one, else the config's path when it exists, else the path as written.
 */
export function checkpointTokenizerKeys(checkpointDir: string, config: Record<string, unknown>): TokenizerSpec {
  const stored = checkpointTokenizerDir(checkpointDir);
  const locate = (path: unknown): string | null => {
    if (typeof path !== 'string') return null;
    if (stored !== null && existsSync(join(stored, basename(path)))) return join(stored, basename(path));
    return path;
  };
  return { tokenizer_type: String(config.tokenizer_type), vocab_file: locate(config.vocab_file), merge_file: locate(config.merge_file) };
}

/**
 * A checkpoint's tokenizer files under the names Hugging Face expects, and the keys to build it
 * from; null when the tokenizer type has no HF files or they are nowhere to be found.
 */
export function checkpointHfTokenizer(checkpointDir: string, config: Record<string, unknown>): { keys: TokenizerKeys; files: TokenizerFile[] } | null {
  const keys = checkpointTokenizerKeys(checkpointDir, config);
  const stored = checkpointTokenizerDir(checkpointDir);
  const side = stored === null ? [] : SIDE_FILES.filter((name) => existsSync(join(stored, name))).map((name) => ({ source: join(stored, name), name }));
  const vocab = keys.vocab_file !== null && existsSync(keys.vocab_file) ? keys.vocab_file : null;
  const merges = keys.merge_file !== null && existsSync(keys.merge_file) ? keys.merge_file : null;
  if (keys.tokenizer_type === 'HFTokenizer' && vocab !== null) {
    return { keys: { tokenizer_type: keys.tokenizer_type, vocab_file: vocab, merge_file: null }, files: [{ source: vocab, name: 'tokenizer.json' }, ...side] };
  }
  if (keys.tokenizer_type === 'GPT2BPETokenizer' && vocab !== null && merges !== null) {
    return { keys: { tokenizer_type: keys.tokenizer_type, vocab_file: vocab, merge_file: merges }, files: [{ source: vocab, name: 'vocab.json' }, { source: merges, name: 'merges.txt' }, ...side] };
  }
  return null;
}
