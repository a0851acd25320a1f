/**
 * The shape of one entry of the key registry (key-registry.ts), and the TypeScript value type
 * each entry stands for. The registry is plain data; these types let the compiler derive the
 * typed configuration object from it, so the data and the types cannot drift apart.
 */

/** The YAML value a key takes. `int` also demands a whole number; an int is accepted for `float`. */
export type ValueKind = 'int' | 'float' | 'bool' | 'str' | 'list' | 'dict' | 'any';

/** Element type of a `list` key, checked item by item. */
export type ItemKind = 'int' | 'float' | 'str';

/** Who defines the key: GPT-NeoX's own arguments, DeepSpeed's config, DeepSpeed's launcher, or neox. */
export type KeyOrigin = 'neox' | 'deepspeed' | 'launcher' | 'ours';

/** Sections of the readable `config show` view and of the key table in configs/README.md. */
export const KEY_GROUPS = [
  'parallelism',
  'model',
  'optimizer',
  'learning_rate',
  'batch_and_precision',
  'training',
  'data',
  'checkpointing',
  'tokenizer',
  'logging',
  'text_generation',
  'moe',
  'mup',
  'preference_training',
  'deepspeed',
  'launcher',
  'runtime',
  'neox_extensions',
] as const;
export type KeyGroup = (typeof KEY_GROUPS)[number];

/** One field of a dict key that neox owns (elastic, coordinator): typed, defaulted, checked. */
export interface FieldSpec {
  readonly type: 'int' | 'float' | 'bool' | 'str';
  readonly default: number | string | boolean | null;
  readonly doc: string;
  readonly min?: number;
}

export interface KeySpec {
  readonly group: KeyGroup;
  readonly origin: KeyOrigin;
  readonly type: ValueKind;
  /** Used when no file sets the key. `{}` on a key with `fields` means "every field at its default". */
  readonly default: number | string | boolean | null | Readonly<Record<string, never>>;
  /** What the key means, one sentence (shown in configs/README.md). */
  readonly doc: string;
  /** Accepted values of a string key; matched case-insensitively, stored in this spelling. */
  readonly choices?: readonly string[];
  readonly items?: ItemKind;
  /** Smallest accepted number (inclusive). */
  readonly min?: number;
  /**
   * Present on derived keys: the loader always computes them from the keys named here, and a
   * value set in a file is replaced (with a warning when it differs).
   */
  readonly derivedFrom?: string;
  /** Fields of a dict key neox owns. */
  readonly fields?: Readonly<Record<string, FieldSpec>>;
}

type ScalarValue<T> = T extends 'int' | 'float'
  ? number
  : T extends 'bool'
    ? boolean
    : T extends 'str'
      ? string
      : T extends 'dict'
        ? Record<string, unknown>
        : unknown;

type FieldValue<F> = F extends { type: infer T; default: null } ? ScalarValue<T> | null : F extends { type: infer T } ? ScalarValue<T> : never;

/** The value type of a registry entry when it is set (never null). */
export type SpecValue<S> = S extends { fields: infer F }
  ? { [K in keyof F]: FieldValue<F[K]> }
  : S extends { choices: readonly (infer C)[] }
    ? C
    : S extends { type: 'list'; items: infer I }
      ? ScalarValue<I>[]
      : S extends { type: 'list' }
        ? unknown[]
        : S extends { type: infer T }
          ? ScalarValue<T>
          : never;

/** The value type of a registry entry in a resolved configuration: null when its default is null. */
export type KeyValue<S> = S extends { default: null } ? SpecValue<S> | null : SpecValue<S>;
