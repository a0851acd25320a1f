/**
 * The key reference of configs/README.md, rendered from the registry (a test keeps the README's
 * copy equal to this output). One section per group; neox's additions say "neox" in "from".
 */
import { KEY_GROUPS } from './key-spec';
import type { FieldSpec, KeySpec } from './key-spec';
import { KEY_REGISTRY } from './key-registry';

const ORIGIN_LABEL: Record<KeySpec['origin'], string> = {
  neox: 'GPT-NeoX',
  deepspeed: 'DeepSpeed',
  launcher: 'launcher',
  ours: '**neox**',
};

/** Table cells cannot hold a bare pipe. */
function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function showDefault(value: unknown): string {
  if (value === null) return '—';
  return escapeCell(`\`${typeof value === 'string' ? JSON.stringify(value) : String(value)}\``);
}

function typeOf(spec: KeySpec | FieldSpec): string {
  if ('items' in spec && spec.items) return `list of ${spec.items}`;
  return spec.type;
}

function meaning(spec: KeySpec): string {
  const parts = [spec.doc];
  if (spec.choices) parts.push(`One of ${spec.choices.map((choice) => `\`${choice}\``).join(', ')}.`);
  return escapeCell(parts.join(' '));
}

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

export function renderKeyTable(): string {
  const lines: string[] = [];
  for (const group of KEY_GROUPS) {
    const entries = (Object.entries(KEY_REGISTRY) as [string, KeySpec][]).filter(([, spec]) => spec.group === group);
    lines.push(`### ${group.replace(/_/g, ' ')}`, '', row(['key', 'type', 'default', 'from', 'meaning']), row(['---', '---', '---', '---', '---']));
    for (const [key, spec] of entries) {
      const fallback = spec.derivedFrom !== undefined ? `derived from ${spec.derivedFrom}` : spec.fields ? 'see fields' : showDefault(spec.default);
      lines.push(row([`\`${key}\``, typeOf(spec), fallback, ORIGIN_LABEL[spec.origin], meaning(spec)]));
      for (const [field, fieldSpec] of Object.entries(spec.fields ?? {})) {
        lines.push(row([`\`${key}.${field}\``, typeOf(fieldSpec), showDefault(fieldSpec.default), ORIGIN_LABEL[spec.origin], escapeCell(fieldSpec.doc)]));
      }
    }
    lines.push('');
  }
  return lines.join('\n');
}
