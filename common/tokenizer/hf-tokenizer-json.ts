/**
 * Builds a tokenizer from a Hugging Face tokenizer.json (the HFTokenizer format): reads and
 * validates each component and assembles the pipeline. Unsupported components are refused with
 * their key and type; nothing is silently ignored.
 */
import { AddedVocabulary, type AddedToken } from './added-vocabulary';
import { BpeModel } from './bpe-model';
import * as decoders from './decoders';
import { JsonFields, type JsonObject } from './json-fields';
import * as normalizers from './normalizers';
import { compilePattern, GPT2_PATTERN } from './patterns';
import { PipelineTokenizer } from './pipeline-tokenizer';
import * as post from './post-processors';
import * as pre from './pre-tokenizers';
import { readJson } from './read-files';
import { escapeLiteral } from './regex-translate';

export interface HfLoadOptions {
  type: string;
  skipSpecialOnDecode: boolean;
  /** Tokens added after loading (HFGPT2Tokenizer's <|padding|>), as add_special_tokens would. */
  extraTokens?: AddedToken[];
  /** The token whose id is the end-of-document id. */
  eodToken: string;
}

export function loadTokenizerJson(file: string, options: HfLoadOptions): PipelineTokenizer {
  const f = new JsonFields(file);
  const root = f.object(readJson(file, 'tokenizer.json'), '(top level)');
  return buildFromTokenizerJson(f, root, options);
}

export function buildFromTokenizerJson(f: JsonFields, root: JsonObject, options: HfLoadOptions): PipelineTokenizer {
  for (const key of ['truncation', 'padding'] as const) {
    if (root[key] !== undefined && root[key] !== null) {
      f.fail(key, `is set; neox encodes whole documents, so set "${key}": null in the file`);
    }
  }
  const normalizer = root['normalizer'] == null ? null : readNormalizer(f, f.object(root['normalizer'], 'normalizer'), 'normalizer');
  const steps = root['pre_tokenizer'] == null ? [] : flattenPreTokenizers(f, f.object(root['pre_tokenizer'], 'pre_tokenizer'), 'pre_tokenizer');
  // A ByteLevel last step leaves the byte mapping to the model, which then caches by raw text.
  const last = steps[steps.length - 1];
  const lazyByteLevel = last !== undefined && last.value['type'] === 'ByteLevel';
  const preTokenizers: pre.PreTokenizer[] = [];
  steps.forEach((step, k) => {
    const isLast = k === steps.length - 1;
    const p = readPreTokenizer(f, step.value, step.key, !(isLast && lazyByteLevel));
    if (p !== null) preTokenizers.push(p);
  });
  const preTokenizer =
    preTokenizers.length === 0 ? new pre.WholePreTokenizer() : preTokenizers.length === 1 ? preTokenizers[0]! : new pre.SequencePreTokenizer(preTokenizers);
  const model = readModel(f, f.object(root['model'], 'model'), lazyByteLevel);
  const tokens = readAddedTokens(f, root['added_tokens'] ?? []).concat(options.extraTokens ?? []);
  const added = new AddedVocabulary(tokens, { tokenToId: (t) => model.vocab.get(t), vocabSize: model.vocabSize }, normalizer);
  const postProcessor = root['post_processor'] == null ? null : readPostProcessor(f, f.object(root['post_processor'], 'post_processor'), 'post_processor', added);
  const decoder = root['decoder'] == null ? null : readDecoder(f, f.object(root['decoder'], 'decoder'), 'decoder');
  const eodId = added.tokenToId(options.eodToken) ?? model.vocab.get(options.eodToken);
  return new PipelineTokenizer({
    type: options.type,
    model,
    added,
    normalizer,
    preTokenizer,
    postProcessor,
    decoder,
    skipSpecialOnDecode: options.skipSpecialOnDecode,
    eod: eodId ?? (() => f.fail('added_tokens', `has no ${options.eodToken} token, so there is no end-of-document id; add it as a special token`)),
  });
}

