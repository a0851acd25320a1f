/**
 * Type checks of the merged values against the registry, before defaults and derivation, so each
 * message can name the file that set the key. As in GPT-NeoX: null is accepted everywhere, an int
 * is accepted for a float, choices match case-insensitively, `optimizer`/`scheduler` need `type`
 * and `params`, and `fp16`/`amp`/`flops_profiler` need `enabled`. Beyond GPT-NeoX: list items,
 * minimums, and the fields of neox's own blocks are checked too.
 */
import { ConfigError } from '../errors';
import { showValue } from './describe-values';
import type { FieldSpec, ItemKind, KeySpec, ValueKind } from './key-spec';
import { keySpec } from './key-registry';
import type { MergedValues } from './merge-sources';
import { nearestName } from './nearest-key';
import { unknownKeyMessage } from './check-keys';

const EXPECTED: Record<ValueKind, string> = {
  int: 'an integer',
  float: 'a number',
  bool: 'true or false',
  str: 'a string',
  list: 'a list',
  dict: 'a mapping',
  any: 'a value',
};

const EXAMPLE: Record<ValueKind, string> = {
  int: 'a whole number such as 8',
  float: 'a number such as 0.5 or 1.0e-8',
  bool: 'true or false without quotes',
  str: 'text in quotes, e.g. "value"',
  list: 'a list such as [1, 2]',
  dict: 'a mapping such as {key: value}',
  any: 'a value',
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasKind(value: unknown, kind: ValueKind | ItemKind): boolean {
  switch (kind) {
    case 'int':
      return typeof value === 'number' && Number.isInteger(value);
    case 'float':
      return typeof value === 'number';
    case 'bool':
      return typeof value === 'boolean';
    case 'str':
      return typeof value === 'string';
    case 'list':
      return Array.isArray(value);
    case 'dict':
      return isPlainObject(value);
    case 'any':
      return true;
  }
}

/** The fix for a wrong value: unquote a quoted number or boolean, else show the expected form. */
function fixFor(name: string, kind: ValueKind | ItemKind, value: unknown): string {
  if (typeof value === 'string' && (kind === 'int' || kind === 'float') && value.trim() !== '' && !Number.isNaN(Number(value))) {
    return `write it without quotes: ${name}: ${value.trim()}`;
  }
  if (typeof value === 'number' && kind === 'int') return `use a whole number, e.g. ${Math.round(value)}`;
  return `write ${EXAMPLE[kind]}`;
}

function typeError(name: string, origin: string, kind: ValueKind | ItemKind, value: unknown, rootKey: string): ConfigError {
  return new ConfigError(`${name} in ${origin} must be ${EXPECTED[kind]}, got ${showValue(value)}; ${fixFor(name, kind, value)}`, rootKey);
}

function checkMinimum(name: string, origin: string, value: number, min: number | undefined, rootKey: string): void {
  if (min !== undefined && value < min) {
    throw new ConfigError(`${name} in ${origin} must be at least ${min}, got ${value}`, rootKey);
  }
}

/** Returns the canonical spelling of a choice, warning when it was written in another case. */
function checkChoice(key: string, origin: string, value: string, choices: readonly string[], onWarning: (m: string) => void): string {
  const canonical = choices.find((choice) => choice.toLowerCase() === value.toLowerCase());
  if (canonical === undefined) {
    const near = nearestName(value, choices);
    throw new ConfigError(
      `${key} in ${origin} must be one of ${choices.join(', ')}, got ${showValue(value)}${near ? `; did you mean '${near}'?` : ''}`,
      key,
    );
  }
  if (canonical !== value) {
    onWarning(`${key} ${showValue(value)} in ${origin} is read as '${canonical}' (GPT-NeoX compares some of these values exactly; write '${canonical}')`);
  }
  return canonical;
}

function checkListItems(key: string, origin: string, list: unknown[], items: ItemKind): void {
  list.forEach((item, index) => {
    if (!hasKind(item, items)) {
      throw new ConfigError(
        `${key} in ${origin} must be a list of ${EXPECTED[items].replace(/^an? /, '')}s, but entry ${index + 1} is ${showValue(item)}; ${fixFor(key, items, item)}`,
        key,
      );
    }
  });
}

const TYPE_AND_PARAMS_BLOCKS = ['optimizer', 'scheduler'];
const ENABLED_BLOCKS = ['fp16', 'amp', 'flops_profiler'];
const OPTIMIZER_EXAMPLE = 'optimizer: {type: Adam, params: {lr: 0.0006, betas: [0.9, 0.95], eps: 1.0e-8}}';

/** DeepSpeed blocks whose shape GPT-NeoX checks. */
function checkBlockShape(key: string, origin: string, block: Record<string, unknown>): void {
  if (TYPE_AND_PARAMS_BLOCKS.includes(key)) {
    const example = key === 'optimizer' ? OPTIMIZER_EXAMPLE : 'scheduler: {type: WarmupDecayLR, params: {...}}';
    if (!('type' in block)) throw new ConfigError(`${key} in ${origin} has no 'type'; write ${example}`, key);
    if (typeof block.type !== 'string') throw new ConfigError(`${key}.type in ${origin} must be a name such as 'Adam', got ${showValue(block.type)}`, key);
    if (!('params' in block)) throw new ConfigError(`${key} in ${origin} has no 'params'; write ${example}`, key);
    if (!isPlainObject(block.params)) throw new ConfigError(`${key}.params in ${origin} must be a mapping such as {lr: 0.0006}, got ${showValue(block.params)}`, key);
    const lr = block.params.lr;
    if (key === 'optimizer' && lr !== undefined && typeof lr !== 'number') {
      throw new ConfigError(`optimizer.params.lr in ${origin} must be a number, got ${showValue(lr)}; ${fixFor('lr', 'float', lr)}`, key);
    }
  }
  if (ENABLED_BLOCKS.includes(key)) {
    if (!('enabled' in block)) throw new ConfigError(`${key} in ${origin} has no 'enabled'; add enabled: true (or false)`, key);
    if (typeof block.enabled !== 'boolean') throw new ConfigError(`${key}.enabled in ${origin} must be true or false, got ${showValue(block.enabled)}`, key);
  }
}

/** neox's own blocks: unknown fields warn, known fields are type- and range-checked. */
function checkOwnFields(key: string, origin: string, block: Record<string, unknown>, fields: Readonly<Record<string, FieldSpec>>, onWarning: (m: string) => void): void {
  for (const [field, value] of Object.entries(block)) {
    const spec = fields[field];
    if (!spec) {
      onWarning(unknownKeyMessage(`${key}.${field}`, origin, Object.keys(fields).map((name) => `${key}.${name}`)));
      delete block[field];
      continue;
    }
    if (value === null) continue;
    if (!hasKind(value, spec.type)) throw typeError(`${key}.${field}`, origin, spec.type, value, key);
    if (typeof value === 'number') checkMinimum(`${key}.${field}`, origin, value, spec.min, key);
  }
}

function checkValue(key: string, spec: KeySpec, origin: string, value: unknown, onWarning: (m: string) => void): unknown {
  if (value === null) return value;
  if (!hasKind(value, spec.type)) throw typeError(key, origin, spec.type, value, key);
  if (typeof value === 'number') checkMinimum(key, origin, value, spec.min, key);
  if (typeof value === 'string' && spec.choices) return checkChoice(key, origin, value, spec.choices, onWarning);
  if (Array.isArray(value) && spec.items) checkListItems(key, origin, value, spec.items);
  if (isPlainObject(value)) {
    checkBlockShape(key, origin, value);
    if (spec.fields) checkOwnFields(key, origin, value, spec.fields, onWarning);
  }
  return value;
}

/** Checks every known key of `merged` (unknown ones were dropped already); normalizes choice spelling. */
export function checkTypes(merged: MergedValues, onWarning: (message: string) => void): void {
  for (const [key, value] of Object.entries(merged.values)) {
    const spec = keySpec(key);
    if (spec) merged.values[key] = checkValue(key, spec, merged.origins[key] ?? 'the configuration', value, onWarning);
  }
}
