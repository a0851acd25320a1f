/**
 * Shared entry logic for the long-running binaries (neox-coordinator, neox-agent) until their
 * services exist: `--help` and `--version` work; anything else says plainly what is missing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { packageRoot } from './paths';

export interface ServiceEntry {
  binary: string;
  usage: string;
  description: string;
  /** What the binary cannot do yet, in one line, or null once it is implemented. */
  missing: string | null;
}

export function runServiceEntry(entry: ServiceEntry, argv: string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`usage: ${entry.usage}\n\n${entry.description}\n`);
    return 0;
  }
  if (argv.includes('--version')) {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
    process.stdout.write(`${entry.binary} ${pkg.version}\n`);
    return 0;
  }
  if (entry.missing) {
    process.stderr.write(`${entry.binary}: error: ${entry.missing}\n`);
    return 1;
  }
  return 0;
}