function readPattern(f: JsonFields, value: unknown, key: string): RegExp {
  const o = f.object(value, key);
  if (typeof o['String'] === 'string') return new RegExp(escapeLiteral(o['String']), 'gu');
  if (typeof o['Regex'] === 'string') return compilePattern(o['Regex'], 'onig', f.file, `${key}.Regex`);
  return f.fail(key, 'must be {"String": ...} or {"Regex": ...}');
}

const NORMALIZERS = ['NFC', 'NFD', 'NFKC', 'NFKD', 'Lowercase', 'Strip', 'Replace', 'Prepend', 'Sequence', 'ByteLevel'] as const;

function readNormalizer(f: JsonFields, o: JsonObject, key: string): normalizers.Normalizer {
  const type = f.type(o, key, NORMALIZERS);
  switch (type) {
    case 'NFC': case 'NFD': case 'NFKC': case 'NFKD':
      return normalizers.unicodeNormalizer(type);
    case 'Lowercase':
      return normalizers.lowercase;
    case 'Strip':
      return normalizers.strip(f.bool(o['strip_left'], `${key}.strip_left`, true), f.bool(o['strip_right'], `${key}.strip_right`, true));
    case 'Replace':
      return normalizers.replace(readPattern(f, o['pattern'], `${key}.pattern`), f.string(o['content'], `${key}.content`));
    case 'Prepend':
      return normalizers.prepend(f.string(o['prepend'], `${key}.prepend`));
    case 'ByteLevel':
      return normalizers.byteLevelNormalizer;
    default: {
      const list = f.array(o['normalizers'], `${key}.normalizers`);
      return normalizers.sequence(list.map((n, k) => readNormalizer(f, f.object(n, `${key}.normalizers[${k}]`), `${key}.normalizers[${k}]`)));
    }
  }
}

const PRE_TOKENIZERS = ['ByteLevel', 'Split', 'Metaspace', 'Digits', 'WhitespaceSplit', 'Sequence'] as const;

function flattenPreTokenizers(f: JsonFields, o: JsonObject, key: string): Array<{ value: JsonObject; key: string }> {
  const type = f.type(o, key, PRE_TOKENIZERS);
  if (type !== 'Sequence') return [{ value: o, key }];
  const list = f.array(o['pretokenizers'], `${key}.pretokenizers`);
  return list.flatMap((p, k) => flattenPreTokenizers(f, f.object(p, `${key}.pretokenizers[${k}]`), `${key}.pretokenizers[${k}]`));
}

const BEHAVIORS: readonly pre.SplitBehavior[] = ['Removed', 'Isolated', 'MergedWithPrevious', 'MergedWithNext', 'Contiguous'];

/** null when the step does nothing (a lazy ByteLevel without regex or prefix space). */
function readPreTokenizer(f: JsonFields, o: JsonObject, key: string, mapEagerly: boolean): pre.PreTokenizer | null {
  switch (o['type']) {
    case 'ByteLevel': {
      const addPrefixSpace = f.bool(o['add_prefix_space'], `${key}.add_prefix_space`, true);
      const useRegex = f.bool(o['use_regex'], `${key}.use_regex`, true);
      if (!mapEagerly && !addPrefixSpace && !useRegex) return null;
      const re = useRegex ? compilePattern(GPT2_PATTERN, 'onig', f.file, `${key} (ByteLevel regex)`) : null;
      return new pre.ByteLevelPreTokenizer(addPrefixSpace, re, mapEagerly);
    }
    case 'Split': {
      const behavior = f.string(o['behavior'], `${key}.behavior`);
      if (!BEHAVIORS.includes(behavior as pre.SplitBehavior)) f.fail(`${key}.behavior`, `${JSON.stringify(behavior)} is not one of ${BEHAVIORS.join(', ')}`);
      return new pre.SplitPreTokenizer(readPattern(f, o['pattern'], `${key}.pattern`), behavior as pre.SplitBehavior, f.bool(o['invert'], `${key}.invert`, false));
    }
    case 'Metaspace':
      return new pre.MetaspacePreTokenizer(
        readReplacement(f, o, key),
        readPrependScheme(f, o, key),
        f.bool(o['split'], `${key}.split`, true),
      );
    case 'Digits':
      return new pre.DigitsPreTokenizer(f.bool(o['individual_digits'], `${key}.individual_digits`, false));
    default:
      return new pre.WhitespaceSplitPreTokenizer();
  }
}

function readReplacement(f: JsonFields, o: JsonObject, key: string): string {
  const replacement = f.string(o['replacement'], `${key}.replacement`);
  if (Array.from(replacement).length !== 1) f.fail(`${key}.replacement`, `must be one character, got ${JSON.stringify(replacement)}`);
  return replacement;
}

function readPrependScheme(f: JsonFields, o: JsonObject, key: string): 'always' | 'first' | 'never' {
  if (o['prepend_scheme'] === undefined) return f.bool(o['add_prefix_space'], `${key}.add_prefix_space`, true) ? 'always' : 'never';
  const scheme = f.string(o['prepend_scheme'], `${key}.prepend_scheme`);
  if (scheme !== 'always' && scheme !== 'first' && scheme !== 'never') f.fail(`${key}.prepend_scheme`, `${JSON.stringify(scheme)} is not one of always, first, never`);
  return scheme as 'always' | 'first' | 'never';
}

function readModel(f: JsonFields, o: JsonObject, byteLevel: boolean): BpeModel {
  const type = o['type'] ?? (o['merges'] !== undefined ? 'BPE' : undefined);
  if (type !== 'BPE') {
    f.fail('model.type', `${JSON.stringify(type)} is not supported by neox (supported: BPE); use a BPE tokenizer`);
  }
  if (o['dropout'] !== undefined && o['dropout'] !== null && o['dropout'] !== 0) {
    f.fail('model.dropout', `is ${JSON.stringify(o['dropout'])}: BPE dropout makes encoding random; set it to null`);
  }
  const vocabObject = f.object(o['vocab'], 'model.vocab');
  const vocab = new Map<string, number>();
  for (const [token, id] of Object.entries(vocabObject)) vocab.set(token, f.int(id, `model.vocab[${JSON.stringify(token)}]`));
  const merges = f.array(o['merges'] ?? [], 'model.merges').map((m, k): [string, string] => {
    if (typeof m === 'string') {
      const parts = m.split(' ');
      if (parts.length !== 2) f.fail(`model.merges[${k}]`, `${JSON.stringify(m)} must be two tokens separated by one space`);
      return [parts[0]!, parts[1]!];
    }
    if (Array.isArray(m) && m.length === 2 && typeof m[0] === 'string' && typeof m[1] === 'string') return [m[0], m[1]];
    return f.fail(`model.merges[${k}]`, `must be "a b" or ["a", "b"], got ${JSON.stringify(m)}`);
  });
  return new BpeModel({
    vocab,
    merges,
    unkToken: f.optionalString(o['unk_token'], 'model.unk_token'),
    fuseUnk: f.bool(o['fuse_unk'], 'model.fuse_unk', false),
    byteFallback: f.bool(o['byte_fallback'], 'model.byte_fallback', false),
    ignoreMerges: f.bool(o['ignore_merges'], 'model.ignore_merges', false),
    continuingSubwordPrefix: f.optionalString(o['continuing_subword_prefix'], 'model.continuing_subword_prefix'),
    endOfWordSuffix: f.optionalString(o['end_of_word_suffix'], 'model.end_of_word_suffix'),
    byteLevel,
    source: f.file,
  });
}

function readAddedTokens(f: JsonFields, value: unknown): AddedToken[] {
  return f.array(value, 'added_tokens').map((t, k) => {
    const key = `added_tokens[${k}]`;
    const o = f.object(t, key);
    const special = f.bool(o['special'], `${key}.special`, false);
    return {
      content: f.string(o['content'], `${key}.content`),
      singleWord: f.bool(o['single_word'], `${key}.single_word`, false),
      lstrip: f.bool(o['lstrip'], `${key}.lstrip`, false),
      rstrip: f.bool(o['rstrip'], `${key}.rstrip`, false),
      normalized: f.bool(o['normalized'], `${key}.normalized`, !special),
      special,
    };
  });
}

const POST_PROCESSORS = ['ByteLevel', 'TemplateProcessing', 'RobertaProcessing', 'BertProcessing', 'Sequence'] as const;

function readPostProcessor(f: JsonFields, o: JsonObject, key: string, added: AddedVocabulary): post.PostProcessor | null {
  const type = f.type(o, key, POST_PROCESSORS);
  switch (type) {
    case 'ByteLevel':
      return null;
    case 'TemplateProcessing': {
      const specials = f.object(o['special_tokens'] ?? {}, `${key}.special_tokens`);
      const pieces = f.array(o['single'], `${key}.single`).map((p, k): number[] | 'sequence' => {
        const pk = `${key}.single[${k}]`;
        const piece = f.object(p, pk);
        if (piece['Sequence'] !== undefined) {
          const id = f.object(piece['Sequence'], `${pk}.Sequence`)['id'];
          if (id !== 'A') f.fail(`${pk}.Sequence.id`, `must be "A" in the single-sequence template, got ${JSON.stringify(id)}`);
          return 'sequence';
        }
        const name = f.string(f.object(piece['SpecialToken'], `${pk}.SpecialToken`)['id'], `${pk}.SpecialToken.id`);
        const entry = f.object(specials[name], `${key}.special_tokens[${JSON.stringify(name)}]`);
        return f.array(entry['ids'], `${key}.special_tokens[${JSON.stringify(name)}].ids`).map((id, j) => f.int(id, `${key}.special_tokens[${JSON.stringify(name)}].ids[${j}]`));
      });
      return post.templateProcessor(pieces);
    }
    case 'RobertaProcessing':
    case 'BertProcessing': {
      const idOf = (field: string): number => {
        const pair = f.array(o[field], `${key}.${field}`);
        return f.int(pair[1], `${key}.${field}[1]`);
      };
      return post.clsSepProcessor(idOf('cls'), idOf('sep'));
    }
    default: {
      const list = f.array(o['processors'], `${key}.processors`)
        .map((p, k) => readPostProcessor(f, f.object(p, `${key}.processors[${k}]`), `${key}.processors[${k}]`, added))
        .filter((p): p is post.PostProcessor => p !== null);
      return list.length === 0 ? null : post.sequenceProcessor(list);
    }
  }
}

const DECODERS = ['ByteLevel', 'Metaspace', 'Replace', 'ByteFallback', 'Fuse', 'Strip', 'Sequence'] as const;

function readDecoder(f: JsonFields, o: JsonObject, key: string): decoders.Decoder {
  const type = f.type(o, key, DECODERS);
  switch (type) {
    case 'ByteLevel':
      return decoders.byteLevelDecoder;
    case 'Metaspace':
      return decoders.metaspaceDecoder(readReplacement(f, o, key), readPrependScheme(f, o, key));
    case 'Replace':
      return decoders.replaceDecoder(readPattern(f, o['pattern'], `${key}.pattern`), f.string(o['content'], `${key}.content`));
    case 'ByteFallback':
      return decoders.byteFallbackDecoder;
    case 'Fuse':
      return decoders.fuseDecoder;
    case 'Strip': {
      const content = f.string(o['content'], `${key}.content`);
      if (Array.from(content).length !== 1) f.fail(`${key}.content`, `must be one character, got ${JSON.stringify(content)}`);
      return decoders.stripDecoder(content, f.int(o['start'], `${key}.start`), f.int(o['stop'], `${key}.stop`));
    }
    default: {
      const list = f.array(o['decoders'], `${key}.decoders`);
      return decoders.sequenceDecoder(list.map((d, k) => readDecoder(f, f.object(d, `${key}.decoders[${k}]`), `${key}.decoders[${k}]`)));
    }
  }
}
